"""Corpus search: the FTS query language, results, staying current with every edit, filters, CLI."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import main
from annotate.corpus_io import import_path
from annotate.model import ArcmarkError, DocumentRecord, EntityRecord, RelationRecord
from annotate.search import (
    DocumentFilter, SearchError, first_match, fts_query, match_ranges, matching_documents,
    search,
)
from storage import search as store_search
from storage.store import Store
from tests.conftest import ROOT

EXAMPLE = ROOT / "seeds" / "example" / "worked-example.jsonl"


@pytest.fixture
def corpus(session):
    """Three small documents: Moscow is SAME_AS Russia in the first, alone in the third."""
    records = [
        DocumentRecord(title="Ankara buys", text="Turkey buys the S-400 from Russia. Moscow agreed.",
                       entities=(EntityRecord(0, 6, "GPE"), EntityRecord(16, 21, "PRODUCT"),
                                 EntityRecord(27, 33, "GPE"), EntityRecord(35, 41, "GPE")),
                       relations=(RelationRecord(0, 2, "BUYS_FROM", note="first batch"),
                                  RelationRecord(2, 3, "SAME_AS", False))),
        DocumentRecord(title="Tehran talks", text="Iran and Turkey met in Astana.",
                       entities=(EntityRecord(0, 4, "GPE"), EntityRecord(9, 15, "GPE")),
                       relations=(RelationRecord(0, 1, "MEETS_WITH", False),)),
        DocumentRecord(title="Kremlin", text="Moscow said nothing about alliances.",
                       entities=(EntityRecord(0, 6, "GPE"),)),
    ]
    result = session.import_records(records)
    return session, result.documents_added


def test_fts_query_quotes_words_keeps_operators_and_prefixes():
    assert fts_query("Turkey S-400") == '"Turkey" "S-400"'
    assert fts_query('"joint operation" OR al-Bab') == '"joint operation" OR "al-Bab"'
    assert fts_query("tur* NOT") == '"tur"*'
    assert fts_query('OR AND " - ') == ""
    assert fts_query('say "hi') == '"say" "hi"'


def test_search_finds_text_entities_and_relations_grouped_by_document(corpus):
    session, ids = corpus
    results = search(session, "S-400")
    assert [d.doc_id for d in results.documents] == [ids[0]]
    kinds = [(h.kind, h.label) for h in results.documents[0].hits]
    assert kinds == [("text", ""), ("entity", "PRODUCT")]
    plain, ranges = match_ranges(results.documents[0].hits[0].summary)
    assert [plain[s:e] for s, e in ranges] == ["S-400"]
    by_note = search(session, "batch").documents[0].hits
    assert [(h.kind, h.label, h.summary) for h in by_note] == [
        ("relation", "BUYS_FROM", "Turkey → Russia · first batch")]
    assert {d.doc_id for d in search(session, "Turkey").documents} == {ids[0], ids[1]}
    assert [d.doc_id for d in search(session, "Tehran").documents] == [ids[1]]  # the title
    assert [d.doc_id for d in search(session, "alliance").documents] == [ids[2]]  # stemmed


def test_first_match_gives_code_point_offsets_past_emoji(session):
    text = "🇹🇷 Türkiye 🙂 signs with Rosoboronexport for the S-400."
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    start, end = first_match(session, doc, "s-400")
    assert text[start:end] == "S-400"
    start, end = first_match(session, doc, "turkiye")  # diacritics folded
    assert text[start:end] == "Türkiye"
    assert first_match(session, doc, "Iran") is None


def test_fts_stays_current_after_every_edit_and_undo(corpus):
    """Triggers keep the index in step inside each write transaction, undo included."""
    session, ids = corpus

    def entity_docs(q):
        return {d.doc_id for d in search(session, q).documents
                if any(h.kind == "entity" for h in d.hits)}

    def relation_hits(q):
        return [h for d in search(session, q).documents for h in d.hits if h.kind == "relation"]

    added = session.add_entity(ids[1], 23, 29, "GPE").entities[0]  # Astana
    assert entity_docs("Astana") == {ids[1]}
    session.relabel_entity(added, "LOC")
    assert [h.label for d in search(session, "Astana").documents for h in d.hits
            if h.kind == "entity"] == ["LOC"]
    assert entity_docs("LOC") == {ids[1]}
    session.undo()
    assert entity_docs("LOC") == set() and entity_docs("GPE Astana") == {ids[1]}
    session.delete_entity(added)
    assert entity_docs("Astana") == set()
    session.undo()
    assert entity_docs("Astana") == {ids[1]}

    iran, turkey = (e.id for e in session.entities(ids[1])[:2])
    rel = session.add_relation(iran, turkey, "ALLY_OF", note="guarantors in Astana").relations[0]
    assert [h.row_id for h in relation_hits("guarantors")] == [rel]
    session.edit_relation(rel, note="co-sponsors")
    assert relation_hits("guarantors") == [] and len(relation_hits("sponsors")) == 1
    session.delete_relation(rel)
    assert relation_hits("sponsors") == []
    session.undo()
    assert [h.row_id for h in relation_hits("sponsors")] == [rel]
    session.delete_document(ids[1])
    assert search(session, "Astana").documents == ()
    session.undo()
    assert [d.doc_id for d in search(session, "Astana").documents] == [ids[1]]
    assert session.store.db.execute(
        "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')") is not None


def test_a_rolled_back_write_leaves_the_index_as_it_was(corpus):
    session, ids = corpus
    with pytest.raises(RuntimeError), session.store.write() as db:
        db.conn.execute("UPDATE entities SET text = 'Zanzibar' WHERE doc_id = ?", [ids[2]])
        assert store_search.search_entities(session.store, '"Zanzibar"')
        raise RuntimeError("crash mid-action")
    assert store_search.search_entities(session.store, '"Zanzibar"') == []
    assert store_search.search_entities(session.store, '"Moscow"')


def test_status_change_does_not_reindex_the_text(corpus):
    """The document trigger fires only when the title or text change."""
    session, ids = corpus
    before = session.store.db.execute("SELECT total_changes()").fetchone()[0]
    session.set_document_status(ids[0], "done")
    changes = session.store.db.execute("SELECT total_changes()").fetchone()[0] - before
    assert changes <= 2  # the document row and its history row, no FTS rows


def test_filters_by_entity_same_as_group_label_relation_label_annotator(corpus):
    session, ids = corpus
    assert matching_documents(session, DocumentFilter()) is None
    # Moscow is Russia's SAME_AS in the first document, so Russia's group reaches the third
    assert matching_documents(session, DocumentFilter(entity="Russia")) == {ids[0], ids[2]}
    assert matching_documents(session, DocumentFilter(entity="iran")) == {ids[1]}
    assert matching_documents(session, DocumentFilter(entity_label="PRODUCT")) == {ids[0]}
    assert matching_documents(session, DocumentFilter(relation_label="MEETS_WITH")) == {ids[1]}
    assert matching_documents(session, DocumentFilter(entity="Turkey",
                                                      relation_label="BUYS_FROM")) == {ids[0]}
    session.add_entity(ids[2], 26, 35, "NORP")
    assert matching_documents(session, DocumentFilter(annotator="tester")) == set(ids)
    assert matching_documents(session, DocumentFilter(annotator="nobody")) == set()


def test_malformed_query_is_a_clear_error(corpus):
    session, _ = corpus
    with pytest.raises(store_search.SearchQueryError):
        store_search.search_documents(session.store, 'NEAR("a" AND')
    assert search(session, "(").documents == ()  # nothing searchable, not an error
    assert fts_query("a NOT NOT b") == '"a" NOT "b"'
    assert issubclass(SearchError, ArcmarkError)  # shown as one line, like other user errors


def test_an_older_store_gains_the_index_with_its_documents(tmp_path):
    from sqlite_utils import Database

    from storage.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m004_full_text_search")
    db.execute("INSERT INTO documents (id, title, text, content_hash, created_at, updated_at)"
               " VALUES (1, 'Old', 'Iran and Turkey', 'h', 'x', 'x')")
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert [r["id"] for r in store_search.search_documents(store, '"Iran"')] == [1]


def test_cli_search_prints_matches_and_json(tmp_path, session):
    db = tmp_path / "cli.db"
    runner = CliRunner()
    assert runner.invoke(main.cli, ["import", "--db", str(db), str(EXAMPLE)]).exit_code == 0
    out = runner.invoke(main.cli, ["search", "--db", str(db), "S-400"])
    assert out.exit_code == 0 and "[S-400]" in out.output and "1 document found" in out.output
    out = runner.invoke(main.cli, ["search", "--db", str(db), "--json", "--limit", "5", "Erdogan"])
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert rows[0]["title"].startswith("Turkey fights") and rows[0]["hits"][0]["kind"] == "text"
    missing = runner.invoke(main.cli, ["search", "--db", str(tmp_path / "none.db"), "x"])
    assert missing.exit_code == 1 and not (tmp_path / "none.db").exists()


def test_worked_example_search_for_the_s400(session):
    import_path(session, EXAMPLE)
    doc = search(session, "S-400").documents[0]
    start, end = first_match(session, doc.doc_id, "S-400")
    assert session.document(doc.doc_id).text[start:end] == "S-400"
