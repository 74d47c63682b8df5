"""Notifications: the inbox of each user and role, filled by the deadline sweep."""
