"""The console's message catalogues (Flask-Babel; Chinese first, English in the source).

    python scripts/console_messages.py extract   # templates and code -> messages.pot, and
                                                 # merge it into each language's .po
    python scripts/console_messages.py compile   # .po -> .mo (make install; not in git)
    python scripts/console_messages.py check     # exit 1 if a message has no translation

Translators edit ``platform/riskshare/console/translations/<lang>/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

CONSOLE = Path(__file__).resolve().parent.parent / "platform" / "riskshare" / "console"
TRANSLATIONS = CONSOLE / "translations"
POT = TRANSLATIONS / "messages.pot"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def _run(*args: str) -> None:
    subprocess.run([PYBABEL, "-q", *args], check=True, cwd=CONSOLE)


def extract() -> None:
    _run(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--omit-header",
        "--sort-output",
        "-o",
        str(POT),
        ".",
    )
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        _run(
            "update",
            "-i",
            str(POT),
            "-d",
            str(TRANSLATIONS),
            "-l",
            po.parts[-3],
            "--no-fuzzy-matching",
        )


def compile_all() -> None:
    _run("compile", "-d", str(TRANSLATIONS), "--statistics")


def check() -> int:
    missing = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        missing += [f"{po.parts[-3]}: {m.id!r}" for m in catalog if m.id and not m.string]
    for line in missing:
        print(f"console_messages: untranslated {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
