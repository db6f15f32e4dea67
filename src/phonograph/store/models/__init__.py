"""SQLAlchemy models, one per file."""

from phonograph.store.models.account import AccountRow
from phonograph.store.models.account_default_configuration import AccountDefaultConfigurationRow
from phonograph.store.models.api_key import ApiKeyRow
from phonograph.store.models.base import Base
from phonograph.store.models.configuration import ConfigurationRow
from phonograph.store.models.configuration_default import ConfigurationDefaultRow

__all__ = [
    "AccountDefaultConfigurationRow",
    "AccountRow",
    "ApiKeyRow",
    "Base",
    "ConfigurationDefaultRow",
    "ConfigurationRow",
]
