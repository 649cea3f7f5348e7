"""A compact index of each document's text and sentences (the `document_index` table).

An editing action in a long document needs a few characters of its text (the span an
entity covers) and one sentence (a relation's evidence). Reading the whole text and
decoding every stored sentence costs milliseconds per action in a 1 MB document; this
index lets the store read only what is needed:

- `length`: the text's length in code points;
- `offsets`: the UTF-8 byte offset of every `stride`-th code point (and of the end), so
  a slice of the text is read from the stored bytes with incremental blob I/O;
- `sentences`: the stored sentence offsets, packed (start, end, start, end, ...).

Numbers are packed as little-endian 32-bit integers (SQLite texts are shorter than 2 GB).
The index is derived data: the `documents` row stays the truth, the store rewrites the
index whenever it writes a document's text or sentences, and a reader that finds it
missing or not matching the text falls back to the text itself.
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, overload

STRIDE = 1024  # code points between two byte offsets: a slice reads < 2 strides more
_INT32 = "i"  # array type code of a 32-bit signed int on every platform CPython supports
_MAX = 2**31 - 1


def _pack(values: Iterable[int]) -> bytes:
    packed = array(_INT32, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> array[int]:
    packed = array(_INT32)
    packed.frombytes(data)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def text_offsets(text: str, stride: int) -> bytes:
    """The UTF-8 byte offsets of code points 0, stride, 2*stride, ... and len(text)
    (entry k is the offset of code point min(k * stride, len(text)))."""
    if text.isascii():
        return _pack([*range(0, len(text), stride), len(text)])
    offsets, at = [0], 0
    for i in range(0, len(text), stride):
        at += len(text[i:i + stride].encode("utf-8", "surrogatepass"))
        offsets.append(at)
    return _pack(offsets)


def pack_sentences(sentences: Sequence[Any] | None) -> bytes | None:
    """The sentence offsets packed; None if they are not all pairs of small non-negative
    integers (then readers decode the stored JSON instead)."""
    if not isinstance(sentences, (list, tuple)):
        return None
    flat = []
    for sentence in sentences:
        if not isinstance(sentence, (list, tuple)) or len(sentence) != 2:
            return None
        for value in sentence:
            if type(value) is not int or not 0 <= value <= _MAX:
                return None
            flat.append(value)
    return _pack(flat)


def index_row(doc_id: int, text: str, sentences: Sequence[Any] | None
              ) -> tuple[int, int, int, bytes, bytes | None]:
    """The `document_index` row of a document: (doc_id, length, stride, offsets, sentences)."""
    return doc_id, len(text), STRIDE, text_offsets(text, STRIDE), pack_sentences(sentences)


def byte_range(offsets: bytes, stride: int, start: int, end: int) -> tuple[int, int, int]:
    """For code points [start, end) of a text (0 <= start <= end <= its length): the
    bytes [first, last) to read, and the code point at which `first` begins."""
    table = _unpack(offsets)
    k0 = start // stride
    k1 = min(-(-end // stride), len(table) - 1)
    return table[k0], table[k1], k0 * stride


def text_bytes(offsets: bytes) -> int:
    """The length of the text in UTF-8 bytes (the last offset)."""
    return _unpack(offsets[-4:])[0] if offsets else 0


class PackedSentences(Sequence[tuple[int, int]]):
    """Packed sentence offsets, read as a sequence of (start, end) pairs without
    building a tuple per sentence."""

    __slots__ = ("_flat",)

    def __init__(self, data: bytes) -> None:
        self._flat = _unpack(data)

    def __len__(self) -> int:
        return len(self._flat) // 2

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("sentence index out of range")
        return self._flat[2 * index], self._flat[2 * index + 1]
