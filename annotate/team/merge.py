"""Merging analysts' stores into a team store: one layer per analyst.

Documents are matched by their text (the hash of the text, computed here, never
trusted from the source). Each source's accepted entities and relations are kept under
their own annotator (a row without one is credited to the source file's name), and
every row a merge writes is recorded with its source and time (`merged_rows`).

Merging a store again brings only what changed since: an annotation is known by its
layer, span(s) and label, so one already there is never added twice; a relation whose
confidence or note changed is updated. An annotation that a merge from *this* source
wrote and that the analyst has deleted (or moved, or relabelled) since is removed from
the team store, with its relations: the team store mirrors each analyst's own work as
their store holds it. Rows that came from another source, or were made in the team
store, are never touched. Model suggestions and rejections stay in the analyst's store.

Each source is merged in one transaction: cancelling rolls back the source being
merged; the sources merged before it stay.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.importing import content_hash
from annotate.model import CURATED, ArcmarkError, Change
from annotate.schema import Schema
from annotate.annotators import RESERVED_ANNOTATORS
from annotate.session import Session
from storage.store import Store, StoreError, now

BATCH = 200  # source documents read (their texts held) together
EntityKey = tuple[str, int, int, str]  # layer, start, end, label


class _Cancelled(Exception):
    pass


@dataclass
class MergeReport:
    sources: list[str] = field(default_factory=list)
    documents_added: list[int] = field(default_factory=list)
    documents_matched: list[int] = field(default_factory=list)
    entities_added: int = 0
    entities_removed: int = 0
    relations_added: int = 0
    relations_removed: int = 0
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per source that failed
    cancelled: bool = False

    @property
    def change(self) -> Change:
        ids = frozenset(self.documents_added + self.documents_matched)
        return Change("Merge stores", documents=ids, document_list=True, schema=True)

    def summary(self) -> str:
        return (f"{len(self.sources)} store{'s' * (len(self.sources) != 1)} merged: "
                f"{len(self.documents_added)} new documents, {len(set(self.documents_matched))}"
                f" matched; entities +{self.entities_added} -{self.entities_removed}; relations"
                f" +{self.relations_added} -{self.relations_removed}")


def merge_stores(session: Session, paths: Sequence[Path], *,
                 progress: Callable[[int, int], object] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> MergeReport:
    """Merge each store of `paths` (opened read-only) into the session's store."""
    report = MergeReport()
    team = session.store.path.resolve() if not session.store.memory else None
    sources: list[Store] = []
    try:
        for path in paths:
            path = Path(path)
            if team is not None and path.exists() and path.resolve() == team:
                report.errors.append(f"{path}: is the team store itself")
                continue
            try:
                sources.append(Store(path, create=False, read_only=True))
            except StoreError as exc:
                report.errors.append(str(exc))
        total = sum(len(s.document_ids()) for s in sources)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], total)
            if cancelled and cancelled():
                raise _Cancelled

        for source in sources:
            try:
                _Merge(session, source, report).run(step)
            except _Cancelled:
                report.cancelled = True
                break
            except (StoreError, ArcmarkError, ValueError, TypeError) as exc:
                # a damaged or hostile source: one line, and nothing of it was written
                report.errors.append(f"{source.path}: cannot be merged ({exc})")
            else:
                report.sources.append(str(source.path))
    finally:
        for source in sources:
            source.close()
    return report


class _Merge:
    """One source store merged into the team store, in one transaction."""

    def __init__(self, session: Session, source: Store, report: MergeReport) -> None:
        self.session, self.team, self.source, self.report = session, session.store, source, report
        self.default_layer = source.path.stem or "analyst"
        self.at = now()
        self.history: list[tuple[str, int, int | None, Any, Any]] = []
        self.added: dict[str, list[int]] = {"entities": [], "relations": []}
        self.documents: list[dict[str, Any]] = []  # new to the team store, not yet written
        self.texts: set[str] = set()  # hashes of the source's texts merged so far
        self.new_ids: set[int] = set()  # documents this merge adds
        self.layers: set[str] = set()

    def run(self, step: Callable[[int], None]) -> None:
        doc_ids = self.source.document_ids()
        try:
            with self.team.write() as db:
                self._unite_schema()  # in the transaction: a cancel takes the labels back too
                self._merge(db, doc_ids, step)
        except BaseException:
            self.session.reload_schema()
            raise

    def _merge(self, db: Any, doc_ids: Sequence[int], step: Callable[[int], None]) -> None:
        where = str(self.source.path.resolve())
        self.source_id = self.team.merge_source(db, where, self.at, [])
        self.earlier = {t: self.team.merged_from(db, self.source_id, t)
                        for t in ("entities", "relations")}
        self.hashes = self.team.hashes()
        self.next = {t: self.team.next_id(t) for t in ("documents", "entities", "relations")}
        for i in range(0, len(doc_ids), BATCH):
            self._batch(db, doc_ids[i:i + BATCH])
            step(len(doc_ids[i:i + BATCH]))
        self.team.merge_source(db, where, self.at, sorted(self.layers))
        for table, ids in self.added.items():
            self.team.record_merged(db, table, ids, self.source_id, self.at)
        if self.history:
            self.team.append_history(db, f"merge {self.source.path.name}",
                                     self.session.annotator, self.history)

    def _unite_schema(self) -> None:
        try:
            theirs = Schema.from_dict(self.source.label_schema(), source=self.source.path.name)
        except ArcmarkError as exc:
            raise ArcmarkError(f"its label schema cannot be read ({exc})") from None
        ours = self.session.schema
        for label in theirs.entity_labels:
            mine = ours.entity(label.name)
            if mine is not None and mine.colour != label.colour:
                self._note(f"entity label {label.name} has another colour there; ours is kept")
        for rel in theirs.relation_labels:
            mine_rel = ours.relation(rel.name)
            if mine_rel is not None and (mine_rel.kind, mine_rel.heads, mine_rel.tails) != \
                    (rel.kind, rel.heads, rel.tails):
                self._note(f"relation label {rel.name} has other rules there ({rel.kind}, "
                           f"{'/'.join(rel.heads)} → {'/'.join(rel.tails)}); ours are kept")
        if self.session.merge_schema(theirs):
            self._note("labels new to the team store were added to its schema")

    def _note(self, text: str) -> None:
        self.report.notes.append(f"{self.source.path.name}: {text}")

    def _batch(self, db: Any, doc_ids: Sequence[int]) -> None:
        documents = self.source.rows("documents", f"id IN ({', '.join('?' * len(doc_ids))})",
                                     list(doc_ids))
        theirs = {"entities": _by_doc(self.source.accepted_rows("entities", doc_ids)),
                  "relations": _by_doc(self.source.accepted_rows("relations", doc_ids))}
        mapping = {d["id"]: self._document(d) for d in documents}
        mapping = {k: v for k, v in mapping.items() if v is not None}
        matched = [t for t in mapping.values() if t not in self.new_ids]
        ours = {"entities": _by_doc(self.team.accepted_rows("entities", matched)),
                "relations": _by_doc(self.team.accepted_rows("relations", matched))}
        rows: dict[str, list[dict[str, Any]]] = {"entities": [], "relations": []}
        removed: dict[str, list[dict[str, Any]]] = {"entities": [], "relations": []}
        for doc in documents:
            if doc["id"] not in mapping:
                continue
            text, team_id = doc["text"], mapping[doc["id"]]
            sync = _DocumentSync(self, team_id, text, ours["entities"].get(team_id, []),
                                 ours["relations"].get(team_id, []))
            sync.entities(theirs["entities"].get(doc["id"], []))
            sync.relations(theirs["relations"].get(doc["id"], []))
            for table in rows:
                rows[table] += sync.new[table]
                removed[table] += sync.gone[table]
        self._write(db, rows, removed)

    def _document(self, row: dict[str, Any]) -> int | None:
        """The team's id of a source document, stored if the team has no such text; None
        for a document not to merge (not a text, or a text the source holds twice)."""
        if not isinstance(row["text"], str) or not row["text"].strip():
            self._note(f"document {row['id']} has no text; skipped")
            return None
        digest = content_hash(row["text"])
        if digest in self.texts:
            self._note(f"document {row['id']} repeats an earlier text; skipped")
            return None
        self.texts.add(digest)
        if digest in self.hashes:
            self.report.documents_matched.append(self.hashes[digest])
            return self.hashes[digest]
        doc_id = self.next["documents"]
        self.next["documents"] += 1
        self.hashes[digest] = doc_id
        title = str(row["title"] or "Untitled")
        source = row["source"] if isinstance(row["source"], str) else None
        self.documents.append({
            "id": doc_id, "title": title, "source": source, "text": row["text"],
            "content_hash": digest, "meta": row["meta"] if isinstance(row["meta"], dict) else {},
            "status": "new", "sentences": _sentences(row.get("sentences"), len(row["text"])),
            "created_at": self.at, "updated_at": self.at})
        self.history.append(("documents", doc_id, doc_id, None, {"title": title, "source": source}))
        self.report.documents_added.append(doc_id)
        self.new_ids.add(doc_id)
        return doc_id

    def _write(self, db: Any, rows: dict[str, list[dict[str, Any]]],
               removed: dict[str, list[dict[str, Any]]]) -> None:
        self.team.insert_many(db, "documents", self.documents)
        self.documents = []
        gone_rel = [r["id"] for r in removed["relations"]]
        gone_ent = [r["id"] for r in removed["entities"]]
        for table, ids in (("relations", gone_rel), ("entities", gone_ent)):
            self.team.delete_merged(db, table, ids)
            self.history += [(table, r["id"], r["doc_id"], r, None) for r in removed[table]]
        self.team.insert_many(db, "entities", rows["entities"])
        self.team.insert_many(db, "relations", rows["relations"])
        self.report.entities_removed += len(gone_ent)
        self.report.relations_removed += len(gone_rel)
        self.report.entities_added += len(rows["entities"])
        self.report.relations_added += len(rows["relations"])


class _DocumentSync:
    """One document's layers from the source, made so in the team store."""

    def __init__(self, merge: _Merge, doc_id: int, text: str, ours: list[dict[str, Any]],
                 our_relations: list[dict[str, Any]]) -> None:
        self.merge, self.doc_id, self.text = merge, doc_id, text
        self.ours: dict[EntityKey, int] = {_key(r): r["id"] for r in ours if r["annotator"]}
        self.our_rows = ours
        self.our_relations = our_relations
        self.new: dict[str, list[dict[str, Any]]] = {"entities": [], "relations": []}
        self.gone: dict[str, list[dict[str, Any]]] = {"entities": [], "relations": []}
        self.source_ids: dict[int, EntityKey] = {}  # source entity id -> its key

    def _layer(self, row: dict[str, Any]) -> str | None:
        name = row["annotator"] or self.merge.default_layer
        if name.casefold() in RESERVED_ANNOTATORS - {CURATED}:
            return None
        return name

    def entities(self, rows: list[dict[str, Any]]) -> None:
        schema, m = self.merge.session.schema, self.merge
        wanted: set[EntityKey] = set()
        for r in rows:
            layer = self._layer(r)
            if layer is None or schema.entity(r["label"]) is None or \
                    not (isinstance(r["start"], int) and isinstance(r["end"], int)
                         and 0 <= r["start"] < r["end"] <= len(self.text)):
                continue  # not storable here: the source is not trusted
            key = (layer, r["start"], r["end"], r["label"])
            m.layers.add(layer)
            self.source_ids[r["id"]] = key
            wanted.add(key)
            if key in self.ours:
                continue
            entity_id = m.next["entities"]
            m.next["entities"] += 1
            self.ours[key] = entity_id
            self.new["entities"].append({
                "id": entity_id, "doc_id": self.doc_id, "start": r["start"], "end": r["end"],
                "label": r["label"], "text": self.text[r["start"]:r["end"]], "origin": "human",
                "status": "accepted", "annotator": layer, "created_at": m.at, "updated_at": m.at})
            m.added["entities"].append(entity_id)
        earlier = m.earlier["entities"]
        self.gone["entities"] = [r for r in self.our_rows
                                 if r["id"] in earlier and _key(r) not in wanted]

    def relations(self, rows: list[dict[str, Any]]) -> None:
        m = self.merge
        gone_entities = {r["id"] for r in self.gone["entities"]}
        ours = {(r["head_id"], r["tail_id"], r["label"]): r for r in self.our_relations}
        wanted: set[int] = set()
        for r in rows:
            head, tail = self.source_ids.get(r["head_id"]), self.source_ids.get(r["tail_id"])
            label = m.session.schema.relation(r["label"])
            if head is None or tail is None or head[0] != tail[0] or label is None:
                continue
            head_id, tail_id = self.ours[head], self.ours[tail]
            mine = ours.get((head_id, tail_id, r["label"]))
            if mine is not None:
                wanted.add(mine["id"])
                if (mine["confidence"], mine["note"]) != (r["confidence"], r["note"]) \
                        and mine["id"] in m.earlier["relations"]:
                    self.gone["relations"].append(mine)  # replaced by the analyst's new version
                else:
                    continue
            relation_id = m.next["relations"]
            m.next["relations"] += 1
            self.new["relations"].append({
                "id": relation_id, "doc_id": self.doc_id, "head_id": head_id, "tail_id": tail_id,
                "label": r["label"], "directed": int(label.directed),
                "confidence": r["confidence"] if r["confidence"] in ("low", "moderate", "high")
                else None, "note": str(r["note"] or ""), "evidence_start": None,
                "evidence_end": None, "origin": "human", "status": "accepted",
                "annotator": head[0], "created_at": m.at, "updated_at": m.at})
            m.added["relations"].append(relation_id)
        earlier = m.earlier["relations"]
        self.gone["relations"] += [
            r for r in self.our_relations if r["id"] not in wanted and (
                r["id"] in earlier or r["head_id"] in gone_entities or r["tail_id"] in gone_entities)
            and r not in self.gone["relations"]]


def _sentences(value: Any, length: int) -> list[list[int]]:
    """The source's sentence offsets if they are offsets into the text, else none."""
    try:
        spans = [[int(s), int(e)] for s, e in value or ()]
    except (TypeError, ValueError):
        return []
    return spans if all(0 <= s < e <= length for s, e in spans) else []


def _key(row: dict[str, Any]) -> EntityKey:
    return (row["annotator"], row["start"], row["end"], row["label"])


def _by_doc(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["doc_id"], []).append(row)
    return out
