"""api.twilio.com ``/2010-04-01`` resources."""

from fastapi import APIRouter

from phonograph.api.v2010 import (
    accounts,
    call_events,
    calls,
    conferences,
    empty_subresources,
    incoming_phone_numbers,
    keys,
    notifications,
    participants,
    recording_media,
    recordings,
    sip_credentials,
    sip_domain_mappings,
    sip_domains,
    sip_ip_addresses,
    transcriptions,
)

router = APIRouter(prefix="/2010-04-01")
router.include_router(accounts.router)
router.include_router(keys.router)
router.include_router(incoming_phone_numbers.router)
router.include_router(sip_credentials.lists_router)
router.include_router(sip_credentials.router)
router.include_router(sip_ip_addresses.lists_router)
router.include_router(sip_ip_addresses.router)
router.include_router(sip_domains.router)
for mappings in sip_domain_mappings.routers:
    router.include_router(mappings)
router.include_router(calls.router)
router.include_router(call_events.router)
router.include_router(notifications.router)
# Before the media routes: ``/Recordings/{Sid}.json`` is the metadata, not a media format.
router.include_router(recordings.router)
router.include_router(transcriptions.router)
router.include_router(conferences.router)
router.include_router(participants.router)
router.include_router(recording_media.router)
router.include_router(empty_subresources.router)

__all__ = ["router"]
