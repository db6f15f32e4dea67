"""An account's media settings, ``/phonograph/v1/Accounts/{AccountSid}/MediaSettings`` (JSON).

- ``enforce_media_auth`` (default true): recording media URLs need HTTP Basic auth, as Twilio's
  Console switch "Enforce HTTP Auth on Media URLs" does (twilio.com/docs/voice/api/recording,
  support.twilio.com/hc/en-us/articles/15827821586843). Turned off, media can be fetched without credentials
  by whoever knows its URL.
- ``hipaa`` (default false): HIPAA mode keeps media auth on; turning it on turns media auth back
  on, and opening media while it is on is a 400 (twilio.com/docs/voice/pci-workflows). Only the owner changes
  it (below).
- ``dual_channel_conference_recording`` (default false): on, conference recordings are two
  channels: the first participant to join on channel 1, everyone else mixed on channel 2, as
  Twilio's account setting "Dual-channel Recording for Conference" does (twilio.com/docs/voice/api/recording).
  Off, they are a mono mix of everyone.
- ``pci_mode`` (default false): Twilio's PCI mode, for the transcription side of it: on, every
  transcription of the account's recordings is refused with 17531, ``<Record transcribe>``'s and a
  configuration's automatic ones (which then fail) as much as those asked for through the API
  (twilio.com/docs/voice/pci-workflows; the ``<Record>`` reference: "transcriptions aren't available when PCI
  mode is enabled"). It is one-way, as Twilio's PCI page says: turning it off is a 400.

- ``durable_callbacks`` (default false): phonograph's own. Off, a status callback is delivered
  as Twilio delivers it: one attempt, retried at once per the URL's ``#rc``/``#rp`` overrides
  (by default once, only when it could not connect), then a warning Notification. On, a callback
  that still failed is retried with backoff (1 s … 10 min, ten times) before the Notification.

Who may reach which account follows the API's rules (api/auth.py); changing a setting needs the
Auth Token, as Twilio's Console settings are not reachable with API keys. ``hipaa`` and
``pci_mode`` of a subaccount are its parent's to change (403 20403 for the subaccount itself), so a
tenant cannot lift the compliance its parent set and then open its media.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from phonograph.api.auth import Authenticated, reach_account
from phonograph.api.body import read_json_object
from phonograph.api.context import Context
from phonograph.api.openapi import described
from phonograph.api.voice_v2.validation import validate
from phonograph.store import Account, AccountRepo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/Accounts/{account_sid}/MediaSettings")


class MediaSettingsRequest(BaseModel):
    """The update body; a field left out (or null) keeps its setting."""

    model_config = ConfigDict(extra="forbid", strict=True)

    enforce_media_auth: bool | None = None
    hipaa: bool | None = None
    dual_channel_conference_recording: bool | None = None
    pci_mode: bool | None = None
    durable_callbacks: bool | None = None


def media_settings_json(account: Account) -> dict[str, Any]:
    return {
        "account_sid": account.sid,
        "enforce_media_auth": account.enforce_media_auth,
        "hipaa": account.hipaa,
        "dual_channel_conference_recording": account.dual_channel_conference_recording,
        "pci_mode": account.pci_mode,
        "durable_callbacks": account.durable_callbacks,
    }


@router.get("")
async def fetch_media_settings(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    return media_settings_json(await reach_account(context, principal, account_sid, request.url.path))


@router.post("", openapi_extra=described(body=MediaSettingsRequest))
async def update_media_settings(
    account_sid: str, request: Request, principal: Authenticated, context: Context
) -> dict[str, Any]:
    account = await reach_account(context, principal, account_sid, request.url.path)
    principal.require_auth_token("MediaSettings")
    body = validate(MediaSettingsRequest, await read_json_object(request))
    async with context.db.transaction() as session:
        account = await AccountRepo(session).change_media_settings(
            account.sid,
            context.clock.now(),
            enforce_media_auth=body.enforce_media_auth,
            hipaa=body.hipaa,
            dual_channel_conference_recording=body.dual_channel_conference_recording,
            pci_mode=body.pci_mode,
            durable_callbacks=body.durable_callbacks,
            by_owner=principal.account.sid == (account.owner_account_sid or account.sid),
        )
    context.principals.forget_all()
    log.info(
        "media settings changed account=%s enforce_media_auth=%s hipaa=%s"
        " dual_channel_conference_recording=%s pci_mode=%s durable_callbacks=%s",
        account.sid,
        account.enforce_media_auth,
        account.hipaa,
        account.dual_channel_conference_recording,
        account.pci_mode,
        account.durable_callbacks,
    )
    return media_settings_json(account)
