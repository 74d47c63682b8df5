"""Programs: one tenant's run of one policy, with its config, fund and validity window."""
