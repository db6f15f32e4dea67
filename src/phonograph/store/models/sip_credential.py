from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, Base, UTCDateTime

SIP_USERNAME_MAX_CHARS = 32
"""Twilio's bound on a credential's Username."""


class SipCredentialListRow(Base):
    """A list of SIP credentials (``CL…``) that SIP Domains authenticate calls and registrations
    against."""

    __tablename__ = "sip_credential_lists"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    friendly_name: Mapped[str] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS))
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())


class SipCredentialRow(Base):
    """A username (``CR…``) in a credential list, with the digest hashes of its password in
    phonograph's realm (core/sip_terms.py): never the password itself."""

    __tablename__ = "sip_credentials"
    __table_args__ = (UniqueConstraint("credential_list_sid", "username"),)

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    credential_list_sid: Mapped[str] = mapped_column(
        String(34), ForeignKey("sip_credential_lists.sid"), index=True
    )
    username: Mapped[str] = mapped_column(String(SIP_USERNAME_MAX_CHARS))
    ha1_md5: Mapped[str] = mapped_column(String(32))
    ha1_sha256: Mapped[str] = mapped_column(String(64))
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
