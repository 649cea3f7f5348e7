"""Pre-annotation with the real model: suggestions in, humans never overridden."""
from __future__ import annotations

from annotate.model import DocumentRecord
from annotate.nlp import annotate_texts, load_model, model_id
from annotate.preannotate import chunk_text, preannotate
from annotate.suggestions import Annotated


def _seed(session, seed_text) -> int:
    return session.import_records([DocumentRecord(text=seed_text)]).documents_added[0]


def test_seed_article_gets_model_suggestions(session, seed_text):
    """More than 80 suggestions, Russia, Turkey and Iran among them, with sentence boundaries."""
    doc = _seed(session, seed_text)
    result = preannotate(session)
    ents = session.entities(doc)
    assert result.documents == 1 and result.entities == len(ents) > 80
    assert {"Russia", "Turkey", "Iran"} <= {e.text for e in ents}
    assert all(e.status == "suggested" and e.origin.startswith("model:en_core_web_sm")
               and "@3.8" in e.origin for e in ents)
    assert all(seed_text[e.start:e.end] == e.text for e in ents)
    sentences = session.document(doc).sentences
    assert len(sentences) > 20 and sentences[0][0] == 0
    assert preannotate(session).documents == 0  # nothing left to do
    assert len(session.entities(doc)) == len(ents)


def test_rerunning_never_overrides_resurrects_or_duplicates_human_work(session, seed_text, nlp):
    doc = _seed(session, seed_text)
    preannotate(session)
    ents = session.entities(doc)
    accepted, rejected, relabelled, resized, deleted = ents[:5]
    session.accept_entity(accepted.id)
    session.reject_entity(rejected.id)
    new_label = "ORG" if relabelled.label != "ORG" else "NORP"
    session.relabel_entity(relabelled.id, new_label)
    session.resize_entity(resized.id, resized.start, resized.end + 1)
    session.delete_entity(deleted.id)
    before = {(e.id, e.start, e.end, e.label, e.status) for e in session.entities(doc)}

    # the same model output offered again (e.g. a forced re-run) adds nothing
    (ents_again, sents), = annotate_texts(nlp, [seed_text])
    writer = session.suggestion_writer(model_id(nlp))
    assert writer.write([Annotated(doc, ents_again, sents)]) == 0
    after = {(e.id, e.start, e.end, e.label, e.status) for e in session.entities(doc)}
    assert after == before
    assert (deleted.start, deleted.end) not in {(e.start, e.end) for e in session.entities(doc)}
    assert (resized.start, resized.end) not in {(e.start, e.end) for e in session.entities(doc)}


def test_long_documents_are_chunked_with_exact_offsets(session, seed_text):
    text = (seed_text + "\n\n") * 12  # ~78 kB: more than one chunk
    assert len(chunk_text(text)) > 1
    doc = session.import_records([DocumentRecord(text=text)]).documents_added[0]
    preannotate(session)
    ents = session.entities(doc)
    assert len(ents) > 12 * 80
    assert all(text[e.start:e.end] == e.text for e in ents)
    assert sum(1 for e in ents if e.text == "Iran") >= 12


def test_chunks_cover_the_text_exactly():
    text = "word " * 30_000 + "\n\n" + "x" * 120_000
    pieces = chunk_text(text, limit=10_000)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)


def test_model_is_loaded_once_with_only_the_needed_components():
    nlp = load_model()
    assert load_model() is nlp
    assert nlp.pipe_names == ["tok2vec", "senter", "ner"]


def test_sentences_never_run_across_a_blank_line(session, seed_text):
    """Headlines and bylines are sentences of their own, so evidence stays short."""
    doc = _seed(session, seed_text)
    preannotate(session)
    sentences = session.document(doc).sentences
    assert all("\n\n" not in seed_text[s:e] for s, e in sentences)
    assert seed_text[slice(*sentences[0])] == (
        "Turkey fights alongside Russia and Iran – unthinkable a short while ago")
