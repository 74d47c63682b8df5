"""Allocation plans (补偿分配方案): which approved claims are paid in a period, and how much."""
