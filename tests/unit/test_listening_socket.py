"""The socket ``phonograph serve`` listens on: its connections answer without Nagle's delay."""

from __future__ import annotations

import asyncio
import socket

from phonograph.cli.server import _bind


def test_accepted_connections_send_without_waiting_for_the_clients_ack() -> None:
    # asyncio sets TCP_NODELAY only on TCP-protocol sockets; without it, a response written in
    # two parts (head, body) waits ~40 ms for the client's delayed ACK.
    async def accepted_nodelay() -> int:
        listening = _bind("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.set_result(
                writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            )
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname())
            nodelay = await seen
            writer.close()
        return nodelay

    assert asyncio.run(accepted_nodelay()) == 1
