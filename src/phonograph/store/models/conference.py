from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS
from phonograph.store.models.node import NODE_ID_MAX_CHARS

# <Conference> names the room with its text; Twilio's FriendlyName holds up to 128 characters.
CONFERENCE_NAME_MAX_CHARS = 128


class ConferenceRow(Base):
    """A conference (``CF…``): a named room of an account, from its first participant to its end."""

    __tablename__ = "conferences"
    __table_args__ = (
        # Listing is per account, newest first, keyset-paged on (date_created, sid) (store/paging.py).
        Index("ix_conferences_account_sid_date_created_sid", "account_sid", "date_created", "sid"),
        # <Conference>NAME</Conference> joins the account's live room of that name.
        Index("ix_conferences_account_sid_friendly_name", "account_sid", "friendly_name"),
    )

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"))
    friendly_name: Mapped[str] = mapped_column(String(CONFERENCE_NAME_MAX_CHARS))
    # init, in-progress, completed
    status: Mapped[str] = mapped_column(String(16), index=True)
    region: Mapped[str] = mapped_column(String(8))
    reason_conference_ended: Mapped[str | None] = mapped_column(String(64), nullable=True)
    call_sid_ending_conference: Mapped[str | None] = mapped_column(String(34), nullable=True)
    # The statusCallback* of the first participant, which alone take effect
    # (twilio.com/docs/voice/twiml/conference).
    status_callback: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    status_callback_method: Mapped[str] = mapped_column(String(8))
    status_callback_events: Mapped[list[str]] = mapped_column(JSON)
    # SequenceNumber of the last status callback (Twilio numbers a conference's from 1).
    callback_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The node whose process holds this live conference (store/models/node.py); None on rows written
    # before nodes existed, which the next node to start claims.
    owner_node: Mapped[str | None] = mapped_column(String(NODE_ID_MAX_CHARS), index=True, nullable=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
