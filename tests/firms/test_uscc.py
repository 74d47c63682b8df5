"""N-2: Unified Social Credit Code validation (GB 32100-2015)."""

from __future__ import annotations

import random

import pytest

from riskshare.firms import uscc
from riskshare.firms.uscc import InvalidUSCC, division_code, is_valid, normalize, validate

# A reference implementation of the GB 32100-2015 check character, written from the standard
# independently of the module (which reuses stdnum), so the two can check each other.
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def reference_check_char(body: str) -> str:
    assert len(body) == 17
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return _ALPHABET[(31 - total % 31) % 31]


# Check characters below were computed with reference_check_char (and agree with stdnum).
VALID = {
    "91110108551385082Q": "110108",  # company, Beijing Haidian
    "91110000600037341L": "110000",  # the example in python-stdnum's documentation
    "91410700MA3X5B2C8X": "410700",  # company, Xinxiang
    "93410782MA9GL3Q0X0": "410782",  # farmers' cooperative, Huixian (check char 0)
    "51110000500000001E": "110000",  # social organisation (civil affairs)
    "N2410700MA0000001C": "410700",  # rural collective economic organisation
    "Y1410702MA44X7Q3KD": "410702",  # other body
}


@pytest.mark.parametrize(("code", "division"), VALID.items())
def test_valid_codes(code: str, division: str) -> None:
    assert reference_check_char(code[:17]) == code[17]
    assert validate(code) == code
    assert is_valid(code)
    assert division_code(code) == division


@pytest.mark.parametrize("prefix", ["N2", "Y1", "A1", "N3"])
def test_letter_prefixed_codes_are_accepted(prefix: str) -> None:
    # stdnum's own validate() rejects these; N-2 says they are genuine.
    body = prefix + "410700" + "MA47Q8R2T"
    code = body + reference_check_char(body)
    assert validate(code) == code


def test_checksum_agrees_with_reference_on_random_codes() -> None:
    rng = random.Random(32100)
    for _ in range(2000):
        body = (
            rng.choice(_ALPHABET)
            + rng.choice(_ALPHABET)
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(_ALPHABET) for _ in range(9))
        )
        good = reference_check_char(body)
        assert is_valid(body + good)
        wrong = _ALPHABET[(_ALPHABET.index(good) + rng.randrange(1, 31)) % 31]
        assert not is_valid(body + wrong)


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(InvalidUSCC) as info:
        validate("91110108551385082R")
    err = info.value
    assert err.kind == "check_character"
    assert err.reason == "check character (18th) is 'R' but should be 'Q'"
    assert "应为“Q”" in err.reason_zh
    assert str(err) == err.reason
    assert err.code == "91110108551385082R"


def test_every_wrong_check_character_is_rejected() -> None:
    body = "N2410700MA0000001"
    for c in _ALPHABET:
        assert is_valid(body + c) is (c == "C")


@pytest.mark.parametrize(
    ("code", "length"),
    [("", 0), ("9111010855138508", 16), ("91110108551385082", 17), ("91110108551385082QQ", 19)],
)
def test_bad_length(code: str, length: int) -> None:
    with pytest.raises(InvalidUSCC) as info:
        validate(code)
    assert info.value.kind == "length"
    assert info.value.reason == f"a USCC has 18 characters, this one has {length}"
    assert f"实际为 {length} 位" in info.value.reason_zh
    assert not is_valid(code)


def test_lowercase_spaces_and_hyphens_are_normalised() -> None:
    assert normalize(" 9111 0108-5513 8508 2q ") == "91110108551385082Q"
    assert validate("n2410700ma0000001c") == "N2410700MA0000001C"
    assert validate("y1-410702-ma44x7q3k-d") == "Y1410702MA44X7Q3KD"
    assert division_code("91110108 551385082 q") == "110108"


def test_full_width_input_is_normalised() -> None:
    # Typed with a Chinese input method: full-width digits/letters and ideographic space.
    assert validate("９１１１０１０８　５５１３８５０８２Ｑ") == "91110108551385082Q"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter: str) -> None:
    code = "91110108" + letter + "51385082Q"
    with pytest.raises(InvalidUSCC) as info:
        validate(code)
    assert info.value.kind == "forbidden_character"
    assert f"character 9 is '{letter}'" in info.value.reason
    assert "I, O, S, V and Z" in info.value.reason
    assert f"第 9 位为“{letter}”" in info.value.reason_zh


def test_forbidden_letter_reported_even_in_lowercase() -> None:
    with pytest.raises(InvalidUSCC) as info:
        validate("91110108551385082o")
    assert info.value.kind == "forbidden_character"
    assert "character 18 is 'O'" in info.value.reason


@pytest.mark.parametrize("char", ["*", "中", "_", "."])
def test_other_invalid_characters(char: str) -> None:
    with pytest.raises(InvalidUSCC) as info:
        validate("9111010855138508" + char + "Q")
    assert info.value.kind == "invalid_character"
    assert f"character 17 is '{char}'" in info.value.reason


def test_division_code_must_be_digits() -> None:
    body = "91AB0108551385082"
    code = body + reference_check_char(body)  # correct checksum: only the format is wrong
    with pytest.raises(InvalidUSCC) as info:
        validate(code)
    assert info.value.kind == "division_code"
    assert info.value.reason == (
        "characters 3-8 are the administrative division code and must be digits, got 'AB0108'"
    )
    assert "“AB0108”" in info.value.reason_zh
    with pytest.raises(InvalidUSCC):
        division_code(code)


def test_division_code_of_invalid_code_raises() -> None:
    with pytest.raises(InvalidUSCC):
        division_code("91110108551385082R")


def test_invalid_uscc_is_a_value_error() -> None:
    assert issubclass(InvalidUSCC, ValueError)


def test_non_string_input() -> None:
    with pytest.raises(TypeError):
        normalize(91110108551385082)  # type: ignore[arg-type]
    assert is_valid(None) is False  # type: ignore[arg-type]


def test_module_alphabet_matches_standard() -> None:
    assert uscc.ALPHABET == _ALPHABET
    assert not set(uscc.ALPHABET) & set("IOSVZ")
    assert len(uscc.ALPHABET) == 31
