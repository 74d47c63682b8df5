"""Riskshare policy plugin for 延庆区中小微企业融资风险补偿实施方案 (rules Y-01 … Y-17)."""
