"""Room ``store``: SQLAlchemy models, repositories, Alembic migrations, and the blob store."""

from phonograph.store.blobs import BlobNotFound, BlobStore, LocalBlobStore, open_blob_store
from phonograph.store.db import Database
from phonograph.store.models.base import (
    DESCRIPTION_MAX_CHARS,
    FRIENDLY_NAME_MAX_CHARS,
    UNIQUE_NAME_MAX_CHARS,
)
from phonograph.store.models.byoc import BYOC_NAME_MAX_CHARS
from phonograph.store.models.call import PHONE_ADDRESS_MAX_CHARS, URL_MAX_CHARS
from phonograph.store.models.conference import CONFERENCE_NAME_MAX_CHARS
from phonograph.store.models.participant import PARTICIPANT_LABEL_MAX_CHARS
from phonograph.store.paging import Cursor, Direction, Page, PageSpec
from phonograph.store.records import (
    Account,
    AccountDefaultConfiguration,
    AccountStatus,
    ApiKey,
    Configuration,
)
from phonograph.store.repos.accounts import AccountRepo
from phonograph.store.repos.api_keys import ApiKeyRepo
from phonograph.store.repos.byoc import (
    BYOC_TRUNKS,
    CONNECTION_POLICIES,
    CONNECTION_POLICY_TARGETS,
    IP_RECORDS,
    SOURCE_IP_MAPPINGS,
    ByocKind,
    ByocRepo,
    ByocTrunk,
    ConnectionPolicy,
    ConnectionPolicyTarget,
    IpRecord,
    SourceIpMapping,
    mapped_ip_records,
)
from phonograph.store.repos.call_events import EVENT_RETENTION, CallEvent, CallEventRepo, new_event_sid
from phonograph.store.repos.calls import Call, CallFilters, CallRepo
from phonograph.store.repos.commands import COMMANDS_CHANNEL, REPLIES_CHANNEL, CommandRepo, PendingCommand
from phonograph.store.repos.conferences import (
    Conference,
    ConferenceFilters,
    ConferenceRepo,
    DuplicateLabel,
    Participant,
    ParticipantFilters,
    ParticipantRepo,
)
from phonograph.store.repos.configurations import AccountDefaultRepo, ConfigurationRepo
from phonograph.store.repos.console_logouts import ConsoleLogoutRepo
from phonograph.store.repos.incoming_phone_numbers import (
    IncomingPhoneNumber,
    IncomingPhoneNumberRepo,
    NumberSettings,
)
from phonograph.store.repos.nodes import Claimed, LiveStatuses, Node, NodeRepo
from phonograph.store.repos.notifications import (
    RESPONSE_BODY_MAX_CHARS,
    Notification,
    NotificationLog,
    NotificationRepo,
)
from phonograph.store.repos.outbox import Attempt, OutboxMessage, OutboxRepo, OutboxState
from phonograph.store.repos.recordings import Recording, RecordingFilters, RecordingRepo
from phonograph.store.repos.sip_domains import (
    DomainSettings,
    MappingPurpose,
    SipDomain,
    SipDomainMapping,
    SipDomainMappingRepo,
    SipDomainRepo,
    SipRegistration,
    SipRegistrationRepo,
)
from phonograph.store.repos.sip_lists import (
    CREDENTIAL_LISTS,
    IP_ACCESS_CONTROL_LISTS,
    DigestHashes,
    SipCredential,
    SipCredentialRepo,
    SipIpAddress,
    SipIpAddressRepo,
    SipList,
    SipListKind,
    SipListRepo,
    credential_list_invalid,
)
from phonograph.store.repos.transcriptions import Transcription, TranscriptionFilters, TranscriptionRepo
from phonograph.store.repos.virtual_phones import PhoneAnswer, VirtualPhone, VirtualPhoneRepo

__all__ = [
    "BYOC_NAME_MAX_CHARS",
    "BYOC_TRUNKS",
    "COMMANDS_CHANNEL",
    "CONFERENCE_NAME_MAX_CHARS",
    "CONNECTION_POLICIES",
    "CONNECTION_POLICY_TARGETS",
    "CREDENTIAL_LISTS",
    "DESCRIPTION_MAX_CHARS",
    "EVENT_RETENTION",
    "FRIENDLY_NAME_MAX_CHARS",
    "IP_ACCESS_CONTROL_LISTS",
    "IP_RECORDS",
    "PARTICIPANT_LABEL_MAX_CHARS",
    "PHONE_ADDRESS_MAX_CHARS",
    "REPLIES_CHANNEL",
    "RESPONSE_BODY_MAX_CHARS",
    "SOURCE_IP_MAPPINGS",
    "UNIQUE_NAME_MAX_CHARS",
    "URL_MAX_CHARS",
    "Account",
    "AccountDefaultConfiguration",
    "AccountDefaultRepo",
    "AccountRepo",
    "AccountStatus",
    "ApiKey",
    "ApiKeyRepo",
    "Attempt",
    "BlobNotFound",
    "BlobStore",
    "ByocKind",
    "ByocRepo",
    "ByocTrunk",
    "Call",
    "CallEvent",
    "CallEventRepo",
    "CallFilters",
    "CallRepo",
    "Claimed",
    "CommandRepo",
    "Conference",
    "ConferenceFilters",
    "ConferenceRepo",
    "Configuration",
    "ConfigurationRepo",
    "ConnectionPolicy",
    "ConnectionPolicyTarget",
    "ConsoleLogoutRepo",
    "Cursor",
    "Database",
    "DigestHashes",
    "Direction",
    "DomainSettings",
    "DuplicateLabel",
    "IncomingPhoneNumber",
    "IncomingPhoneNumberRepo",
    "IpRecord",
    "LiveStatuses",
    "LocalBlobStore",
    "MappingPurpose",
    "Node",
    "NodeRepo",
    "Notification",
    "NotificationLog",
    "NotificationRepo",
    "NumberSettings",
    "OutboxMessage",
    "OutboxRepo",
    "OutboxState",
    "Page",
    "PageSpec",
    "Participant",
    "ParticipantFilters",
    "ParticipantRepo",
    "PendingCommand",
    "PhoneAnswer",
    "Recording",
    "RecordingFilters",
    "RecordingRepo",
    "SipCredential",
    "SipCredentialRepo",
    "SipDomain",
    "SipDomainMapping",
    "SipDomainMappingRepo",
    "SipDomainRepo",
    "SipIpAddress",
    "SipIpAddressRepo",
    "SipList",
    "SipListKind",
    "SipListRepo",
    "SipRegistration",
    "SipRegistrationRepo",
    "SourceIpMapping",
    "Transcription",
    "TranscriptionFilters",
    "TranscriptionRepo",
    "VirtualPhone",
    "VirtualPhoneRepo",
    "credential_list_invalid",
    "mapped_ip_records",
    "new_event_sid",
    "open_blob_store",
]
