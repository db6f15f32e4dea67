"""Conferences (``CF…``) and their participants: rows, list filters, and state changes.

A conference row outlives its call legs, as Twilio's Conference resource does; a participant row
lives only while its call is connecting to or in the conference (Twilio's Participant resource
"does not return historical participant logs"), and the calls room deletes it on leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.core import PhonographError
from phonograph.store.db import flush_unique
from phonograph.store.models import ConferenceRow, ParticipantRow
from phonograph.store.paging import Page, PageSpec, fetch_page
from phonograph.store.records import from_row

COMPLETED = "completed"
# ``/Participants/{CallSid}`` takes a call SID or the participant's label (twilio-oai,
# twilio.com/docs/voice/api/conference-participant-resource).
_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


class DuplicateLabel(PhonographError):
    """Twilio 16025: a ``participantLabel`` already used in the conference
    (twilio.com/docs/voice/twiml/conference; a third-party live test)."""

    code = 16025
    status = 400


def _duplicate_label(label: str, conference_sid: str) -> DuplicateLabel:
    return DuplicateLabel(f"Participant label '{label}' is already used in conference {conference_sid}")


@dataclass(frozen=True)
class Conference:
    sid: str
    account_sid: str
    friendly_name: str
    # init, in-progress, completed
    status: str
    region: str
    reason_conference_ended: str | None
    call_sid_ending_conference: str | None
    status_callback: str | None
    status_callback_method: str
    status_callback_events: list[str]
    # SequenceNumber of the last status callback sent (0 before the first).
    callback_sequence: int
    date_created: datetime
    date_updated: datetime
    # The node whose mixer holds it while it is live (store/models/node.py).
    owner_node: str | None = None


@dataclass(frozen=True)
class ConferenceFilters:
    """The list filters of ``GET /Conferences.json`` (twilio.com/docs/voice/api/conference-resource):
    ``FriendlyName``, ``Status``, and ``DateCreated``/``DateUpdated`` with their ``<`` and ``>`` forms, as
    half-open ranges."""

    friendly_name: str | None = None
    status: str | None = None
    date_created_on_or_after: datetime | None = None
    date_created_before: datetime | None = None
    date_updated_on_or_after: datetime | None = None
    date_updated_before: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.friendly_name is not None:
            clauses.append(ConferenceRow.friendly_name == self.friendly_name)
        if self.status is not None:
            clauses.append(ConferenceRow.status == self.status)
        for low, high, column in (
            (self.date_created_on_or_after, self.date_created_before, ConferenceRow.date_created),
            (self.date_updated_on_or_after, self.date_updated_before, ConferenceRow.date_updated),
        ):
            if low is not None:
                clauses.append(column >= low)
            if high is not None:
                clauses.append(column < high)
        return clauses


@dataclass(frozen=True)
class Participant:
    call_sid: str
    conference_sid: str
    account_sid: str
    label: str | None
    # queued, connecting, ringing, connected, complete, failed
    status: str
    muted: bool
    hold: bool
    coaching: bool
    call_sid_to_coach: str | None
    start_conference_on_enter: bool
    end_conference_on_exit: bool
    date_created: datetime
    date_updated: datetime


@dataclass(frozen=True)
class ParticipantFilters:
    """The list filters of ``GET /Conferences/{Sid}/Participants.json``
    (twilio.com/docs/voice/api/conference-participant-resource)."""

    muted: bool | None = None
    hold: bool | None = None
    coaching: bool | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        wanted = (
            (self.muted, ParticipantRow.muted),
            (self.hold, ParticipantRow.hold),
            (self.coaching, ParticipantRow.coaching),
        )
        return [column == value for value, column in wanted if value is not None]


def _conference(row: ConferenceRow) -> Conference:
    return from_row(Conference, row, status_callback_events=list(row.status_callback_events))


def _participant(row: ParticipantRow) -> Participant:
    return from_row(Participant, row)


class ConferenceRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, conference: Conference) -> Conference:
        row = ConferenceRow(**{name: getattr(conference, name) for name in Conference.__dataclass_fields__})
        self._session.add(row)
        await self._session.flush()
        return _conference(row)

    async def get(self, sid: str) -> Conference | None:
        row = await self._session.get(ConferenceRow, sid)
        return None if row is None else _conference(row)

    async def get_for_account(self, account_sid: str, sid: str) -> Conference | None:
        conference = await self.get(sid)
        return conference if conference is not None and conference.account_sid == account_sid else None

    async def live_by_name(self, account_sid: str, friendly_name: str) -> Conference | None:
        """The account's conference of this name that has not ended, which ``<Conference>`` joins;
        a name is reused by a new conference once the last one completed."""
        stmt = (
            select(ConferenceRow)
            .where(
                ConferenceRow.account_sid == account_sid,
                ConferenceRow.friendly_name == friendly_name,
                ConferenceRow.status != COMPLETED,
            )
            .order_by(ConferenceRow.date_created.desc(), ConferenceRow.sid.desc())
            .limit(1)
        )
        row = (await self._session.scalars(stmt)).first()
        return None if row is None else _conference(row)

    async def change(self, sid: str, now: datetime, **values: Any) -> Conference:
        """Set ``values`` on the conference; the caller validated the move."""
        row = await self._session.get(ConferenceRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the conference first"
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._session.flush()
        return _conference(row)

    async def take_sequence_number(self, sid: str) -> int:
        """The next status-callback SequenceNumber of the conference: 1, 2, 3, ... (Twilio numbers
        a conference's events from 1)."""
        row = await self._session.get(ConferenceRow, sid, with_for_update=True)
        assert row is not None, "callers fetch the conference first"
        row.callback_sequence += 1
        await self._session.flush()
        return row.callback_sequence

    async def list_page(
        self, account_sid: str, filters: ConferenceFilters, spec: PageSpec
    ) -> Page[Conference]:
        """One page of the account's conferences, newest first (keyset paging, store/paging.py)."""
        stmt = select(ConferenceRow).where(ConferenceRow.account_sid == account_sid, *filters.clauses())
        return await fetch_page(
            self._session, stmt, ConferenceRow.date_created, ConferenceRow.sid, spec, _conference
        )


class ParticipantRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _check_label(self, conference_sid: str, label: str | None, call_sid: str) -> None:
        if label is None:
            return
        stmt = select(ParticipantRow.call_sid).where(
            ParticipantRow.conference_sid == conference_sid,
            ParticipantRow.label == label,
            ParticipantRow.call_sid != call_sid,
        )
        if (await self._session.scalars(stmt)).first() is not None:
            raise _duplicate_label(label, conference_sid)

    async def _flush(self, row: ParticipantRow) -> None:
        # The unique (conference_sid, label) constraint catches a label taken between the check
        # and the insert; without a label, an integrity error is no label's fault.
        if row.label is None:
            await self._session.flush()
        else:
            await flush_unique(self._session, _duplicate_label(row.label, row.conference_sid))

    async def create(self, participant: Participant) -> Participant:
        """The new participant; ``DuplicateLabel`` (16025) when its label is taken in the conference."""
        await self._check_label(participant.conference_sid, participant.label, participant.call_sid)
        fields = Participant.__dataclass_fields__
        row = ParticipantRow(**{name: getattr(participant, name) for name in fields})
        self._session.add(row)
        await self._flush(row)
        return _participant(row)

    async def get(self, conference_sid: str, call_sid_or_label: str) -> Participant | None:
        """The conference's participant with this call SID, or else with this label
        (twilio.com/docs/voice/api/conference-participant-resource)."""
        column = ParticipantRow.call_sid if _CALL_SID.match(call_sid_or_label) else ParticipantRow.label
        stmt = select(ParticipantRow).where(
            ParticipantRow.conference_sid == conference_sid, column == call_sid_or_label
        )
        row = (await self._session.scalars(stmt)).first()
        return None if row is None else _participant(row)

    async def change(self, call_sid: str, now: datetime, **values: Any) -> Participant:
        """Set ``values`` on the participant; a new label must be free in the conference (16025)."""
        row = await self._session.get(ParticipantRow, call_sid, with_for_update=True)
        assert row is not None, "callers fetch the participant first"
        if "label" in values:
            await self._check_label(row.conference_sid, values["label"], call_sid)
        for name, value in values.items():
            setattr(row, name, value)
        row.date_updated = now
        await self._flush(row)
        return _participant(row)

    async def delete(self, call_sid: str) -> None:
        row = await self._session.get(ParticipantRow, call_sid)
        if row is not None:
            await self._session.delete(row)
            await self._session.flush()

    async def of_call(self, call_sid: str) -> Participant | None:
        """The call's participation in a conference, while it lasts."""
        row = await self._session.get(ParticipantRow, call_sid)
        return None if row is None else _participant(row)

    async def for_conference(self, conference_sid: str) -> list[Participant]:
        """The conference's participants, oldest first (the order they were added)."""
        stmt = select(ParticipantRow).where(ParticipantRow.conference_sid == conference_sid)
        stmt = stmt.order_by(ParticipantRow.date_created, ParticipantRow.call_sid)
        return [_participant(row) for row in (await self._session.scalars(stmt)).all()]

    async def list_page(
        self, conference_sid: str, filters: ParticipantFilters, spec: PageSpec
    ) -> Page[Participant]:
        """One page of the conference's participants, newest first like every list (store/paging.py
        pages newest first only), keyed on (date_created, call_sid)."""
        stmt = select(ParticipantRow).where(
            ParticipantRow.conference_sid == conference_sid, *filters.clauses()
        )
        return await fetch_page(
            self._session, stmt, ParticipantRow.date_created, ParticipantRow.call_sid, spec, _participant
        )

    async def delete_for_conference(self, conference_sid: str) -> None:
        """Remove every participant of the conference: it ended, or a crash left it open."""
        stmt = delete(ParticipantRow).where(ParticipantRow.conference_sid == conference_sid)
        await self._session.execute(stmt)
