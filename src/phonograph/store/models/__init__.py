"""SQLAlchemy models, one per file."""

from phonograph.store.models.account import AccountRow
from phonograph.store.models.account_default_configuration import AccountDefaultConfigurationRow
from phonograph.store.models.api_key import ApiKeyRow
from phonograph.store.models.base import Base
from phonograph.store.models.byoc import (
    ByocTrunkRow,
    ConnectionPolicyRow,
    ConnectionPolicyTargetRow,
    IpRecordRow,
    SourceIpMappingRow,
)
from phonograph.store.models.call import CallRow
from phonograph.store.models.call_event import CallEventRow
from phonograph.store.models.command import CommandRow
from phonograph.store.models.conference import ConferenceRow
from phonograph.store.models.configuration import ConfigurationRow
from phonograph.store.models.configuration_default import ConfigurationDefaultRow
from phonograph.store.models.console_logout import ConsoleLogoutRow
from phonograph.store.models.incoming_phone_number import IncomingPhoneNumberRow
from phonograph.store.models.node import NodeRow
from phonograph.store.models.notification import NotificationRow
from phonograph.store.models.outbox_message import OutboxMessageRow
from phonograph.store.models.participant import ParticipantRow
from phonograph.store.models.recording import RecordingRow
from phonograph.store.models.sip_domain import SipDomainMappingRow, SipDomainRow, SipRegistrationRow
from phonograph.store.models.sip_list import (
    SipCredentialListRow,
    SipCredentialRow,
    SipIpAccessControlListRow,
    SipIpAddressRow,
)
from phonograph.store.models.transcription import TranscriptionRow
from phonograph.store.models.virtual_phone import VirtualPhoneRow

__all__ = [
    "AccountDefaultConfigurationRow",
    "AccountRow",
    "ApiKeyRow",
    "Base",
    "ByocTrunkRow",
    "CallEventRow",
    "CallRow",
    "CommandRow",
    "ConferenceRow",
    "ConfigurationDefaultRow",
    "ConfigurationRow",
    "ConnectionPolicyRow",
    "ConnectionPolicyTargetRow",
    "ConsoleLogoutRow",
    "IncomingPhoneNumberRow",
    "IpRecordRow",
    "NodeRow",
    "NotificationRow",
    "OutboxMessageRow",
    "ParticipantRow",
    "RecordingRow",
    "SipCredentialListRow",
    "SipCredentialRow",
    "SipDomainMappingRow",
    "SipDomainRow",
    "SipIpAccessControlListRow",
    "SipIpAddressRow",
    "SipRegistrationRow",
    "SourceIpMappingRow",
    "TranscriptionRow",
    "VirtualPhoneRow",
]
