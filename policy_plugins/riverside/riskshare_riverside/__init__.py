"""Riverside county (示例县): the worked example of writing a policy plugin.

A fictional county whose fund is run by a committee and paid out by a trust company:
two compensation modes, size tiers with bonus points, a yearly cap per institution and a
pause for a bank whose yearly compensation passes a share of its lending. It is written
against ``riskshare.toolkit`` alone, with no change to the core.
"""
