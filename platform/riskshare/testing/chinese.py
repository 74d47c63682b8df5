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


CJK = re.compile(r"[\u3400-\u9fff]")


def assert_explained_in_both_languages(explanation: Any, allowed: Iterable[str] = ()) -> None:
    """Fail unless ``explanation`` (an answer's explanation as JSON, an ``Explanation``, or a
    list of either) says itself in both languages: a rule id; its clause in Chinese
    (``"… 第十一条"``) and in English (``clause_en``, ``"…, Article 11"``, no Chinese in it);
    a Chinese sentence with no English words or code identifiers in it (``allowed``: the
    tokens that are data, as :func:`english_in_chinese` takes them) and an English one.
    """
    if isinstance(explanation, list | tuple):
        for one in explanation:
            assert_explained_in_both_languages(one, allowed)
        return
    data = explanation if isinstance(explanation, dict) else explanation.as_dict()
    rule = data.get("rule")
    assert rule, f"no rule id: {data}"
    clause, clause_en = data.get("clause") or "", data.get("clause_en") or ""
    assert CJK.search(clause), f"{rule}: the clause {clause!r} is not in Chinese"
    assert clause_en and not CJK.search(clause_en), (
        f"{rule}: the clause {clause!r} has no English ({clause_en!r})"
    )
    zh, en = data.get("zh") or "", data.get("en") or ""
    assert CJK.search(zh), f"{rule}: the Chinese sentence is not Chinese: {zh!r}"
    leaks = english_in_chinese({"zh": zh}, allowed)
    assert not leaks, f"{rule}: English in the Chinese sentence: {leaks}"
    assert ASCII_LETTERS.search(en), f"{rule}: the English sentence is not English: {en!r}"


def explanations_in(document: Any) -> list[dict[str, Any]]:
    """Every explanation in any JSON answers (dicts and lists at any depth): the objects
    with a ``rule``, a ``clause`` and a ``zh`` sentence."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if {"rule", "clause", "zh"} <= node.keys():
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found
