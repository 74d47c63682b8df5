"""Database access: declarative base, column types, sessions with automatic tenant scoping."""

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.session import Database, all_tenants, tenant_session

__all__ = ["Base", "Database", "TenantScoped", "TimestampMixin", "all_tenants", "tenant_session"]
