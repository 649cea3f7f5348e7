"""Actions in a long document read only what they need: text slices by byte offsets, packed
sentences, the relations of one pair, and snapping over windows of the text."""
from __future__ import annotations

import random

import pytest
from sqlite_utils import Database

from annotate import edits
from annotate.model import DocumentRecord, EntityRecord, ValidationError
from storage import text_index
from storage.migrations import migrations
from storage.store import Store, StoreError

# every width of UTF-8 sequence, combining marks, CRLF, a control character a text may
# hold (ESC; NUL is refused at import), right-to-left text
ALPHABET = "ab cd\u00e9\u0301\u00a0\r\n\u001b\u05e9\u4e2d\U0001f600\tz."


def random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


@pytest.fixture
def small_stride(monkeypatch):
    """A stride of 7 code points, so short texts cross many offset boundaries."""
    monkeypatch.setattr(text_index, "STRIDE", 7)


def test_slices_read_by_byte_offsets_equal_python_slices(session, small_stride):
    """document_slice returns the text's length and exactly text[start:end], for every
    kind of character and every position, including ends on a stride and past the end."""
    rng = random.Random(1)
    texts = ["a", "abcdefg", "abcdefgh" * 3, random_text(rng, 300), "\U0001f600" * 21]
    ids = session.import_records([DocumentRecord(text=t) for t in texts]).documents_added
    store = session.store
    for doc_id in ids:
        text = store.document_text(doc_id)
        cuts = [(s, e) for s in range(0, len(text) + 2, 3) for e in range(s, len(text) + 9, 5)]
        for start, end in cuts:
            assert store.document_slice(doc_id, start, end) == (len(text), text[start:end])
    assert store.document_slice(9999, 0, 3) is None


def test_a_long_text_is_read_in_part(session):
    """In a long document, a slice comes from the index, not from the whole text."""
    text = ("Ankara “and” Moscow — 🇹🇷 talks. " * 40_000)[:1_000_003]
    doc_id = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    length, stride, offsets = session.store.db.execute(
        "SELECT length, stride, offsets FROM document_index WHERE doc_id = ?", [doc_id]).fetchone()
    assert (length, stride) == (len(text), text_index.STRIDE)
    assert text_index.text_bytes(offsets) == len(text.encode())
    statements: list[str] = []
    session.store.db.conn.set_trace_callback(statements.append)
    try:
        for start in (0, 1023, 1024, 500_000, 999_990):
            assert session.store.document_slice(doc_id, start, start + 13) == (
                len(text), text[start:start + 13])
        assert tuple(session.store.document_sentences(doc_id)) == ()
    finally:
        session.store.db.conn.set_trace_callback(None)
    assert statements and not [s for s in statements if "FROM documents" in s], statements


def test_the_index_follows_every_write_of_a_document(session, small_stride):
    """Import, deleting a document and undoing it, and pre-annotation's sentences all
    leave the index matching the document."""
    text = "Russia and Turkey. 🇷🇺 Erdogan met Putin in Sochi.\r\nThe talks went on."
    doc_id = session.import_records([DocumentRecord(
        text=text, sentences=((0, 18), (19, 52)))]).documents_added[0]
    store = session.store

    def index_matches() -> bool:
        row = store.db.execute("SELECT doc_id, length, stride, offsets, sentences"
                               " FROM document_index WHERE doc_id = ?", [doc_id]).fetchone()
        doc = session.document(doc_id)
        return row == text_index.index_row(doc_id, doc.text, [list(s) for s in doc.sentences])

    assert index_matches() and tuple(store.document_sentences(doc_id)) == ((0, 18), (19, 52))
    session.delete_document(doc_id)
    assert store.db.execute("SELECT count(*) FROM document_index").fetchone()[0] == 0
    session.undo()
    assert index_matches()
    with store.write() as db:
        store.set_sentences(db, doc_id, [(0, 18), (19, 52), (54, len(text))])
    assert index_matches() and len(store.document_sentences(doc_id)) == 3
    session.set_document_status(doc_id, "done")
    assert index_matches()


def test_a_missing_or_stale_index_falls_back_to_the_stored_text(session):
    """The index is derived data: a reader that finds it missing or not fitting the text
    reads the text itself and still answers right."""
    text = "Ünïcödé text about Ankara and Moscow."
    doc_id = session.import_records([DocumentRecord(text=text, sentences=((0, 10),))]
                                    ).documents_added[0]
    store = session.store
    with store.write() as db:
        db.execute("UPDATE document_index SET offsets = ? WHERE doc_id = ?",
                   [text_index.text_offsets("x" * len(text), 4), doc_id])
    assert store.document_slice(doc_id, 3, 9) == (len(text), text[3:9])
    with store.write() as db:
        db.execute("DELETE FROM document_index")
    assert store.document_slice(doc_id, 3, 9) == (len(text), text[3:9])
    assert tuple(store.document_sentences(doc_id)) == ((0, 10),)


OLD_TEXT = "Old text — with “quotes” and 🇹🇷."


def _store_before_the_index(path, *, odd: bool = False) -> None:  # type: ignore[no-untyped-def]
    """A store of the schema before m005 holding OLD_TEXT (id 1) and, with `odd`, a
    document whose sentences cannot be packed (id 2)."""
    db = Database(path)
    migrations.apply(db, stop_before="m005_document_index")
    db.execute("INSERT INTO documents (id, title, text, content_hash, sentences, created_at,"
               " updated_at) VALUES (1, 'Old', ?, 'h', '[[0, 8], [9, 33]]', 'now', 'now')",
               [OLD_TEXT])
    if odd:
        db.execute("INSERT INTO documents (id, title, text, content_hash, sentences,"
                   " created_at, updated_at) VALUES (2, 'Odd', 'abc', 'h2', '[[0, 1.5]]',"
                   " 'now', 'now')")
    db.conn.commit()
    db.close()


def test_an_older_store_gains_the_index_of_its_documents(tmp_path):
    """Opening a store made before the index builds it for the documents it holds."""
    path = tmp_path / "old.db"
    _store_before_the_index(path, odd=True)
    text = OLD_TEXT
    with Store(path) as store:
        assert store.document_slice(1, 9, 13) == (len(text), text[9:13])
        assert tuple(store.document_sentences(1)) == ((0, 8), (9, 33))
        assert store.document_sentences(2) == ((0, 1),)  # not packable: read as before


def test_snapping_over_windows_equals_snapping_the_whole_text():
    """Snapping reads a window around the selection and widens it while a word runs past
    its edge: the span is the one snapping the whole text gives."""
    rng = random.Random(5)
    for _ in range(400):
        words = [rng.choice(["a", "Ankara", "x" * rng.randint(60, 700), "  ", "\n", "é𝔘"])
                 for _ in range(rng.randint(1, 12))]
        text = " ".join(words)
        start, end = rng.randint(-3, len(text) + 3), rng.randint(-3, len(text) + 3)

        def read(margin: int) -> edits.TextWindow:
            lo, hi = max(0, min(start, end) - margin), max(0, start, end) + margin
            return edits.TextWindow(1, len(text), min(lo, len(text)), text[lo:hi])

        window, s, e = edits.snap_in_windows(read, start, end)
        assert (s, e) == edits.snap_to_tokens(text, start, end)
        assert window.cut(s, e) == text[s:e]


def test_snap_at_the_end_of_the_text_is_an_empty_span_not_a_crash(session):
    """A caret after the last word snaps to nothing, which is refused as empty."""
    doc_id = session.import_records([DocumentRecord(text="Russia")]).documents_added[0]
    assert edits.snap_to_tokens("Russia", 6, 6) == (6, 6)
    with pytest.raises(ValidationError, match="outside the text .* or empty"):
        session.add_entity(doc_id, 6, 6, "GPE", snap=True)


def test_relation_actions_in_a_long_document_use_stored_sentences_and_pair_checks(session):
    """Evidence comes from the packed sentences exactly as from the decoded ones, and the
    duplicate checks of add, edit and swap still see the pair's relations."""
    rng = random.Random(3)
    sentences, text = [], ""
    for n in range(3000):
        sentence = f"Leader {n} of Turkey met Putin in {rng.choice(['Sochi', 'Ankara'])}. "
        sentences.append((len(text), len(text) + len(sentence) - 1))
        text += sentence
    ents = tuple(EntityRecord(m, m + 6, "GPE") for m in
                 (text.index("Turkey", s) for s, _ in sentences[::300]))
    doc_id = session.import_records([DocumentRecord(
        text=text, sentences=tuple(sentences), entities=ents)]).documents_added[0]
    first, second, third = (e.id for e in session.entities(doc_id)[3:6])
    rel = session.relation(session.add_relation(first, third, "ALLY_OF").relations[0])
    head, tail = session.entity(first), session.entity(third)
    assert (rel.evidence_start, rel.evidence_end) == edits.evidence_for(
        tuple(sentences), head.start, tail.end, lambda: text)
    with pytest.raises(ValidationError, match="already exists"):
        session.add_relation(third, first, "ALLY_OF")  # symmetric: the same pair
    opposes = session.add_relation(first, second, "OPPOSES").relations[0]
    session.add_relation(second, first, "OPPOSES")  # directed: the other way is new
    with pytest.raises(ValidationError, match="already exists"):
        session.swap_relation(opposes)
    relabelled = session.add_relation(third, first, "SUPPORTS").relations[0]
    with pytest.raises(ValidationError, match="already exists"):
        session.edit_relation(relabelled, label="ALLY_OF")


def test_a_read_only_store_without_the_index_still_opens(tmp_path):
    """The index is derived data: a read-only store made before it opens, reads whole
    texts and sentences instead, and is left as it was."""
    path = tmp_path / "old.db"
    _store_before_the_index(path)
    text = OLD_TEXT
    before = path.read_bytes()
    with Store(path, read_only=True) as store:
        assert store.document_slice(1, 9, 13) == (len(text), text[9:13])
        assert tuple(store.document_sentences(1)) == ((0, 8), (9, 33))
        assert store.document_slice(2, 0, 1) is None
    assert path.read_bytes() == before
    older = tmp_path / "older.db"
    migrations.apply(Database(older), stop_before="m004_full_text_search")
    with pytest.raises(StoreError, match="needs an upgrade but is read-only"):
        Store(older, read_only=True)
