"""Bulk imports: loans from xlsx or CSV, checked and registered row by row in a job."""
