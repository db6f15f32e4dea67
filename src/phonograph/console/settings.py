"""The account's settings: Recording and Transcription configurations (a JSON body, checked by
the v2 API's own handlers), the default of each type, media settings (HIPAA, PCI, media auth,
as the API rules them), virtual phones and incoming numbers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from phonograph.api.admin import look, media_settings, phones
from phonograph.api.v2010 import incoming_phone_numbers as numbers
from phonograph.api.voice_v2 import account_defaults, configurations
from phonograph.api.voice_v2.types import configuration_type
from phonograph.console.web import PREFIX, ConsoleRoute, Viewing, checked_form, page, redirect, with_body
from phonograph.core import NotFound

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)
JSON = "application/json"
MEDIA_SWITCHES = (
    "enforce_media_auth",
    "hipaa",
    "dual_channel_conference_recording",
    "pci_mode",
    "durable_callbacks",
)
EXAMPLE = {
    "Recording": {
        "unique_name": "my-recordings",
        "configuration": {
            "configurationType": "Recording",
            "compositionPolicy": {"channels": "dual", "trim": "trim-silence", "track": "both"},
        },
    },
    "Transcription": {
        "unique_name": "my-transcripts",
        "configuration": {
            "configurationType": "Transcription",
            "transcriptionEngine": "deepgram",
            "speechModel": "nova-3",
            "language": "en-US",
            "transcriptionStatusCallback": {"url": "https://example.com/transcripts", "method": "POST"},
            "participantDefaults": [
                {"audioChannelIndex": 1, "type": "CUSTOMER"},
                {"audioChannelIndex": 2, "type": "HUMAN_AGENT"},
            ],
        },
    },
}


def _type(type_name: str) -> str:
    # The API's own check (404 for an unknown type).
    return configuration_type(type_name).name


@router.get("/configurations/{type_name}")
async def list_configurations(request: Request, viewer: Viewing, type_name: str) -> Response:
    kind = _type(type_name)
    listed = await look.list_configurations(kind, viewer.acting, viewer.context)
    shown = [{**c, "json": json.dumps(c, indent=2)} for c in listed["configurations"]]
    return page(
        request,
        "configurations.html",
        viewer=viewer,
        kind=kind,
        configurations=shown,
        default_id=listed["default_id"],
        example=json.dumps(EXAMPLE[kind], indent=2),
        account_default_example=json.dumps(
            {"description": "", "configuration": EXAMPLE[kind]["configuration"]}, indent=2
        ),
        account_default=await _account_default(request, viewer, kind),
    )


async def _account_default(request: Request, viewer: Viewing, kind: str) -> dict[str, str] | None:
    """The account default configuration of ``kind`` (``/v2/AccountDefaultConfiguration``) as
    ``{"json", "etag"}``, ``{}`` when it has none yet, None when the type has none at all."""
    if not configuration_type(kind).has_account_default:
        return None
    try:
        answer = await account_defaults.fetch_account_default(kind, request, viewer.acting, viewer.context)
    except NotFound:
        return {}
    body = json.loads(bytes(answer.body))
    shown = {"description": body["description"], "configuration": body["configuration"]}
    return {"json": json.dumps(shown, indent=2), "etag": answer.headers["etag"]}


@router.post("/account-default/{type_name}")
async def change_account_default(request: Request, viewer: Viewing, type_name: str) -> Response:
    """``action``: ``create``, ``replace`` (``If-Match`` the version the page showed) or ``delete``."""
    kind = _type(type_name)
    body, fields = await _json_form(request, viewer)
    action, context = fields.get("action"), viewer.context
    if action == "create":
        await account_defaults.create_account_default(kind, body, viewer.acting, context)
    elif action == "delete":
        await account_defaults.delete_account_default(kind, body, viewer.acting, context)
    else:
        await account_defaults.replace_account_default(kind, body, viewer.acting, context)
    return redirect(f"{PREFIX}/configurations/{kind}")


async def _json_form(request: Request, viewer: Viewing) -> tuple[Request, dict[str, str]]:
    """The form's ``body`` as the JSON request the API takes, ``If-Match`` the ``etag`` the page
    showed, if any (an account default: a change made meanwhile is the API's 412)."""
    form = await checked_form(request, viewer)
    fields: dict[str, str] = form.state.form
    etag = {"if_match": fields["etag"]} if fields.get("etag") else {}
    return with_body(form, fields.get("body", "").encode(), JSON, **etag), fields


@router.post("/configurations/{type_name}")
async def create_configuration(request: Request, viewer: Viewing, type_name: str) -> Response:
    kind = _type(type_name)
    body, _ = await _json_form(request, viewer)
    await configurations.create_configuration(kind, body, viewer.acting, viewer.context)
    return redirect(f"{PREFIX}/configurations/{kind}")


@router.post("/configurations/{type_name}/{key}")
async def change_configuration(request: Request, viewer: Viewing, type_name: str, key: str) -> Response:
    """``action``: ``replace`` (the JSON body), ``delete``, or ``default`` (make it the default)."""
    kind = _type(type_name)
    body, fields = await _json_form(request, viewer)
    action = fields.get("action")
    if action == "delete":
        await configurations.delete_configuration(kind, key, body, viewer.acting, viewer.context)
    elif action == "default":
        pointer = with_body(body, json.dumps({"configuration_id": key}).encode(), JSON)
        await configurations.set_default(kind, pointer, viewer.acting, viewer.context)
    else:
        await configurations.replace_configuration(kind, key, body, viewer.acting, viewer.context)
    return redirect(f"{PREFIX}/configurations/{kind}")


@router.get("/settings")
async def show_settings(request: Request, viewer: Viewing) -> Response:
    context, sid = viewer.context, viewer.account.sid
    media = await media_settings.fetch_media_settings(sid, request, viewer.principal, context)
    listed_phones = await phones.list_phones(viewer.acting, context)
    listed_numbers = await numbers.list_numbers(sid, request, viewer.principal, context)
    return page(
        request,
        "settings.html",
        viewer=viewer,
        media=media,
        switches=MEDIA_SWITCHES,
        phones=listed_phones["phones"],
        numbers=listed_numbers["incoming_phone_numbers"],
    )


@router.post("/settings/media")
async def change_media_settings(request: Request, viewer: Viewing) -> Response:
    """The switches that changed, as the API takes them (a subaccount may change its own
    ``durable_callbacks`` but not the ``hipaa`` its owner set: the API's rules, unchanged)."""
    form = await checked_form(request, viewer)
    current = await media_settings.fetch_media_settings(
        viewer.account.sid, form, viewer.principal, viewer.context
    )
    checked = {name: form.state.form.get(name) == "on" for name in MEDIA_SWITCHES}
    wanted: dict[str, Any] = {name: on for name, on in checked.items() if on != current[name]}
    body = with_body(form, json.dumps(wanted).encode(), JSON)
    await media_settings.update_media_settings(viewer.account.sid, body, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/settings")


@router.post("/settings/phones")
async def create_phone(request: Request, viewer: Viewing) -> Response:
    form = await checked_form(request, viewer)
    fields = form.state.form
    wanted: dict[str, Any] = {
        "phone_number": fields.get("phone_number", ""),
        "answer": fields.get("answer", "answer"),
    }
    if fields.get("twiml"):
        wanted["twiml"] = fields["twiml"]
    await phones.create_phone(
        with_body(form, json.dumps(wanted).encode(), JSON), viewer.acting, viewer.context
    )
    return redirect(f"{PREFIX}/settings")


@router.post("/settings/phones/{phone_number}/delete")
async def delete_phone(request: Request, viewer: Viewing, phone_number: str) -> Response:
    form = await checked_form(request, viewer)
    await phones.delete_phone(phone_number, form, viewer.acting, viewer.context)
    return redirect(f"{PREFIX}/settings")


@router.post("/settings/numbers")
async def create_number(request: Request, viewer: Viewing) -> Response:
    """The form's fields are the API's (PhoneNumber, VoiceUrl, …)."""
    form = await checked_form(request, viewer)
    await numbers.create_number(viewer.account.sid, form, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/settings")


@router.post("/settings/numbers/{sid}/delete")
async def delete_number(request: Request, viewer: Viewing, sid: str) -> Response:
    form = await checked_form(request, viewer)
    await numbers.delete_number(viewer.account.sid, sid, form, viewer.principal, viewer.context)
    return redirect(f"{PREFIX}/settings")
