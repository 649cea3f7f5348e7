"""The store's trained models: which versions exist, where, and which one `latest` or
`vN` names. A version's folder (`<store>.models/vN/`) holds the spaCy pipeline, the
relation learner (`relations.json`) and the config spaCy's loop ran (`training.cfg`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from annotate.model import ArcmarkError
from storage.store import Store
from storage.trained_models import models_folder, trained_models

RELATIONS_FILE = "relations.json"
PATTERNS_PATH = Path(__file__).with_name("relation_patterns.json")
_VERSION = re.compile(r"^v?(\d+)$")


def is_store_model(name: str | None) -> bool:
    """Whether `--model` names a trained version of the store rather than a package."""
    return bool(name) and (name == "latest" or bool(_VERSION.match(name or "")))


def model_record(store: Store, name: str) -> dict[str, Any]:
    """The row of the trained model `latest` or `vN` (`N` alone works too)."""
    rows = trained_models(store)
    if not rows:
        raise ArcmarkError(f"the store has no trained model yet; run: main.py train --db {store.path}")
    if name == "latest":
        return rows[-1]
    match = _VERSION.match(name)
    version = int(match.group(1)) if match else -1
    for row in rows:
        if row["version"] == version:
            return row
    have = ", ".join(f"v{r['version']}" for r in rows)
    raise ArcmarkError(f"the store has no model {name}; it has {have}")


def model_path(store: Store, name: str) -> Path:
    """The folder of a trained version, checked to hold a pipeline."""
    row = model_record(store, name)
    folder = models_folder(store) / Path(row["folder"]).name
    if not (folder / "config.cfg").is_file() or not (folder / "meta.json").is_file():
        raise ArcmarkError(f"model v{row['version']} is missing from {folder}")
    return folder


def resolve_model(store: Store, name: str | None) -> str | None:
    """What `--model` means for pre-annotation: a trained version's folder, else the
    package name as given (None: the default package)."""
    if name and is_store_model(name):
        return str(model_path(store, name))
    return name


def load_relation_learner(folder: Path) -> dict[str, Any] | None:
    """The relation learner saved with a trained version; None when it has none."""
    path = Path(folder) / RELATIONS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArcmarkError(f"{path}: cannot read the relation model ({exc})") from None
    if not _well_formed(data):
        raise ArcmarkError(f"{path}: not an Arcmark relation model")
    return data


def _well_formed(data: Any) -> bool:
    """A relation model as `relation_model.fit` writes it: classes, and for a logistic
    model a vocabulary and weights whose shapes agree."""
    if not isinstance(data, dict) or data.get("kind") not in ("logistic", "constant"):
        return False
    classes = data.get("classes")
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        return False
    if data["kind"] == "constant":
        return True
    vocabulary, coef, intercept = data.get("vocabulary"), data.get("coef"), data.get("intercept")
    if not isinstance(vocabulary, dict) or not isinstance(coef, list) or not coef \
            or not isinstance(intercept, list) or len(coef) != len(intercept):
        return False
    width = len(coef[0]) if isinstance(coef[0], list) else -1
    rows_ok = all(isinstance(r, list) and len(r) == width and
                  all(isinstance(v, (int, float)) for v in r) for r in coef)
    cols_ok = all(isinstance(i, int) and 0 <= i < width for i in vocabulary.values())
    n_rows = 1 if len(classes) == 2 else len(classes)
    return rows_ok and cols_ok and len(coef) == n_rows


def shipped_patterns() -> list[dict[str, Any]]:
    return list(json.loads(PATTERNS_PATH.read_text(encoding="utf-8"))["patterns"])


def trained_versions(session) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The store's trained versions for a menu or a chart: version, date, documents and
    held-out F1 (entities of base and trained, relations of baseline and trained)."""
    out = []
    for row in trained_models(session.store):
        ents = row["scores"].get("entities", {})
        rels = row["scores"].get("relations", {})

        def f(side: dict[str, Any], name: str) -> float:
            return float(side.get(name, {}).get("micro", {}).get("f", 0.0))

        out.append({"version": row["version"], "date": row["created_at"][:10],
                    "documents": row["train_documents"], "f": f(ents, "trained"),
                    "base_f": f(ents, "base"), "relation_f": f(rels, "trained"),
                    "baseline_f": f(rels, "baseline")})
    return out
