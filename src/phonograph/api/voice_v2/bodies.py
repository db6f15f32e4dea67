"""Checks on a configuration body that need the store: features must name real configurations."""

from __future__ import annotations

from typing import Any, TypeGuard, get_args

from pydantic import BaseModel
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


def configuration_wire(kind: ConfigurationType, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored body as Twilio's schema shapes it: every key present, ``null`` where unset, and an
    unset object (a callback, the composition policy) as that object with every field ``null``
    (the schema makes those objects non-nullable), so a client generated from
    https://github.com/twilio/twilio-oai (voice v2) finds every key it expects."""
    model = kind.body.model_validate(stored)
    return _every_key(kind.body, model.model_dump(mode="json", by_alias=True))


def _every_key(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    for name, field in model.model_fields.items():
        inner = next(
            (arg for arg in (field.annotation, *get_args(field.annotation)) if _is_model(arg)),
            None,
        )
        if inner is None:
            continue
        key = field.alias or name
        if data.get(key) is None:
            data[key] = inner().model_dump(mode="json", by_alias=True)
        else:
            _every_key(inner, data[key])
    return data


def _is_model(annotation: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


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
