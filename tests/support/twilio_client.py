"""The official SDK pointed at a phonograph server (README: "Point the twilio SDK at phonograph")."""

from __future__ import annotations

from twilio.rest import Client


def sdk_client(base_url: str, username: str, password: str, account_sid: str | None = None) -> Client:
    client = Client(username, password, account_sid)
    client.api.base_url = base_url
    client.voice.base_url = base_url
    return client
