"""Checks on a configuration body that need the store: features must name real configurations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.api.voice_v2.types import RECORDING, TRANSCRIPTION, ConfigurationType
from phonograph.api.voice_v2.validation import validate
from phonograph.core import InvalidParameter
from phonograph.recording import RecordingConfiguration
from phonograph.store import AccountDefaultRepo, ConfigurationRepo


def configuration_body(kind: ConfigurationType, data: dict[str, Any]) -> dict[str, Any]:
    """The validated body in its stored form: aliases as on the wire, absent (null) fields dropped."""
    if data.get("configurationType") not in (None, kind.name):
        raise InvalidParameter(f"Invalid 'configuration.configurationType': must be {kind.name!r} here")
    parsed = validate(kind.body, data, ("configuration",))
    stored: dict[str, Any] = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    return stored


async def check_features(
    session: AsyncSession, account_sid: str, kind: ConfigurationType, body: dict[str, Any]
) -> None:
    """Each ``featureId`` must be the id of one of the account's Transcription configurations."""
    if kind is not RECORDING:
        return
    feature_ids = RecordingConfiguration.model_validate(body).feature_ids()
    if len(set(feature_ids)) != len(feature_ids):
        raise InvalidParameter("Invalid 'configuration.features': a featureId appears twice")
    repo = ConfigurationRepo(session)
    for index, feature_id in enumerate(feature_ids):
        found = await repo.find(account_sid, TRANSCRIPTION.name, feature_id)
        if found is None or found.id != feature_id:
            raise InvalidParameter(
                f"Invalid 'configuration.features[{index}].featureId': no Transcription configuration"
                f" with id {feature_id!r} in this account"
            )


async def referencing(session: AsyncSession, account_sid: str, transcription_id: str) -> list[str]:
    """Which recording configurations (named, or the account default) use a transcription feature."""
    users = [
        configuration.id
        for configuration in await ConfigurationRepo(session).list_of_type(account_sid, RECORDING.name)
        if transcription_id in RecordingConfiguration.model_validate(configuration.body).feature_ids()
    ]
    default = await AccountDefaultRepo(session).get(account_sid, RECORDING.name)
    if (
        default is not None
        and transcription_id in RecordingConfiguration.model_validate(default.body).feature_ids()
    ):
        users.append("the account default Recording configuration")
    return users
