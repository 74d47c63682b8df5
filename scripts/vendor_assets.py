"""Install the console's front-end assets from the npm registry into the package's static
folder (``platform/riskshare/console/static/vendor``, not in git), at the versions pinned in
``platform/riskshare/console/assets.json``.

Run by ``make install`` (and the Containerfile's build stage); nothing is fetched when the
app runs, so the console and ``/api/v1/docs`` work on a network without internet. ``npm pack``
checks each tarball against the registry's integrity hash; the hash is kept beside the
files (``vendor/manifest.json``), and a second run with the same pins does nothing.

    python scripts/vendor_assets.py            # install what is missing or out of date
    python scripts/vendor_assets.py --check    # exit 1 unless every pinned file is there
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CONSOLE = Path(__file__).resolve().parent.parent / "platform" / "riskshare" / "console"
PINS = CONSOLE / "assets.json"
VENDOR = CONSOLE / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


def _installed() -> dict:
    try:
        return json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return {}


def _complete(name: str, pin: dict, installed: dict) -> bool:
    if installed.get(name, {}).get("version") != pin["version"]:
        return False
    return all((VENDOR / pin["into"] / target).is_file() for target in pin["files"].values())


def _pack(name: str, version: str, into: Path) -> dict:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            "vendor_assets: npm is needed to install the console's front-end assets"
            " (apt-get install npm)"
        )
    out = subprocess.run(
        [npm, "pack", f"{name}@{version}", "--json", "--silent", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)[0]


def main(argv: list[str]) -> int:
    pins = json.loads(PINS.read_text())
    installed = _installed()
    missing = [name for name, pin in pins.items() if not _complete(name, pin, installed)]
    if "--check" in argv:
        for name in missing:
            print(f"vendor_assets: {name}@{pins[name]['version']} is not installed")
        return 1 if missing else 0
    for name in missing:
        pin = pins[name]
        with tempfile.TemporaryDirectory() as tmp:
            info = _pack(name, pin["version"], Path(tmp))
            target = VENDOR / pin["into"]
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            with tarfile.open(Path(tmp) / info["filename"]) as tar:
                for source, dest in pin["files"].items():
                    member = tar.extractfile(f"package/{source}")
                    if member is None:
                        sys.exit(f"vendor_assets: {name}@{pin['version']} has no {source}")
                    (target / dest).write_bytes(member.read())
        installed[name] = {"version": pin["version"], "integrity": info["integrity"]}
        print(f"vendor_assets: {name}@{pin['version']} -> {target.relative_to(CONSOLE)}")
    if missing:
        MANIFEST.write_text(json.dumps(installed, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
