"""Room ``store``: SQLAlchemy models, repositories, Alembic migrations (and later the blob store)."""

from phonograph.store.db import Database
from phonograph.store.models.base import (
    DESCRIPTION_MAX_CHARS,
    FRIENDLY_NAME_MAX_CHARS,
    UNIQUE_NAME_MAX_CHARS,
)
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
from phonograph.store.repos.configurations import AccountDefaultRepo, ConfigurationRepo

__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "FRIENDLY_NAME_MAX_CHARS",
    "UNIQUE_NAME_MAX_CHARS",
    "Account",
    "AccountDefaultConfiguration",
    "AccountDefaultRepo",
    "AccountRepo",
    "AccountStatus",
    "ApiKey",
    "ApiKeyRepo",
    "Configuration",
    "ConfigurationRepo",
    "Cursor",
    "Database",
    "Direction",
    "Page",
    "PageSpec",
]
