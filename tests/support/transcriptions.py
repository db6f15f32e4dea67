"""What the transcription tests share: phonograph's own job resource, and the account settings and
Transcription configurations they are made under."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import TestAccount
from tests.support.api import ok_json

JOBS = "/phonograph/v1/Transcriptions"
"""phonograph's own transcription resource: ``{JOBS}/{id}`` (the target of ``links.transcript``)."""
BATCH_ID_RE = re.compile(r"voice_transcription_[0-7][0-9a-hjkmnp-tv-z]{25}")
JOB_FIELDS = {
    "id",
    "kind",
    "origin",
    "accountSid",
    "recordingSid",
    "status",
    "progress",
    "duration",
    "language",
    "participants",
    "sentences",
    "text",
    "errorCode",
    "errorMessage",
}
CONVERSATION_CONFIGURATION_ID = "conv_configuration_01k1etx3jbfx88476ccja0889c"


def new_configuration(
    account: TestAccount, *, language: str = "en-US", callback_url: str | None = None
) -> str:
    """A Transcription configuration (ch1 CUSTOMER, ch2 HUMAN_AGENT) calling back ``callback_url``,
    or without one a conversation configuration stands in (the schema wants one of the two); its id.
    Created over plain JSON: the SDK's create raises after success."""
    configuration: dict[str, Any] = {
        "configurationType": "Transcription",
        "transcriptionEngine": "deepgram",
        "speechModel": "nova-3",
        "language": language,
        "participantDefaults": [
            {"audioChannelIndex": 1, "type": "CUSTOMER"},
            {"audioChannelIndex": 2, "type": "HUMAN_AGENT"},
        ],
    }
    if callback_url is None:
        configuration["conversationConfigurationId"] = CONVERSATION_CONFIGURATION_ID
    else:
        configuration["transcriptionStatusCallback"] = {"url": callback_url, "method": "POST"}
    body = {"configuration": configuration}
    created: str = ok_json(account.http.post("/v2/Configurations/Transcription", json=body), 201)["id"]
    return created


def set_media_setting(account: TestAccount, name: str, on: bool) -> None:
    """Turn one of the account's MediaSettings (``pci_mode``, ``hipaa``, …) on or off."""
    path = f"/phonograph/v1/Accounts/{account.sid}/MediaSettings"
    assert ok_json(account.http.post(path, json={name: on}))[name] is on
