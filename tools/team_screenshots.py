"""Make docs/curate.png and docs/agreement.png: the real window on a team store.

    python -m tools.team_screenshots [--wait 8]

Three analysts' stores are made from the worked example (seeds/example/): alice's is the
example as reviewed; bob and carol each miss some of its entities, label others
differently and leave out some relations. They are merged into a team store (as
`main.py merge` does), and the window is captured on its Curate tab and on its
Statistics tab (the agreement matrix), under a virtual X server (see tools.screenshot).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

from tools.screenshot import EXAMPLE, ROOT, capture

OTHER_LABEL = {"GPE": "LOC", "NORP": "ORG", "ORG": "NORP", "PERSON": "ORG", "DATE": "EVENT",
               "LOC": "GPE", "EVENT": "DATE", "FAC": "LOC", "CARDINAL": "DATE"}
# (every n-th entity missed, every n-th relabelled, every n-th relation left out)
VARIANTS = {"alice": (0, 0, 0), "bob": (7, 5, 3), "carol": (5, 9, 4)}


def analyst_store(path: Path, name: str) -> None:
    sys.path.insert(0, str(ROOT))
    from annotate.formats import read_path
    from annotate.schema import load_schema
    from annotate.session import Session
    from storage.store import Store

    miss, relabel, skip = VARIANTS[name]
    [batch] = list(read_path(EXAMPLE, schema=load_schema()))
    records = []
    for record in batch.records:
        keep = [i for i in range(len(record.entities)) if not miss or i % miss != miss - 1]
        index = {old: new for new, old in enumerate(keep)}
        entities = tuple(dataclasses.replace(
            record.entities[i], annotator=name,
            label=OTHER_LABEL.get(record.entities[i].label, record.entities[i].label)
            if relabel and n % relabel == relabel - 1 else record.entities[i].label)
            for n, i in enumerate(keep))
        relations = tuple(dataclasses.replace(r, head=index[r.head], tail=index[r.tail],
                                              annotator=name)
                          for n, r in enumerate(record.relations)
                          if r.head in index and r.tail in index and (not skip or n % skip))
        records.append(dataclasses.replace(record, entities=entities, relations=relations))
    with Store(path) as store:
        session = Session(store, annotator=name, schema=batch.schema)
        session.import_records(records, source=name)


def team_store(folder: Path) -> Path:
    from annotate.session import Session
    from annotate.team.merge import merge_stores
    from storage.store import Store

    sources = []
    for name in VARIANTS:
        analyst_store(folder / f"{name}.db", name)
        sources.append(folder / f"{name}.db")
    team = folder / "team.db"
    with Store(team) as store:
        report = merge_stores(Session(store, annotator="lead"), sources)
    if report.errors:
        sys.exit("team screenshots: " + "; ".join(report.errors))
    return team


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arcmark-team-") as tmp:
        team = team_store(Path(tmp))
        for view, out in (("curate", "curate.png"), ("statistics", "agreement.png")):
            env = {**os.environ, "ARCMARK_ANNOTATOR": "lead", "ARCMARK_START_VIEW": view,
                   "HOME": tmp, "XDG_CONFIG_HOME": str(Path(tmp) / "config"),
                   "XDG_DATA_HOME": str(Path(tmp) / "data")}
            capture(team, ROOT / "docs" / out, args.wait, env)
            print(f"wrote docs/{out}")


if __name__ == "__main__":
    main()
