"""Tenants: one locality (a city, a district) running its own compensation programs."""
