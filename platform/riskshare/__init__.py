"""Riskshare: a multi-tenant platform for public loan risk compensation funds."""

__version__ = "0.1.0"
