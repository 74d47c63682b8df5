"""The policy plugin system: hook specifications, the plugin manager, the core defaults."""
