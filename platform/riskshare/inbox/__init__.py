"""What waits for the caller: the steps its roles may take now, with their due dates."""
