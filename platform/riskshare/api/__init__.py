"""HTTP plumbing shared by every resource: blueprint, problems, idempotency, pagination."""
