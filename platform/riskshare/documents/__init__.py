"""Evidence files attached to any record (a claim, a write-off, a plugin's own records)."""
