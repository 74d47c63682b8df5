"""The append-only, hash-chained audit log of each tenant."""
