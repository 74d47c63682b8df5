"""Xinxiang city's loan risk compensation policy (新政办〔2021〕48号) as a Riskshare plugin.

Rule ids X-01 … X-20 are those of docs/policies/xinxiang.md; every decision cites one.
"""
