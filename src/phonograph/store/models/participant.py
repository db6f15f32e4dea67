from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime

# participantLabel: at most 128 characters, unique per conference (twilio.com/docs/voice/twiml/conference).
PARTICIPANT_LABEL_MAX_CHARS = 128


class ParticipantRow(Base):
    """A call leg connecting to or in a conference. The row goes when the participant leaves:
    Twilio's Participant resource keeps no history of past participants."""

    __tablename__ = "participants"
    # A duplicate label is Twilio 16025 (repos/conferences.py); NULL labels never collide.
    __table_args__ = (UniqueConstraint("conference_sid", "label"),)

    call_sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    conference_sid: Mapped[str] = mapped_column(String(34), ForeignKey("conferences.sid"), index=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"))
    label: Mapped[str | None] = mapped_column(String(PARTICIPANT_LABEL_MAX_CHARS), nullable=True)
    # queued, connecting, ringing, connected, complete, failed
    status: Mapped[str] = mapped_column(String(16))
    muted: Mapped[bool] = mapped_column(Boolean)
    hold: Mapped[bool] = mapped_column(Boolean)
    coaching: Mapped[bool] = mapped_column(Boolean)
    call_sid_to_coach: Mapped[str | None] = mapped_column(String(34), nullable=True)
    start_conference_on_enter: Mapped[bool] = mapped_column(Boolean)
    end_conference_on_exit: Mapped[bool] = mapped_column(Boolean)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
