"""Firms: the enterprises that borrow under a fund (identity per N-2, size per N-1)."""
