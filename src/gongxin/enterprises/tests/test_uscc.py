"""统一社会信用代码 (GB 32100-2015): valid codes are canonicalised, each kind of mistake is
rejected with a message that says what is wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.tests.factories import make_uscc
from gongxin.enterprises.uscc import check_character, uscc_clean

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Codes with digits and letters in the body (positions 9-17) and several check characters.
VALID = [make_uscc(n) for n in (0, 1, 30, 31, 99_999, 10**9, 123_456_789_012)] + [
    "91110000600037341L",  # the example of python-stdnum
    "91360100MA35H1LW8A",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rejection(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        uscc_clean(value)
    return info.value


def test_check_character_agrees_with_stdnum():
    """The import's fast check gives stdnum's check character for every body."""
    import random

    from stdnum.cn import uscc as stdnum_uscc

    rng = random.Random(2026)
    bodies = ["0" * 17, "9" * 8 + "Y" * 9] + [
        "".join(rng.choice("0123456789") for _ in range(8))
        + "".join(rng.choice(ALPHABET) for _ in range(9))
        for _ in range(5000)
    ]
    for body in bodies:
        assert check_character(body) == stdnum_uscc.calc_check_digit(body), body


def test_sample_codes_are_valid():
    assert len(set(VALID)) == len(VALID)
    for code in VALID:
        assert len(code) == 18
        assert uscc_clean(code) == code


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("91360100ma35h1lw8a", "91360100MA35H1LW8A"),
        ("  91360100MA35H1LW8A\t", "91360100MA35H1LW8A"),
        ("9136 0100 MA35 H1LW 8A", "91360100MA35H1LW8A"),
        ("91360100-MA35H1LW8-A", "91360100MA35H1LW8A"),
        ("\n91110000600037341l ", "91110000600037341L"),
        # typed with a Chinese input method: full-width digits, ideographic space
        ("９１３６０１００ma35h1lw8a", "91360100MA35H1LW8A"),
        ("9136\u30000100MA35H1LW8A\u3000", "91360100MA35H1LW8A"),
    ],
)
def test_valid_code_is_canonicalised(raw, canonical):
    assert uscc_clean(raw) == canonical


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_code(value):
    error = rejection(value)
    assert error.code == "required"
    assert "empty" in error.messages[0]


@pytest.mark.parametrize("code", VALID)
def test_too_short_and_too_long(code):
    short = rejection(code[:17])
    assert short.code == "length"
    assert "18 characters" in short.messages[0]
    assert "has 17" in short.messages[0]
    long = rejection(code + "1")
    assert long.code == "length"
    assert "18 characters" in long.messages[0]
    assert "has 19" in long.messages[0]
    assert rejection(code[:10]).messages[0].endswith("has 10.")


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V", "i", "o", "z", "s", "v"])
@pytest.mark.parametrize("position", [8, 12, 17])
def test_forbidden_letters(char, position):
    code = VALID[-1]
    bad = code[:position] + char + code[position + 1 :]
    error = rejection(bad)
    assert error.code == "format"
    assert "I, O, Z, S, V" in error.messages[0]
    assert bad in error.messages[0]


@pytest.mark.parametrize("char", [".", "/", "_", "#", "，", "。", "（", "*", "@", "!"])
def test_punctuation_and_full_width_characters(char):
    code = VALID[-1]
    for position in (3, 10):
        error = rejection(code[:position] + char + code[position + 1 :])
        assert error.code == "format"
        assert "cannot have" in error.messages[0]


@pytest.mark.parametrize("position", range(8))
def test_letter_in_first_eight_positions_is_rejected(position):
    code = make_uscc(42)
    for letter in ("A", "M", "Y"):
        error = rejection(code[:position] + letter + code[position + 1 :])
        assert error.code == "format"


def test_letter_in_first_eight_positions_has_its_own_message():
    code = make_uscc(42)
    bad = "A" + code[1:]
    with_i = code[:12] + "I" + code[13:]
    forbidden = rejection(with_i).messages[0].replace(with_i, "…")
    message = rejection(bad).messages[0]
    assert message.replace(bad, "…") != forbidden
    assert "8" in message


@pytest.mark.parametrize("code", VALID)
def test_every_wrong_check_character(code):
    others = [c for c in ALPHABET if c != code[-1]]
    assert len(others) == 30
    for char in others:
        bad = code[:-1] + char
        error = rejection(bad)
        assert error.code == "checksum", bad
        assert "check digit" in error.messages[0]
        assert bad in error.messages[0]
    # Lower case is canonicalised before the check: a wrong lower-case check letter is
    # a wrong check digit too, not a format error.
    wrong_letter = next(c for c in others if c.isalpha())
    assert rejection(code[:-1] + wrong_letter.lower()).code == "checksum"


@pytest.mark.parametrize("code", VALID)
def test_every_adjacent_transposition_is_caught(code):
    """The weights are distinct modulo 31, so swapping two different neighbours among the
    first 17 characters always changes the check digit."""
    swaps = 0
    for i in range(16):
        if code[i] == code[i + 1]:
            continue
        bad = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        error = rejection(bad)
        if bad[:8].isdigit():
            assert error.code == "checksum", bad
            assert "check digit" in error.messages[0]
        else:  # a letter moved into the first eight positions
            assert error.code == "format", bad
        swaps += 1
    assert swaps >= 5


def test_messages_are_in_chinese_for_officials():
    code = VALID[-1]
    with translation.override("zh-hans"):
        assert "18" in rejection(code[:17]).messages[0]
        assert "校验位" in rejection(code[:-1] + ("0" if code[-1] != "0" else "1")).messages[0]
        assert "I、O、Z、S、V" in rejection(code[:10] + "O" + code[11:]).messages[0]


@pytest.mark.django_db
class TestModel:
    def enterprise(self, city, uscc):
        return Enterprise(uscc=uscc, name="南昌测试制造有限公司", district=city.regions["360121"])

    def test_full_clean_accepts_a_valid_code(self, city):
        self.enterprise(city, VALID[-1]).full_clean()

    @pytest.mark.parametrize(
        ("bad", "fragment"),
        [
            (VALID[-1][:-1] + "Y", "check digit"),
            (VALID[-1][:17], "18 characters"),
            (VALID[-1][:9] + "O" + VALID[-1][10:], "cannot have"),
        ],
    )
    def test_full_clean_rejects_an_invalid_code(self, city, bad, fragment):
        with pytest.raises(ValidationError) as info:
            self.enterprise(city, bad).full_clean()
        assert "uscc" in info.value.error_dict
        assert any(fragment in m for m in info.value.message_dict["uscc"])
