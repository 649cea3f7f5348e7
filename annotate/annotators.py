"""Who annotates: the name every entity, relation and history entry carries."""
from __future__ import annotations

import getpass
import os

from annotate.model import CURATED, ValidationError
from annotate.team.layers import ALL, AUTO

ANNOTATOR_ENV = "ARCMARK_ANNOTATOR"
# names of layers that are not a person's
RESERVED_ANNOTATORS = frozenset({CURATED, ALL, AUTO})


def default_annotator() -> str:
    """`$ARCMARK_ANNOTATOR`, else the OS user."""
    if os.environ.get(ANNOTATOR_ENV, "").strip():
        return os.environ[ANNOTATOR_ENV].strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def check_annotator(name: str) -> str:
    """An annotator's name, trimmed; the names of layers that are not a person's are refused."""
    name = " ".join(str(name).split())
    if not name:
        raise ValidationError("an annotator needs a name")
    if name.casefold() in RESERVED_ANNOTATORS:
        raise ValidationError(f"{name!r} is reserved; choose another annotator name")
    if len(name) > 100:
        raise ValidationError("an annotator name has at most 100 characters")
    return name
