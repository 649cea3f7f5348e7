"""Code points <-> QTextDocument positions: the one conversion, checked against Qt itself."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QPlainTextEdit  # noqa: E402

from ui.document.offsets import OffsetMap  # noqa: E402

PARAGRAPH = "\u2029"
# what setPlainText stores for each character that it does not keep as is
SEPARATORS = {"\n": PARAGRAPH, "\r": PARAGRAPH, PARAGRAPH: PARAGRAPH}


def _qt_document(text: str):
    edit = QPlainTextEdit()
    edit.setPlainText(text)
    return edit, edit.document()


def _qt_between(document, start: int, end: int) -> str:
    """The text Qt holds between two positions, separators normalised to "\\n"."""
    cursor = QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace(PARAGRAPH, "\n").replace("\u2028", "\n")


def _normalise(text: str) -> str:
    return (text.replace("\r\n", "\n").replace("\r", "\n").replace(PARAGRAPH, "\n")
            .replace("\u2028", "\n"))


def _expected_qt_char(text: str, i: int) -> str:
    """The UTF-16 unit Qt should hold at the position of code point i."""
    ch = text[i]
    if ord(ch) > 0xFFFF:
        return ch.encode("utf-16-le")[:2].decode("utf-16-le", "surrogatepass")
    return SEPARATORS.get(ch, ch)


CASES = {
    "emoji first": "😀 Vladimir Putin met 🇹🇷 Erdogan",
    "crlf": "Line one\r\nVladimir Putin\r\n\r\nend",
    "lone cr and mixed": "a\rb\n\rVladimir Putin\r\r\nz",
    "tabs and nbsp": "\tVladimir\u00a0Putin\tsaid",
    "combining": "Cafe\u0301 Vladimir Putin Zoe\u0308",
    "rtl": "\u0641\u0644\u0627\u062f\u064a\u0645\u064a\u0631 Vladimir Putin "
           "\u05e9\u05dc\u05d5\u05dd",
    "zero width": "\u200b\u200dVladimir Putin\ufeff\u200c!",
    "separators": "a\u2028Vladimir Putin\u2029b\fc\vd\x85e",
    "astral run": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Vladimir Putin 𝔘",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_highlight_range_matches_qt_text(qtbot, text):
    """Converting "Vladimir Putin"'s code-point range selects exactly it in Qt's document."""
    edit, document = _qt_document(text)
    qtbot.addWidget(edit)
    start = text.index("Vladimir")
    end = text.index("Putin") + len("Putin")
    offsets = OffsetMap(text)
    got = _qt_between(document, offsets.to_qt(start), offsets.to_qt(end))
    assert got == _normalise(text[start:end])
    assert offsets.to_cp(offsets.to_qt(start)) == start
    assert offsets.to_cp(offsets.to_qt(end)) == end


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_every_character_lands_on_its_qt_position(qtbot, text):
    """Each code point maps to the position where Qt stores that character."""
    edit, document = _qt_document(text)
    qtbot.addWidget(edit)
    offsets = OffsetMap(text)
    assert offsets.qt_length == document.characterCount() - 1
    for i in range(len(text)):
        assert document.characterAt(offsets.to_qt(i)) == _expected_qt_char(text, i), (i, text[i])


def test_crlf_pair_is_one_position():
    """The "\\n" of a CRLF shares its separator; the offset after the pair follows it."""
    offsets = OffsetMap("ab\r\ncd")
    assert [offsets.to_qt(i) for i in range(7)] == [0, 1, 2, 2, 3, 4, 5]
    assert [offsets.to_cp(q) for q in range(6)] == [0, 1, 2, 4, 5, 6]


def test_surrogate_middle_rounds_down():
    """A Qt position inside an emoji's surrogate pair belongs to that emoji."""
    offsets = OffsetMap("😀 x")
    assert [offsets.to_qt(i) for i in range(4)] == [0, 2, 3, 4]
    assert [offsets.to_cp(q) for q in range(5)] == [0, 0, 1, 2, 3]


def test_plain_text_is_identity_and_clamped():
    """A BMP text without CRLF maps to itself; offsets outside the text clamp."""
    offsets = OffsetMap("hello\nworld é")
    assert offsets.is_identity
    assert offsets.to_qt(5) == 5 and offsets.to_cp(7) == 7
    assert offsets.to_qt(-3) == 0 and offsets.to_qt(99) == 13
    assert offsets.to_cp(99) == 13
    assert offsets.to_qt_many([0, 2]) == [0, 2] and offsets.to_cp_many([3]) == [3]


def test_large_text_builds_cheaply():
    """A 1 MB text with a few emoji and CRLFs records only those jumps."""
    text = ("word " * 2000 + "\r\n") * 100 + "😀" + "tail"
    offsets = OffsetMap(text)
    assert offsets.to_qt(len(text)) == len(text) - 100 + 1
    assert offsets.to_cp(offsets.to_qt(len(text) - 2)) == len(text) - 2


_characters = st.characters(blacklist_categories=("Cs",))
_texts = st.lists(st.one_of(_characters, st.sampled_from(
    ["\r\n", "\r", "\n", "😀", "\u2028", "\u2029", "\t", "\u00a0", "e\u0301", "\U0001d518"])),
    max_size=40).map("".join)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_texts)
def test_round_trip_against_qt(qtbot, text):
    """Any text: cp -> qt -> cp is exact (but for a CRLF's "\\n"); Qt holds text[i] at to_qt(i)."""
    edit, document = _qt_document(text)
    offsets = OffsetMap(text)
    assert offsets.qt_length == document.characterCount() - 1
    for i in range(len(text) + 1):
        back = offsets.to_cp(offsets.to_qt(i))
        if i < len(text) and text[i] == "\n" and i and text[i - 1] == "\r":
            assert back == i - 1
        else:
            assert back == i
        if i < len(text):
            assert document.characterAt(offsets.to_qt(i)) == _expected_qt_char(text, i)
    edit.deleteLater()
