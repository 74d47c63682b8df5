"""One start-up measurement, in a fresh interpreter: ``python bench/startup.py riskshare|baseline``.

Times what a gunicorn worker does before it can answer (importing the app's module, which
builds the app: ``riskshare.wsgi`` or ``baseline``) and prints one JSON line: seconds, the
peak resident memory and how many modules were imported.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

started = time.perf_counter()
if sys.argv[1] == "riskshare":
    import riskshare.wsgi  # noqa: F401
else:
    sys.path.insert(0, str(Path(__file__).parent))
    import baseline  # noqa: F401
seconds = time.perf_counter() - started
# VmHWM, not getrusage's ru_maxrss: that one keeps the peak of the process before its exec
# (the bench driver that forked it).
status = Path("/proc/self/status").read_text()
peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "modules": len(sys.modules)}))
