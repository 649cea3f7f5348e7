"""Builders of undoable commands: each computes the exact rows an edit touches.

These functions validate against the current state and return a `Command`; the
session applies it. Nothing is written here.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from annotate.commands import Command
from annotate.model import Document, Entity, Relation, ValidationError
from annotate.rows import document_row, entity_row, relation_row
from annotate.schema import RelationLabel, Schema
from storage.store import RowChange, Store, now


@dataclass(frozen=True, slots=True)
class TextWindow:
    """Part of a document's text: `text` is the whole text's code points from `offset`
    on, `length` the whole text's length. An edit in a long document reads no more."""

    doc_id: int
    length: int
    offset: int
    text: str

    def cut(self, start: int, end: int) -> str:
        """The whole text's [start, end), which the window must hold."""
        return self.text[start - self.offset:end - self.offset]


SNAP_MARGIN = 64  # characters read on either side of a selection to snap it


def snap_to_tokens(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a selection (clipped to the text) to whole words and trim surrounding whitespace."""
    start, end = sorted(min(max(0, x), len(text)) for x in (start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while 0 < start < len(text) and _word(text[start - 1]) and _word(text[start]):
        start -= 1
    while 0 < end < len(text) and _word(text[end]) and _word(text[end - 1]):
        end += 1
    return start, end


def _word(ch: str) -> bool:
    return ch.isalnum()


def snap_in_windows(read: Callable[[int], TextWindow], start: int, end: int
                    ) -> tuple[TextWindow, int, int]:
    """`snap_to_tokens` over windows of the text, `read(margin)` giving the text around the
    selection: a wider window is read while the snapped span reaches an edge of the
    window that is not an edge of the text. The result is the same as over the whole text."""
    margin = SNAP_MARGIN
    while True:
        window = read(margin)
        s, e = snap_to_tokens(window.text, start - window.offset, end - window.offset)
        cut_before = s == 0 and window.offset > 0
        cut_after = e == len(window.text) and window.offset + len(window.text) < window.length
        if not (cut_before or cut_after):
            return window, s + window.offset, e + window.offset
        margin *= 8


def check_span(window: TextWindow, start: int, end: int) -> None:
    if not (0 <= start < end <= window.length):
        raise ValidationError(
            f"span {start}-{end} is outside the text (length {window.length}) or empty")
    if not window.cut(start, end).strip():
        raise ValidationError("an entity cannot cover only whitespace")


def add_entity(store: Store, window: TextWindow, start: int, end: int, label: str, status: str,
               annotator: str | None) -> Command:
    check_span(window, start, end)
    text = window.cut(start, end)
    # another analyst's entity on the same span is theirs: the new one is this layer's own
    existing = [r for r in store.rows("entities", 'doc_id = ? AND start = ? AND "end" = ? AND label = ?',
                                      [window.doc_id, start, end, label])
                if not _in_other_layer(r, annotator)]
    if existing:
        old = existing[0]
        if old["status"] == "accepted":
            raise ValidationError(f"“{text}” is already a {label}")
        # re-adding a suggested or rejected span is accepting it
        new = {**old, "status": "accepted", "annotator": annotator, "updated_at": now()}
        return Command(f"Add {label} “{_short(old['text'])}”",
                       (RowChange("entities", old["id"], old, new),))
    at = now()
    entity = Entity(id=store.next_id("entities"), doc_id=window.doc_id, start=start, end=end,
                    label=label, text=text, status=status, annotator=annotator,
                    created_at=at, updated_at=at)
    return Command(f"Add {label} “{_short(entity.text)}”",
                   (RowChange("entities", entity.id, None, entity_row(entity)),))


def update_entity(store: Store, entity: Entity, description: str, annotator: str | None,
                  **fields: Any) -> Command:
    before = entity_row(entity)
    after = {**before, **fields, "annotator": annotator, "updated_at": now()}
    moved = (after["start"], after["end"], after["label"]) != (entity.start, entity.end, entity.label)
    dismiss: tuple[tuple[int, int, int, str], ...] = ()
    if moved:
        after["status"] = "accepted"
        if entity.is_model:
            # a corrected model suggestion is the analyst's now; never suggest the old one again
            after["origin"] = "human"
            dismiss = ((entity.doc_id, entity.start, entity.end, entity.label),)
        clash = [r for r in store.rows(
            "entities", 'doc_id = ? AND start = ? AND "end" = ? AND label = ? AND id != ?',
            [entity.doc_id, after["start"], after["end"], after["label"], entity.id])
            if not _in_other_layer(r, annotator)]
        if clash:
            raise ValidationError(f"an identical {after['label']} entity is already there")
    if after == {**before, "annotator": annotator, "updated_at": after["updated_at"]}:
        raise ValidationError("nothing to change")
    return Command(description, (RowChange("entities", entity.id, before, after),), dismiss=dismiss)


def set_status_many(store: Store, entities: Sequence[Entity], status: str, description: str,
                    annotator: str | None) -> Command:
    at = now()
    changes = tuple(
        RowChange("entities", e.id, entity_row(e),
                  {**entity_row(e), "status": status, "annotator": annotator, "updated_at": at})
        for e in entities)
    return Command(description, changes)


def delete_entity(store: Store, entity: Entity, relations: Sequence[Relation],
                  annotator: str | None) -> Command:
    """Delete an entity and every relation that uses it (undo restores them all)."""
    used = [r for r in relations if entity.id in (r.head_id, r.tail_id)]
    changes = tuple(RowChange("relations", r.id, relation_row(r), None) for r in used)
    changes += (RowChange("entities", entity.id, entity_row(entity), None),)
    dismiss = ((entity.doc_id, entity.start, entity.end, entity.label),) if entity.is_model else ()
    extra = f" and {len(used)} relation{'s' * (len(used) != 1)}" if used else ""
    return Command(f"Delete {entity.label} “{_short(entity.text)}”{extra}", changes, dismiss=dismiss)


def canonical_pair(head: Entity, tail: Entity, label: RelationLabel) -> tuple[Entity, Entity]:
    """Symmetric relations are stored once, in text order (A-B == B-A)."""
    if label.symmetric and (tail.start, tail.end, tail.id) < (head.start, head.end, head.id):
        return tail, head
    return head, tail


def check_duplicate_relation(relations: Sequence[Relation], head_id: int, tail_id: int,
                             label: RelationLabel, ignore: int | None = None) -> None:
    for rel in relations:
        if rel.id == ignore or rel.label != label.name:
            continue
        same = (rel.head_id, rel.tail_id) == (head_id, tail_id)
        mirrored = label.symmetric and (rel.head_id, rel.tail_id) == (tail_id, head_id)
        if same or mirrored:
            raise ValidationError(f"this {label.name} relation already exists")


def evidence_for(sentences: Sequence[tuple[int, int]], start: int, end: int,
                 text: Callable[[], str]) -> tuple[int, int]:
    """The sentence(s) spanning [start, end): from the stored sentence boundaries (in a
    long document, a few of thousands are read), else from splitting `text()`."""
    if not sentences:
        from annotate.nlp import split_sentences

        sentences = tuple(split_sentences(text()))
    first = max(0, bisect.bisect_right(sentences, start, key=_sentence_start) - 1)
    last = max(0, bisect.bisect_right(sentences, max(start, end - 1), key=_sentence_start) - 1)
    return sentences[first][0], max(sentences[last][1], end)


_sentence_start = itemgetter(0)


def add_relation(store: Store, head: Entity, tail: Entity, label: RelationLabel,
                 relations: Sequence[Relation], sentences: Sequence[tuple[int, int]],
                 text: Callable[[], str], *, confidence: str | None, note: str,
                 annotator: str | None) -> Command:
    """`relations`: at least those joining head and tail; `sentences`: the document's."""
    head, tail = canonical_pair(head, tail, label)
    check_duplicate_relation(relations, head.id, tail.id, label)
    ev_start, ev_end = evidence_for(sentences, min(head.start, tail.start),
                                    max(head.end, tail.end), text)
    at = now()
    rel = Relation(id=store.next_id("relations"), doc_id=head.doc_id, head_id=head.id, tail_id=tail.id,
                   label=label.name, directed=label.directed, confidence=confidence, note=note,
                   evidence_start=ev_start, evidence_end=ev_end, annotator=annotator,
                   created_at=at, updated_at=at)
    arrow = "→" if label.directed else "—"
    return Command(f"Add {_short(head.text)} {arrow}{label.name}{arrow} {_short(tail.text)}",
                   (RowChange("relations", rel.id, None, relation_row(rel)),))


def update_relation(store: Store, rel: Relation, description: str, annotator: str | None,
                    **fields: Any) -> Command:
    after = replace(rel, **fields, annotator=annotator, updated_at=now())
    return Command(description, (RowChange("relations", rel.id, relation_row(rel),
                                           relation_row(after)),))


def delete_rows(store: Store, table: str, ids: Sequence[int], description: str) -> Command:
    changes = []
    for row_id in ids:
        row = store.row(table, row_id)
        if row is not None:
            changes.append(RowChange(table, row_id, row, None))
    return Command(description, tuple(changes))


def update_document(current: dict[str, Any], *, description: str, **fields: Any) -> Command:
    """Change some of a document's fields. `current`: the document's `id`, `updated_at`
    and the fields' present values (its row, or just those columns of it).

    The command holds only the changed columns: the document's text is neither rewritten
    nor copied into the history, so marking a long document done costs what a short one does."""
    changed = {k: v for k, v in fields.items() if current[k] != v}
    if not changed:
        raise ValidationError("nothing to change")
    before = {"id": current["id"], **{k: current[k] for k in changed},
              "updated_at": current["updated_at"]}
    after = {"id": current["id"], **changed, "updated_at": now()}
    return Command(description, (RowChange("documents", current["id"], before, after),),
                   document_list=True)


def delete_document(store: Store, doc: Document, entities: Sequence[Entity],
                    relations: Sequence[Relation]) -> Command:
    changes = tuple(RowChange("relations", r.id, relation_row(r), None) for r in relations)
    changes += tuple(RowChange("entities", e.id, entity_row(e), None) for e in entities)
    changes += (RowChange("documents", doc.id, document_row(doc), None),)
    return Command(f"Delete document “{_short(doc.title)}”", changes, document_list=True)


def merge_schemas(base: Schema, other: Schema) -> Schema:
    entity = base.entity_labels + tuple(
        e for e in other.entity_labels if base.entity(e.name) is None)
    relation = base.relation_labels + tuple(
        r for r in other.relation_labels if base.relation(r.name) is None)
    return Schema(entity, relation)


def _in_other_layer(row: dict[str, Any], annotator: str | None) -> bool:
    """Whether an entity row is another analyst's accepted work (see `annotate.team.layers`)."""
    return row["status"] == "accepted" and row["annotator"] not in (None, annotator)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
