"""UIMA CAS XMI with INCEpTION's layers, through dkpro-cassis (kept by INCEpTION's team).

Entities are INCEpTION's built-in named-entity layer,
`de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity` (label in `value`); relations a
custom relation layer as INCEpTION writes one, `webanno.custom.Relation`, whose
`Governor` and `Dependent` are the two named entities (label in `label`). UIMA's offsets
are UTF-16 units; cassis converts them to code points.

Import reads an `.xmi` file with the `TypeSystem.xml` (or `typesystem.xml`) beside it, as
INCEpTION exports them; without one, with the type system below (types it does not know
are skipped, as cassis' lenient loading does). Every `webanno.custom.*` type with
`Governor` and `Dependent` features is a relation layer; its label is the first of its
`label`, `value` or other string features that is set, else the layer's short name. Named
entities and relations are human annotations, credited to the user INCEpTION names
(its export writes `annotation/DOCUMENT/USER.xmi`), else to the importing user. Relations
between annotations of other layers (tokens, say) are counted, not imported.

Export writes a folder: one `NAME.xmi` per document, with `Sentence` and `Token`
annotations (INCEpTION needs them to show a document) and its `DocumentMetaData`, and the
`TypeSystem.xml` they use. Accepted entities and relations only; the rest is counted.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.model import AnnotatedDocument, DocumentRecord, EntityRecord, RelationRecord
from annotate.schema import Schema

from ._common import (
    Cancel, Cancelled, Exporter, ExportReport, ImportBatch, Importer, Progress, RecordError,
    atomic_folder, check_entity_label, check_offsets, check_relation_label, counted,
    error_batch, relation_kind, title_from_text,
)

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
RELATION = "webanno.custom.Relation"
SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"
TOKEN = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
METADATA = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
TYPESYSTEM_NAMES = ("TypeSystem.xml", "typesystem.xml")
MAX_BYTES = 200 * 1024 * 1024  # an XMI this large is not an annotated news corpus
_STRING = "uima.cas.String"


def type_system() -> Any:
    """INCEpTION's layers Arcmark reads and writes, as a cassis TypeSystem."""
    from cassis import TypeSystem

    ts = TypeSystem()
    meta = ts.create_type(METADATA, supertypeName="uima.tcas.DocumentAnnotation")
    for name in ("documentTitle", "documentId", "documentUri", "collectionId",
                 "documentBaseUri"):
        ts.create_feature(meta, name, _STRING)
    ts.create_feature(meta, "isLastSegment", "uima.cas.Boolean")
    ts.create_type(SENTENCE)
    ts.create_type(TOKEN)
    entity = ts.create_type(NAMED_ENTITY)
    ts.create_feature(entity, "value", _STRING)
    ts.create_feature(entity, "identifier", _STRING)
    relation = ts.create_type(RELATION)
    # range Annotation: INCEpTION's own relation layers may attach to tokens too
    ts.create_feature(relation, "Governor", "uima.tcas.Annotation")
    ts.create_feature(relation, "Dependent", "uima.tcas.Annotation")
    ts.create_feature(relation, "label", _STRING)
    ts.create_feature(relation, "value", _STRING)
    return ts


# --- import ------------------------------------------------------------------------------


def read_xmi(path: Path, schema: Schema, encoding: str | None = None) -> Iterator[ImportBatch]:
    name = path.name
    try:
        cas = _load(path)
        record, skipped = _record(cas, path, schema)
    except RecordError as exc:
        yield error_batch(path, f"{name}: {exc}")
        return
    except OSError as exc:
        yield error_batch(path, f"{name}: cannot read ({exc.strerror})")
        return
    notes = (f"{skipped} relation(s) between annotations of other layers (not named "
             "entities) not imported",) if skipped else ()
    yield ImportBatch(source=path, records=(record,), notes=notes)


def _load(path: Path) -> Any:
    from cassis import load_cas_from_xmi, load_typesystem

    if path.stat().st_size > MAX_BYTES:
        raise RecordError(f"too large (more than {MAX_BYTES // 2**20} MB)")
    ts = type_system()
    side = next((path.with_name(n) for n in TYPESYSTEM_NAMES if path.with_name(n).is_file()),
                None)
    try:
        if side is not None:
            with side.open("rb") as handle:
                ts = load_typesystem(handle)
        with path.open("rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lenient loading warns of every unknown type
            return load_cas_from_xmi(handle, typesystem=ts, lenient=True)
    except OSError:
        raise
    except Exception as exc:  # cassis and lxml raise many kinds for a bad file
        why = " ".join(str(exc).split())  # lxml's messages may hold line breaks
        raise RecordError(f"not a UIMA CAS XMI file ({type(exc).__name__}: "
                          f"{why[:120]})") from None


def _record(cas: Any, path: Path, schema: Schema) -> tuple[DocumentRecord, int]:
    text = cas.sofa_string
    if not isinstance(text, str) or not text.strip():
        raise RecordError("no document text (sofaString)")
    who = _user(path)
    index: dict[int, int] = {}
    entities = []
    ts = cas.typesystem
    if ts.contains_type(NAMED_ENTITY):
        for ann in cas.select(NAMED_ENTITY):
            start, end = check_offsets(ann.begin, ann.end, len(text))
            label = getattr(ann, "value", None) or "ENTITY"
            check_entity_label(label, schema, None)
            index[id(ann)] = len(entities)
            entities.append(EntityRecord(start, end, label, annotator=who))
    relations, skipped = [], 0
    for layer in _relation_layers(ts):
        for ann in cas.select(layer.name):
            head, tail = index.get(id(ann.Governor)), index.get(id(ann.Dependent))
            if head is None or tail is None or head == tail:
                skipped += 1
                continue
            label = _relation_label(ann, layer)
            check_relation_label(label, schema, None)
            relations.append(RelationRecord(head, tail, label,
                                            relation_kind(label, schema, None) == "directed",
                                            annotator=who))
    title = _title(cas) or title_from_text(text, path.stem)
    return DocumentRecord(text=text, title=title, source=str(path),
                          meta={"file_name": path.name}, entities=tuple(entities),
                          relations=tuple(relations)), skipped


def _relation_layers(ts: Any) -> list[Any]:
    layers = []
    for t in ts.get_types():
        names = {f.name for f in t.all_features}
        if t.name.startswith("webanno.custom.") and {"Governor", "Dependent"} <= names:
            layers.append(t)
    return layers


def _relation_label(ann: Any, layer: Any) -> str:
    strings = [f.name for f in layer.all_features if f.rangeType.name == _STRING]
    for name in ("label", "value", *strings):
        value = getattr(ann, name, None) if name in strings else None
        if isinstance(value, str) and value:
            return value
    return layer.name.rsplit(".", 1)[-1]


def _title(cas: Any) -> str | None:
    if not cas.typesystem.contains_type(METADATA):
        return None
    for meta in cas.select(METADATA):
        title = getattr(meta, "documentTitle", None)
        if isinstance(title, str) and title.strip():
            return title.strip()[:200]
    return None


def _user(path: Path) -> str | None:
    """INCEpTION's export names each user's annotations annotation/DOCUMENT/USER.xmi."""
    parts = path.parts
    if len(parts) >= 3 and parts[-3] == "annotation" and path.stem not in ("", "INITIAL_CAS"):
        return path.stem
    return None


# --- export ------------------------------------------------------------------------------


def to_cas(ad: AnnotatedDocument, ts: Any, report: ExportReport) -> Any:
    from cassis import Cas

    from .prodigy import token_rows

    doc = ad.document
    cas = Cas(typesystem=ts)
    cas.sofa_string = doc.text
    cas.add(ts.get_type(METADATA)(begin=0, end=len(doc.text), documentTitle=doc.title,
                                  documentId=str(doc.id), isLastSegment=False))
    sentences = doc.sentences or ((0, len(doc.text)),)
    Sentence, Token = ts.get_type(SENTENCE), ts.get_type(TOKEN)
    cas.add_all([Sentence(begin=s, end=e) for s, e in sentences])
    cas.add_all([Token(begin=s, end=e) for s, e, _ in token_rows(doc.text)])
    NamedEntity, Relation = ts.get_type(NAMED_ENTITY), ts.get_type(RELATION)
    made = {}
    for e in ad.entities:
        if e.status != "accepted":
            report.note(1, "suggested or rejected entities not written (INCEpTION holds "
                           "annotations only)")
            continue
        made[e.id] = NamedEntity(begin=e.start, end=e.end, value=e.label)
        cas.add(made[e.id])
    report.entities += len(made)
    for r in ad.relations:
        if r.status != "accepted" or r.head_id not in made or r.tail_id not in made:
            report.note(1, "relations not written (suggested, rejected or between entities "
                           "not written)")
            continue
        dep = made[r.tail_id]
        cas.add(Relation(begin=dep.begin, end=dep.end, Governor=made[r.head_id],
                         Dependent=dep, label=r.label))
        report.relations += 1
    return cas


def export_xmi(corpus: Iterable[AnnotatedDocument], schema: Schema, out: Path,
               progress: Progress = None, cancelled: Cancelled = None) -> ExportReport:
    from .brat import file_stem, unique_stem

    report, used, ts = ExportReport(), set(), type_system()
    try:
        with atomic_folder(out) as tmp:
            for ad in counted(corpus, progress, cancelled):
                stem = unique_stem(file_stem(ad), used)
                to_cas(ad, ts, report).to_xmi(tmp / f"{stem}.xmi")
                report.documents += 1
                report.files.append(out / f"{stem}.xmi")
            ts.to_xml(tmp / TYPESYSTEM_NAMES[0])
            report.files.append(out / TYPESYSTEM_NAMES[0])
    except Cancel:
        return ExportReport(documents=report.documents, cancelled=True)
    return report


EXPORTERS = (Exporter(name="xmi", write=export_xmi, folder=True),)
IMPORTERS = (Importer(name="xmi", suffixes=(".xmi",), read=read_xmi, order=6),)
