"""Chinese sentences use Chinese terms: finding English words and code identifiers in them.

Explanations say everything twice, in Chinese (``zh``) and English (``en``); a Chinese
sentence that says ``规模 small`` or ``模式 pro_rata_carry`` leaks the code's identifiers to
the people who administer the fund. The signal is a run of ASCII letters. Figures, dates and
percentages have none; a unified social credit code (letters among its 18 characters) is
allowed, as are the tokens a test names (a bank's loan numbers, say, which are data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

ASCII_LETTERS = re.compile(r"[A-Za-z]+")
# An 18-character unified social credit code (GB 32100-2015 alphabet), standing alone.
USCC = re.compile(r"(?<![0-9A-Za-z])(?=[0-9A-Z]*\d)[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Za-z])")


def english_in_chinese(document: Any, allowed: Iterable[str] = ()) -> list[str]:
    """Every Chinese sentence in ``document`` with ASCII letters in it, as
    ``"<path>: <sentence> — <words>"``; empty when there is none.

    :param document: any JSON answer (dicts and lists at any depth): every string under a
        ``zh`` key is a Chinese sentence (explanations, refusals' ``rule``, alerts).
    :param allowed: tokens that may appear as they are (record references, names the test
        gave in Latin letters); they are taken out before looking.
    """
    tokens = sorted({t for t in allowed if t}, key=len, reverse=True)
    found: list[str] = []

    def check(sentence: str, path: str) -> None:
        text = sentence
        for token in tokens:
            text = text.replace(token, " ")
        words = ASCII_LETTERS.findall(USCC.sub(" ", text))
        if words:
            found.append(f"{path}: {sentence} — {', '.join(words)}")

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "zh" and isinstance(value, str):
                    check(value, f"{path}/zh")
                else:
                    walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")

    walk(document, "")
    return found
