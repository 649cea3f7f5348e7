"""Bad and awkward input files, through the command line and the window's import_path.

Each bad file gives one clear line (no traceback) and leaves the store as it was; each
good file goes in exactly; a folder mixing both imports the good ones, reports every bad
one and exits 1."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.corpus_io import export_path, import_path
from annotate.session import Session
from storage.store import Store
from tests.conftest import ROOT, SEED

RUSSIAN = "Москва и Анкара подписали соглашение о поставках С-400.\nВторая строка.\n"
FRENCH = "Café à Zürich : l'Élysée reçoit Erdogan, naïveté, « Ångström » et 3 °C.\n"
GOOD_RECORD = {"text": "Russia and Turkey.", "spans": [{"start": 0, "end": 6, "label": "GPE"}]}


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)


def dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.fixture
def seeded_db(tmp_path) -> Path:
    db = tmp_path / "s.db"
    with Store(db) as store:
        import_path(Session(store), SEED)
    return db


# --- bad files: one line, exit 1, store unchanged ---------------------------------------------

BAD_FILES = {
    "cp1251.txt": (RUSSIAN.encode("cp1251"), "--encoding cp1251"),
    "latin1.txt": (FRENCH.encode("latin-1"), "--encoding"),
    "empty.txt": (b"", "empty file"),
    "blank.txt": ("  \n\t\n \r\n\u00a0\u3000  ".encode(), "empty file"),
    "binary.txt": (bytes(range(256)) * 40, "binary file"),
    "nul.txt": (b"Russia and Turkey\x00\x00\x00 signed.", "binary file"),
    "utf16-no-bom.txt": ("Russia and Turkey.\n".encode("utf-16-le"), "--encoding"),
    "bad-line.jsonl": ((json.dumps(GOOD_RECORD) + "\n{oops\n").encode(), "bad-line.jsonl:2"),
    "out-of-range.jsonl": (json.dumps({"text": "Short.", "spans": [
        {"start": 2, "end": 60, "label": "GPE"}]}).encode(), "beyond the text"),
    # a label the schema lacks joins it (see test_formats_prodigy); one that is no label fails
    "unknown-label.jsonl": (json.dumps({"text": "Short.", "spans": [
        {"start": 0, "end": 5, "label": ["NOT_A_LABEL"]}]}).encode(), "NOT_A_LABEL"),
    "surrogate.jsonl": (b'{"text": "Russia \\ud800 and Turkey."}\n', "lone surrogate"),
    "cp1251.jsonl": (json.dumps({"text": RUSSIAN}, ensure_ascii=False).encode("cp1251"),
                     "--encoding"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_on_the_command_line_is_one_line_and_changes_nothing(tmp_path, seeded_db, name):
    data, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = dump(seeded_db)
    result = run("import", "--db", str(seeded_db), str(path))
    lines = error_lines(result)
    assert result.returncode == 1
    assert len(lines) == 1 and lines[0].startswith(f"arcmark: {name}") and expected in lines[0]
    assert "0 files imported, 1 failed" in result.stdout
    assert dump(seeded_db) == before


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_through_import_path_is_reported_not_raised(tmp_path, session, name):
    """The window's path: the report holds one error line; nothing is stored."""
    data, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    report = import_path(session, path)
    assert report.files_ok == [] and len(report.errors) == 1
    assert expected in report.errors[0] and "\n" not in report.errors[0]
    assert session.store.document_ids() == [] and session.store.rows("entities") == []


def test_deeply_nested_json_is_one_line(tmp_path, session):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    report = import_path(session, path)
    assert len(report.errors) == 1 and "deep.jsonl" in report.errors[0]


def test_named_encodings_decode_what_detection_refuses(tmp_path, session):
    """--encoding cp1251 / latin-1 decodes exactly the text that was refused without it."""
    for name, text, encoding in (("ru.txt", RUSSIAN, "cp1251"), ("fr.txt", FRENCH, "latin-1")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        report = import_path(session, path, encoding=encoding)
        assert report.errors == [] and len(report.result.documents_added) == 1
        doc = session.document(report.result.documents_added[0])
        assert doc.text == text and doc.meta["encoding"] == encoding


def test_a_wrong_named_encoding_is_one_line(tmp_path, seeded_db):
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    cases = (("utf-16", "not valid utf-16"), ("no-such-codec", "unknown encoding"))
    for encoding, expected in cases:
        before = dump(seeded_db)
        result = run("import", "--db", str(seeded_db), "--encoding", encoding, str(path))
        lines = error_lines(result)
        assert result.returncode == 1 and len(lines) == 1 and expected in lines[0]
        assert dump(seeded_db) == before


# --- awkward but good files: stored exactly ----------------------------------------------------

GOOD_FILES = {
    "bom-utf8.txt": (b"\xef\xbb\xbfRussia and Turkey.\n", "Russia and Turkey.\n"),
    "bom-utf16le.txt": ("Россия и Турция.\n".encode("utf-16"), "Россия и Турция.\n"),
    "bom-utf16be.txt": (b"\xfe\xff" + "Türkiye 🇹🇷.\n".encode("utf-16-be"), "Türkiye 🇹🇷.\n"),
    "crlf.txt": (b"Line one.\r\nLine two.\r\n\r\nOld Mac\rend.",
                 "Line one.\nLine two.\n\nOld Mac\nend."),
    "tabs-nbsp.txt": ("A\tB\u00a0C\u2009D\u200bE\n".encode(), "A\tB\u00a0C\u2009D\u200bE\n"),
    "html.md": (b"<script>alert(1)</script> <img src=x onerror=alert(2)> <b>Turkey</b> &amp;\n",
                "<script>alert(1)</script> <img src=x onerror=alert(2)> <b>Turkey</b> &amp;\n"),
    "bom.jsonl": (b"\xef\xbb\xbf" + json.dumps(GOOD_RECORD).encode() + b"\r\n",
                  GOOD_RECORD["text"]),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_awkward_good_files_are_stored_exactly(tmp_path, session, name):
    data, text = GOOD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    report = import_path(session, path)
    assert report.errors == [] and report.files_ok == [str(path)]
    (doc_id,) = report.result.documents_added
    assert session.document(doc_id).text == text


def test_good_files_on_the_command_line(tmp_path):
    db = tmp_path / "s.db"
    paths = []
    for name, (data, _) in GOOD_FILES.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    result = run("import", "--db", str(db), *map(str, paths))
    assert result.returncode == 0 and error_lines(result) == []
    with Store(db) as store:
        texts = sorted(store.document_text(i) for i in store.document_ids())
    assert texts == sorted(text for _, text in GOOD_FILES.values())


def test_names_with_spaces_quotes_and_non_latin_letters(tmp_path):
    """The file name is kept in the document's meta and source; the brat export reuses it."""
    folder = tmp_path / "папка с новостями"
    folder.mkdir()
    names = ["Новости дня (копия).txt", "it's \"quoted\" & more.txt", "ملف عربي.md",
             "  leading and trailing  .txt"]
    for n, name in enumerate(names):
        (folder / name).write_text(f"Document {n}: Russia and Turkey.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    result = run("import", "--db", str(db), str(folder / names[0]), str(folder))
    assert result.returncode == 0 and error_lines(result) == []
    with Store(db) as store:
        session = Session(store)
        docs = [session.document(i) for i in store.document_ids()]
        assert sorted(d.meta["file_name"] for d in docs) == sorted(names)
        assert all(Path(d.source).parent == folder for d in docs)
        report = export_path(session, "brat", tmp_path / "brat out")
    assert report.documents == 4
    stems = {p.stem for p in (tmp_path / "brat out").glob("*.txt")}
    assert "Новости дня (копия)" in stems and "ملف عربي" in stems and len(stems) == 4


def test_a_20_mb_file_imports_whole_with_bounded_memory(tmp_path):
    """A 20 MB text file is one document, stored exactly; the import's peak memory stays
    within a small multiple of the file (no hang: the subprocess has a timeout)."""
    path = tmp_path / "big news.txt"
    line = "Turkey bought S-400 missiles from Russia; Iran watched the deal — 🇹🇷 ✓\n"
    count = 20_000_000 // len(line.encode()) + 1
    path.write_text(line * count, encoding="utf-8")
    size = path.stat().st_size
    assert size >= 20_000_000
    db = tmp_path / "s.db"
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
             "sys.exit(r.returncode)")
    result = subprocess.run([sys.executable, "-c", probe, sys.executable, str(ROOT / "main.py"),
                             "import", "--db", str(db), str(path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    peak_kb = int(result.stdout.split()[-1])
    assert peak_kb * 1024 < 20 * size, f"peak {peak_kb >> 10} MB for a {size >> 20} MB file"
    with Store(db) as store:
        (doc_id,) = store.document_ids()
        text = store.document_text(doc_id)
    assert hashlib.sha256(text.encode()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_a_300_kb_line_imports_annotates_and_exports_with_exact_offsets(tmp_path, session):
    words = ["Ankara", "signed", "🇹🇷", "with", "Moscow", "e\u0301", "and", "Tehran"]
    text = " ".join(words[i % len(words)] for i in range(50_000))
    assert len(text.encode()) > 300_000 and "\n" not in text
    path = tmp_path / "one line.txt"
    path.write_text(text, encoding="utf-8")
    (doc_id,) = import_path(session, path).result.documents_added
    start = text.rindex("Tehran")
    session.add_entity(doc_id, start, start + 6, "GPE")
    session.add_entity(doc_id, 0, 6, "GPE")
    export_path(session, "jsonl", tmp_path / "out.jsonl")
    (record,) = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert record["text"] == text
    assert sorted(text[s["start"]:s["end"]] for s in record["spans"]) == ["Ankara", "Tehran"]
    export_path(session, "brat", tmp_path / "brat")
    (ann,) = (tmp_path / "brat").glob("*.ann")
    exported = (tmp_path / "brat" / f"{ann.stem}.txt").read_text(encoding="utf-8")
    for line in ann.read_text(encoding="utf-8").splitlines():
        _, spec, covered = line.split("\t")
        _, s, e = spec.split()
        assert exported[int(s):int(e)] == covered


# --- a folder mixing good and bad files -------------------------------------------------------


def mixed_folder(root: Path) -> tuple[Path, set[str], set[str]]:
    folder = root / "inbox 2017"
    (folder / "more").mkdir(parents=True)
    good = {
        "a good.txt": "Russia and Turkey met.\n".encode(),
        "b.md": "# Iran\n\nIran met Turkey in Astana.\n".encode(),
        "c-bom16.txt": "Erdoğan spoke.\n".encode("utf-16"),
        "d.jsonl": (json.dumps(GOOD_RECORD) + "\n").encode(),
        "more/e.txt": "Nested folder document.\n".encode(),
    }
    bad = {
        "f-cp1251.txt": RUSSIAN.encode("cp1251"),
        "g-empty.txt": b"",
        "h-binary.txt": bytes(range(256)),
        "i.jsonl": (json.dumps({"text": "Turkey and Iran.", "spans": []}) + "\n{broken\n").encode(),
        "more/j-blank.md": b"\n\n   \n",
    }
    for name, data in {**good, **bad}.items():
        (folder / name).write_bytes(data)
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    return folder, set(good), set(bad)


def test_mixed_folder_on_the_command_line(tmp_path):
    folder, good, bad = mixed_folder(tmp_path)
    db = tmp_path / "s.db"
    result = run("import", "--db", str(db), "--recursive", str(folder))
    assert result.returncode == 1
    lines = error_lines(result)
    assert len(lines) == len(bad) and all(line.startswith("arcmark: ") for line in lines)
    reported = {Path(name).name for name in bad}
    assert {line.split()[1].split(":")[0] for line in lines} == reported
    assert f"{len(good)} files imported, {len(bad)} failed" in result.stdout
    with Store(db) as store:
        sources = {Path(store.row("documents", i)["source"]).relative_to(folder).as_posix()
                   for i in store.document_ids() if store.row("documents", i)["source"]}
        texts = {store.document_text(i) for i in store.document_ids()}
    assert sources == good - {"d.jsonl"}
    assert GOOD_RECORD["text"] in texts and "Turkey and Iran." not in texts


def test_mixed_folder_through_import_path(tmp_path, session):
    """The window's path: good files in, one error per bad file, progress for each file."""
    folder, good, bad = mixed_folder(tmp_path)
    seen: list[str] = []
    report = import_path(session, folder, recursive=True,
                         progress=lambda n, source: seen.append(source))
    assert {Path(p).relative_to(folder).as_posix() for p in report.files_ok} == good
    assert len(report.errors) == len(bad)
    assert len(seen) == len(good) + len(bad)
    assert len(session.documents()) == len(good)
    assert all("\n" not in e for e in report.errors)


# --- brat collections with bad annotations ------------------------------------------------------


def test_brat_folder_with_bad_annotations_imports_the_good_documents(tmp_path, session):
    """Out-of-range, reversed, non-numeric offsets and dangling relations each fail their own
    document with one line naming the .ann line; the good document goes in."""
    folder = tmp_path / "brat"
    folder.mkdir()
    text = "Russia and Turkey.\n"
    anns = {
        "good": "T1\tGPE 0 6\tRussia\nT2\tGPE 11 17\tTurkey\nR1\tALLY_OF Arg1:T1 Arg2:T2\t\n",
        "range": "T1\tGPE 0 60\tRussia\n",
        "reversed": "T1\tGPE 6 0\tRussia\n",
        "words": "T1\tGPE x y\tRussia\n",
        "dangling": "T1\tGPE 0 6\tRussia\nR1\tALLY_OF Arg1:T1 Arg2:T9\t\n",
        "mismatch": "T1\tGPE 0 6\tMoscow\n",
    }
    for name, ann in anns.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    report = import_path(session, folder)
    assert [Path(p).stem for p in report.files_ok] == ["good"]
    assert sorted(e.split(":")[0] for e in report.errors) == sorted(
        f"{name}.ann" for name in anns if name != "good")
    (doc,) = session.store.document_ids()
    assert [e.text for e in session.entities(doc)] == ["Russia", "Turkey"]
    assert len(session.relations(doc)) == 1


# --- exports to places that cannot be written ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "brat", "csv", "spacy", "conll", "graphml"])
def test_export_under_a_file_is_one_line_and_leaves_nothing(tmp_path, seeded_db, fmt):
    blocker = tmp_path / "not a folder"
    blocker.write_text("x", encoding="utf-8")
    result = run("export", "--db", str(seeded_db), "--format", fmt,
                 "--out", str(blocker / "out"))
    lines = error_lines(result)
    assert result.returncode == 1 and len(lines) == 1
    assert "cannot write the export" in lines[0] and "is a file, not a folder" in lines[0]
    assert blocker.read_text(encoding="utf-8") == "x"


def test_export_to_a_folder_that_cannot_hold_files_is_one_line(tmp_path, session):
    """/proc refuses new files even to root: the ArcmarkError names the problem."""
    from annotate.model import ArcmarkError

    import_path(session, SEED)
    with pytest.raises(ArcmarkError, match="cannot write the export"):
        export_path(session, "jsonl", Path("/proc/arcmark-export.jsonl"))
