"""``GET /phonograph/v1/Nodes``: the processes sharing this server's database, their leases and
their load at the last heartbeat (calls/nodes.py). The nodes serve every tenant, so only a main
account may read them; others get a 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from phonograph.api.auth import Authenticated
from phonograph.api.context import Context
from phonograph.api.openapi import described
from phonograph.core import Forbidden, iso8601
from phonograph.store import Node, NodeRepo

router = APIRouter()


@router.get("/Nodes", openapi_extra=described())
async def list_nodes(principal: Authenticated, context: Context) -> dict[str, list[dict[str, Any]]]:
    if not principal.account.is_main:
        raise Forbidden("the server's nodes are the operator's: use a main account")
    async with context.db.read() as session:
        nodes = await NodeRepo(session).all()
    now = context.clock.now()
    return {"nodes": [_node_json(node, now) for node in nodes]}


def _node_json(node: Node, now: datetime) -> dict[str, Any]:
    return {
        "node_id": node.id,
        "address": node.address,
        # Held: renewed within its lease and not taken over by another node.
        "holds_lease": node.taken_over_by is None and node.lease_expires_at > now,
        "draining": node.draining,
        "live_calls": node.live_calls,
        "live_recordings": node.live_recordings,
        "started_at": iso8601(node.started_at),
        "heartbeat_at": iso8601(node.heartbeat_at),
        "lease_expires_at": iso8601(node.lease_expires_at),
        "taken_over_by": node.taken_over_by,
        "taken_over_at": None if node.taken_over_at is None else iso8601(node.taken_over_at),
    }
