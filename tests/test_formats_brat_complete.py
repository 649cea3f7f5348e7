"""brat, complete: the annotation.conf forms brat accepts, degenerate sets, note types,
events and normalizations through a real store and back, line for line."""
from __future__ import annotations

from annotate.corpus_io import export_path, import_path

CONF = """[spans]
Protein
Entity
[relations]
Equiv	Arg1:Protein, Arg2:Protein, <REL-TYPE>:symmetric-transitive
Equiv	Arg1:Entity, Arg2:Entity, <REL-TYPE>:symmetric-transitive
Binds	Arg1:Protein, Arg2:Protein
[events]
Phosphorylation	Theme:Protein, Site?:Entity
Regulation	Theme:Protein|<EVENT>, Cause?:Protein|<EVENT>
"""
TEXT = "IL-2 phosphorylates STAT5 at Y694, which regulates IL-2R; IL2 is IL-2.\n"
ANN = """T1	Protein 0 4	IL-2
T2	Phosphorylation 5 19	phosphorylates
T3	Protein 20 25	STAT5
T4	Entity 29 33	Y694
T5	Regulation 41 50	regulates
T6	Protein 51 56	IL-2R
T7	Protein 58 61	IL2
T8	Protein 65 69	IL-2
E1	Phosphorylation:T2 Theme:T3 Site:T4
E2	Regulation:T5 Theme:T6 Cause:E1
R1	Binds Arg1:T1 Arg2:T3	
*	Equiv T7 T8
*	Equiv T7 T7
#1	Lemma T2	phosphorylate
#2	AnnotatorNotes E1	checked against UniProt
A1	Negation E2
N1	Reference T3 UniProt:P42229	STAT5A
N2	Reference T1 UniProt:P60568	Interleukin-2
"""


def _collection(folder):
    folder.mkdir()
    (folder / "annotation.conf").write_text(CONF, encoding="utf-8")
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    (folder / "doc.ann").write_text(ANN, encoding="utf-8")
    return folder


def _lines(path) -> list[str]:
    """The .ann lines with every id replaced by the line it names, order-free."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    names = {r[0]: f"{r[1].split()[0]}@{r[1].split()[1:3]}" for r in rows if r[0][0] == "T"}
    names.update({r[0]: "event:" + names[r[1].split()[0].split(":")[1]]
                  for r in rows if r[0][0] == "E"})

    def named(body: str) -> str:
        return " ".join(":".join(names.get(p, p) for p in word.split(":"))
                        for word in body.split(" "))

    return sorted("\t".join([r[0][0], named(r[1]), *r[2:]]) for r in rows)


def test_conf_variants_events_normalizations_and_note_types_round_trip(session, tmp_path):
    """[spans], Equiv on two lines, events on events, N, a Lemma note: stored, exported
    line for line; only the degenerate `*` line is left out, and said so with its line."""
    source = _collection(tmp_path / "in")
    report = import_path(session, source)
    assert report.errors == []
    assert report.notes == ["doc.ann: 1 set (*) line(s) naming fewer than two annotations "
                            "skipped (line 13)"]
    equiv = session.schema.relation("Equiv")
    assert equiv.kind == "symmetric_transitive" and set(equiv.heads) == {"Protein", "Entity"}
    assert {"Phosphorylation", "Regulation"} <= set(session.schema.entity_names)
    out = tmp_path / "out"
    export_path(session, "brat", out)
    degenerate = "*\tEquiv Protein@['58', '61'] Protein@['58', '61']"
    expected = [line for line in _lines(source / "doc.ann") if line != degenerate]
    assert len(expected) == len(_lines(source / "doc.ann")) - 1
    assert _lines(out / "doc.ann") == expected


def test_an_event_is_its_trigger_and_role_relations_in_the_store(session, tmp_path):
    """E1's trigger is an entity of the event type; each role a relation from it; E2's
    Cause (an event) points at E1's trigger."""
    import_path(session, _collection(tmp_path / "in"))
    (doc,) = session.documents()
    ents = {e.id: e for e in session.all_entities(doc.id)}
    rels = sorted((ents[r.head_id].text, r.label, ents[r.tail_id].text)
                  for r in session.all_relations(doc.id) if r.label != "Equiv")
    assert rels == [("IL-2", "Binds", "STAT5"), ("phosphorylates", "Site", "Y694"),
                    ("phosphorylates", "Theme", "STAT5"), ("regulates", "Cause", "phosphorylates"),
                    ("regulates", "Theme", "IL-2R")]


def test_a_deleted_role_or_trigger_is_not_written_back(session, tmp_path):
    """Deleting a role relation in Arcmark drops that argument from the E line; deleting the
    trigger drops the event."""
    import_path(session, _collection(tmp_path / "in"))
    (doc,) = session.documents()
    ents = {e.id: e for e in session.all_entities(doc.id)}
    site = next(r for r in session.all_relations(doc.id) if r.label == "Site")
    session.delete_relation(site.id)
    regulation = next(e for e in ents.values() if e.label == "Regulation")
    session.delete_entity(regulation.id)
    out = tmp_path / "out"
    export_path(session, "brat", out)
    events = [line for line in _lines(out / "doc.ann") if line.startswith("E")]
    assert events == ["E\tPhosphorylation:Phosphorylation@['5', '19'] Theme:Protein@['20', '25']"]
