"""``python -m riskshare`` is the ``riskshare`` command (the embedded server starts its worker)."""

from riskshare.cli import main

main()
