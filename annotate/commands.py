"""Undoable edits: each is a list of row changes applied (and reverted) in one transaction.

A command knows the exact before/after state of every row it touches (of an updated
row, the columns it changes: see `RowChange`), so `apply` and `revert` are symmetric,
the history table records the same facts, and undo refuses to clobber a row that was
changed since (e.g. by another window).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from annotate.model import Change
from storage.store import RowChange, Store


@dataclass(frozen=True, slots=True)
class Command:
    description: str
    changes: tuple[RowChange, ...]
    # model suggestions a human removed or moved: never suggested again
    dismiss: tuple[tuple[int, int, int, str], ...] = ()
    document_list: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def apply(self, store: Store, annotator: str | None, *, redo: bool = False) -> Change:
        store.apply(self.changes, action=("redo: " if redo else "") + self.description,
                    annotator=annotator, check=True, dismiss=self.dismiss)
        return self.change()

    def revert(self, store: Store, annotator: str | None) -> Change:
        inverse = tuple(c.inverted() for c in reversed(self.changes))
        store.apply(inverse, action="undo: " + self.description, annotator=annotator, check=True)
        return self.change()

    def change(self) -> Change:
        docs = frozenset(d for d in (c.doc_id for c in self.changes) if d is not None)
        return Change(
            description=self.description,
            documents=docs,
            entities=tuple(c.id for c in self.changes if c.table == "entities"),
            relations=tuple(c.id for c in self.changes if c.table == "relations"),
            document_list=self.document_list or any(c.table == "documents" for c in self.changes)
            or any(c.table in ("entities", "relations") and (c.before is None or c.after is None
                                                           or c.before.get("status") != c.after.get("status"))
                   for c in self.changes),
        )


class UndoStack:
    """A linear undo history of commands; a new command drops what was undone."""

    def __init__(self, limit: int = 1000) -> None:
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self.limit = limit

    def push(self, command: Command) -> None:
        self._done.append(command)
        del self._done[: -self.limit]
        self._undone.clear()

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].description if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].description if self._undone else ""

    def take_undo(self) -> Command | None:
        return self._done[-1] if self._done else None

    def take_redo(self) -> Command | None:
        return self._undone[-1] if self._undone else None

    def drop_last(self) -> None:
        """Forget the newest command (it was pushed but its transaction did not commit)."""
        if self._done:
            self._done.pop()

    def did_undo(self) -> None:
        self._undone.append(self._done.pop())

    def did_redo(self) -> None:
        self._done.append(self._undone.pop())

    def __len__(self) -> int:
        return len(self._done)
