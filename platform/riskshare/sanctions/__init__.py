"""Sanctions: clawbacks of compensation and bans of firms or institutions."""
