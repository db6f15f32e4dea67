from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import AccountResourceColumns, Base
from phonograph.store.models.call import URL_MAX_CHARS

BYOC_NAME_MAX_CHARS = 255
"""Twilio's bound on the FriendlyName of every voice v1 BYOC resource."""


class ByocTrunkRow(AccountResourceColumns, Base):
    """A carrier's trunk (``BY…``): calls it sends through a SIP Domain naming it run its
    ``voice_url``; calls placed with ``Byoc`` go out through its connection policy's targets."""

    __tablename__ = "byoc_trunks"

    friendly_name: Mapped[str | None] = mapped_column(String(BYOC_NAME_MAX_CHARS), nullable=True)
    voice_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_method: Mapped[str] = mapped_column(String(8))
    voice_fallback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    voice_fallback_method: Mapped[str] = mapped_column(String(8))
    status_callback_url: Mapped[str | None] = mapped_column(String(URL_MAX_CHARS), nullable=True)
    status_callback_method: Mapped[str] = mapped_column(String(8))
    cnam_lookup_enabled: Mapped[bool] = mapped_column(Boolean)
    connection_policy_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    from_domain_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)


class ConnectionPolicyRow(AccountResourceColumns, Base):
    """A named set of targets (``NY…``) that outbound trunk calls try."""

    __tablename__ = "connection_policies"

    friendly_name: Mapped[str | None] = mapped_column(String(BYOC_NAME_MAX_CHARS), nullable=True)


class ConnectionPolicyTargetRow(AccountResourceColumns, Base):
    """One ``sip:`` target (``NE…``) of a connection policy: lower ``priority`` first, ``weight``
    shares the calls among targets of one priority."""

    __tablename__ = "connection_policy_targets"

    connection_policy_sid: Mapped[str] = mapped_column(
        String(34), ForeignKey("connection_policies.sid"), index=True
    )
    friendly_name: Mapped[str | None] = mapped_column(String(BYOC_NAME_MAX_CHARS), nullable=True)
    target: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    priority: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)


class IpRecordRow(AccountResourceColumns, Base):
    """An address or CIDR block (``IL…``) a carrier sends from."""

    __tablename__ = "ip_records"

    friendly_name: Mapped[str | None] = mapped_column(String(BYOC_NAME_MAX_CHARS), nullable=True)
    ip_address: Mapped[str] = mapped_column(String(45))
    cidr_prefix_length: Mapped[int] = mapped_column(Integer)


class SourceIpMappingRow(AccountResourceColumns, Base):
    """An IP record mapped to a SIP Domain (``IB…``): INVITEs from its addresses to the domain are
    let in as an IP access control list would let them in."""

    __tablename__ = "source_ip_mappings"

    ip_record_sid: Mapped[str] = mapped_column(String(34), ForeignKey("ip_records.sid"), index=True)
    sip_domain_sid: Mapped[str] = mapped_column(String(34), ForeignKey("sip_domains.sid"), index=True)
