from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonograph.store.models.base import FRIENDLY_NAME_MAX_CHARS, AccountResourceColumns, Base

SIP_USERNAME_MAX_CHARS = 32
"""Twilio's bound on a credential's Username."""
IP_FRIENDLY_NAME_MAX_CHARS = 255
"""Twilio's bound on the FriendlyName of an IP access control list and of an IP address."""


class SipCredentialListRow(AccountResourceColumns, Base):
    """A list of SIP credentials (``CL…``) that SIP Domains authenticate calls and registrations
    against; its name is unique in its account (Twilio's 21240)."""

    __tablename__ = "sip_credential_lists"

    friendly_name: Mapped[str] = mapped_column(String(FRIENDLY_NAME_MAX_CHARS))


class SipIpAccessControlListRow(AccountResourceColumns, Base):
    """A list of IP addresses (``AL…``) whose SIP requests a SIP Domain lets in."""

    __tablename__ = "sip_ip_access_control_lists"

    friendly_name: Mapped[str] = mapped_column(String(IP_FRIENDLY_NAME_MAX_CHARS))


class SipCredentialRow(AccountResourceColumns, Base):
    """A username (``CR…``) in a credential list, with the digest hashes of its password in
    phonograph's realm (core/sip_terms.py): never the password itself."""

    __tablename__ = "sip_credentials"
    __table_args__ = (UniqueConstraint("credential_list_sid", "username"),)

    credential_list_sid: Mapped[str] = mapped_column(
        String(34), ForeignKey("sip_credential_lists.sid"), index=True
    )
    username: Mapped[str] = mapped_column(String(SIP_USERNAME_MAX_CHARS))
    ha1_md5: Mapped[str] = mapped_column(String(32))
    ha1_sha256: Mapped[str] = mapped_column(String(64))


class SipIpAddressRow(AccountResourceColumns, Base):
    """An address or CIDR block (``IP…``) in an IP access control list: SIP requests from it pass."""

    __tablename__ = "sip_ip_addresses"

    ip_access_control_list_sid: Mapped[str] = mapped_column(
        String(34), ForeignKey("sip_ip_access_control_lists.sid"), index=True
    )
    friendly_name: Mapped[str] = mapped_column(String(IP_FRIENDLY_NAME_MAX_CHARS))
    ip_address: Mapped[str] = mapped_column(String(45))
    cidr_prefix_length: Mapped[int] = mapped_column(Integer)
