"""Listing the files of a folder the way `find` and `os.walk` do by default: symbolic
links are not followed (a link may point outside the folder the user chose, or back up
to it, looping forever); each one met is reported as skipped.

Every importer that looks inside a folder lists it here. A path the user names
explicitly is followed, as `find` follows its starting points' own names.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ._common import ImportBatch

LINK_NOTE = "symbolic link, not followed"


@dataclass
class FolderEntries:
    """A folder's visible entries (hidden names, starting with ".", are left out), by name."""

    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    links: list[Path] = field(default_factory=list)


def folder_entries(folder: Path) -> FolderEntries:
    """The folder's files, sub-folders and symbolic links, never following a link."""
    found = FolderEntries()
    try:
        with os.scandir(folder) as scan:
            items = sorted(scan, key=lambda e: e.name)
    except OSError:
        return found
    for entry in items:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            if entry.is_symlink():
                found.links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                found.folders.append(path)
            elif entry.is_file(follow_symlinks=False):
                found.files.append(path)
        except OSError:
            continue  # vanished or unreadable meanwhile: nothing to import
    return found


def skipped_link(path: Path) -> ImportBatch:
    """The batch reporting a link that was not followed (a note, not a failure)."""
    return ImportBatch(source=path, notes=(LINK_NOTE,), skipped=True)


def linked(*paths: Path) -> ImportBatch | None:
    """The skipped-link batch for the first of `paths` that is a symbolic link, else None."""
    for path in paths:
        if path.is_symlink():
            return skipped_link(path)
    return None
