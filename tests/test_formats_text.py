"""Plain-text import: encodings, BOMs, binary and empty files, line endings, big files."""
from __future__ import annotations

import codecs

import pytest

from annotate.formats import read_path
from annotate.schema import load_schema

SCHEMA = load_schema()
RUSSIAN = "Москва и Анкара подписали соглашение о поставках С-400.\nВторая строка.\n"


def _one(path, **kwargs):
    (batch,) = list(read_path(path, schema=SCHEMA, **kwargs))
    return batch


def test_utf8_text_becomes_one_document_with_title_and_meta(tmp_path):
    """Title is the first non-empty line; meta names the file and its encoding."""
    path = tmp_path / "моя статья.txt"
    text = "\n  Turkey buys S-400  \nBody\twith tab, NBSP\u00a0and 🎉.\n"
    path.write_text(text, encoding="utf-8")
    (rec,) = _one(path).records
    assert rec.title == "Turkey buys S-400"
    assert rec.text == text
    assert rec.meta == {"file_name": "моя статья.txt", "encoding": "utf-8"}
    assert rec.source == str(path)


def test_cp1251_without_encoding_is_one_clear_error(tmp_path):
    """A cp1251 file is not guessed: the error names the likely encoding and the option."""
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    batch = _one(path)
    assert batch.records == ()
    assert batch.error == "ru.txt: not UTF-8 text (looks like cp1251); pass --encoding cp1251"
    assert "--encoding" in batch.error and "\n" not in batch.error


def test_cp1251_with_encoding_decodes(tmp_path):
    """--encoding cp1251 decodes the same file exactly."""
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    (rec,) = _one(path, encoding="cp1251").records
    assert rec.text == RUSSIAN and rec.meta["encoding"] == "cp1251"


def test_wrong_explicit_encoding_is_an_error(tmp_path):
    """Bytes that the given encoding cannot decode give one line, never mojibake."""
    path = tmp_path / "x.txt"
    path.write_bytes("Привет".encode("cp1251"))
    assert "not valid utf-8" in _one(path, encoding="utf-8").error


@pytest.mark.parametrize("bom, encoding", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
])
def test_boms_are_recognised_and_dropped(tmp_path, bom, encoding):
    """UTF-8 and UTF-16 files with a BOM decode without the BOM character."""
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + "Ankara 🎉\n".encode(encoding))
    (rec,) = _one(path).records
    assert rec.text == "Ankara 🎉\n"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n", "\u00a0\n".encode()])
def test_empty_and_whitespace_files(tmp_path, content):
    path = tmp_path / "e.txt"
    path.write_bytes(content)
    assert _one(path).error == "e.txt: empty file"


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"abc\x00def",
                                     bytes(range(256)) * 4])
def test_binary_files(tmp_path, content):
    path = tmp_path / "image.txt"
    path.write_bytes(content)
    assert _one(path).error == "image.txt: binary file, not text"


def test_crlf_and_lone_cr_become_lf(tmp_path):
    """Line endings are normalised on import (the documented product decision)."""
    path = tmp_path / "win.txt"
    path.write_bytes(b"one\r\ntwo\rthree\n")
    (rec,) = _one(path).records
    assert rec.text == "one\ntwo\nthree\n"


def test_text_that_looks_like_html_is_kept_verbatim(tmp_path):
    path = tmp_path / "h.md"
    path.write_text("<b>bold</b> &amp; <script>x</script>", encoding="utf-8")
    assert _one(path).records[0].text == "<b>bold</b> &amp; <script>x</script>"


def test_large_file_with_very_long_lines(tmp_path):
    """A 20 MB file with 300 KB lines imports whole."""
    line = ("Россия и Турция " * 20_000)[:300_000]
    text = "\n".join([line] * 40)
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 20_000_000
    (rec,) = _one(path).records
    assert len(rec.text) == len(text) and len(rec.title) == 200


def test_recursive_folder_reports_each_file(tmp_path):
    """A folder yields one batch per .txt/.md file, bad files as errors, others ignored."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("B", encoding="utf-8")
    (tmp_path / "sub" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    batches = list(read_path(tmp_path, schema=SCHEMA, recursive=True))
    assert [b.source.name for b in batches] == ["a.txt", "b.md", "empty.txt"]
    assert [b.error for b in batches] == [None, None, "empty.txt: empty file"]


def test_missing_path(tmp_path):
    assert _one(tmp_path / "nope.txt").error.endswith("nope.txt: no such file or folder")


def test_utf16_without_bom_names_the_encoding_to_pass(tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes("Ankara and Moscow".encode("utf-16-le"))
    assert _one(path).error == (
        "u.txt: looks like utf-16-le without a BOM; pass --encoding utf-16-le")
    assert _one(path, encoding="utf-16-le").records[0].text == "Ankara and Moscow"


def test_folder_import_reads_subfolders_only_when_recursive(tmp_path):
    """A folder import takes its own files; subfolders only on request (--recursive)."""
    (tmp_path / "top.txt").write_text("Russia and Turkey.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper.txt").write_text("Iran and Syria.", encoding="utf-8")
    flat = [b.source.name for b in read_path(tmp_path, schema=load_schema())]
    deep = [b.source.name for b in read_path(tmp_path, schema=load_schema(), recursive=True)]
    assert flat == ["top.txt"] and deep == ["top.txt", "deeper.txt"]
