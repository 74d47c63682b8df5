"""Claims for compensation, their evidence and their reviews."""
