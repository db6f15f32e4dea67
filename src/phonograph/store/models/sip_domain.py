from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, Base, UTCDateTime
from phonograph.store.models.call import URL_MAX_CHARS

DOMAIN_NAME_MAX_CHARS = 253
"""The longest DNS name (RFC 1035 §2.3.4, written without its final dot)."""
CONTACT_MAX_CHARS = 1024
"""A registered contact URI longer than this is refused."""


class SipDomainRow(Base):
    """A SIP Domain (``SD…``): INVITEs whose Request-URI names it run its ``voice_url``, once one of
    its mapped lists lets the caller in. Its name is unique on the server."""

    __tablename__ = "sip_domains"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), ForeignKey("accounts.sid"), index=True)
    domain_name: Mapped[str] = mapped_column(String(DOMAIN_NAME_MAX_CHARS), unique=True)
    friendly_name: Mapped[str | None] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS), nullable=True)
    voice_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_method: Mapped[str] = mapped_column(String(8))
    voice_fallback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_fallback_method: Mapped[str] = mapped_column(String(8))
    voice_status_callback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_status_callback_method: Mapped[str] = mapped_column(String(8))
    sip_registration: Mapped[bool] = mapped_column(Boolean)
    secure: Mapped[bool] = mapped_column(Boolean)
    byoc_trunk_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    """The BYOC trunk whose carrier calls in through this domain (its calls run the trunk's app)."""
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())


class SipDomainMappingRow(Base):
    """A list mapped to a domain: ``purpose`` says whether it admits calls or registrations, and
    the list's SID prefix its kind (``CL…`` credentials, ``AL…`` IP addresses)."""

    __tablename__ = "sip_domain_mappings"
    __table_args__ = (UniqueConstraint("domain_sid", "purpose", "list_sid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain_sid: Mapped[str] = mapped_column(String(34), ForeignKey("sip_domains.sid"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    list_sid: Mapped[str] = mapped_column(String(34), index=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())


class SipRegistrationRow(Base):
    """A contact a user registered on a domain (RFC 3261 §10): where calls to ``username`` at the
    domain go until ``expires_at``. In the database, so any node finds it."""

    __tablename__ = "sip_registrations"
    __table_args__ = (UniqueConstraint("domain_sid", "username", "contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain_sid: Mapped[str] = mapped_column(String(34), ForeignKey("sip_domains.sid"), index=True)
    username: Mapped[str] = mapped_column(String(32))
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX_CHARS))
    source: Mapped[str] = mapped_column(String(64))
    """The address the REGISTER came from (``host:port``): behind NAT, where the contact is reached."""
    call_id: Mapped[str] = mapped_column(String(255))
    cseq: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime())
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime())
