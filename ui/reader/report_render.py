"""The annotated report drawn by the window's own painting code: PDF, SVG and HTML files.

The document part is the real `DocumentView` (highlights, overlaps, arcs and their
labels exactly as the window paints them), built offscreen at a page's width in the
light look and rendered region by region into Qt's PDF writer or SVG generator. Page
breaks fall between screen lines, above a line's arcs, so no line or arc is cut.
Title, legend and the tables of relations and metadata are HTML laid out by
`QTextDocument` (rich text: every value is escaped by `annotate.report`).

Everything is written under a temporary name and renamed at the end.
"""
from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPoint, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QRegion, QTextDocument
from PySide6.QtSvg import QSvgGenerator

from annotate.formats._common import atomic_binary_path, atomic_file
from annotate.model import ArcmarkError
from annotate.report import (
    REPORT_SUFFIXES, Report, metadata_table, relations_table, report_html,
)
from annotate.schema import Schema
from ui.document.document_view import DocumentView
from ui.document.presenter import view_arc, view_span

DPI = 96
WIDTH = 680  # px at 96 dpi: an A4 page less 15 mm margins
_MARGIN_MM = 15.0


def ensure_app():  # type: ignore[no-untyped-def]
    """The running QApplication, or a new one (the command line draws reports offscreen)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["arcmark"])


class DocumentPicture:
    """A document view laid out in full at a fixed width, rendered a slice at a time."""

    def __init__(self, report: Report, schema: Schema, width: int = WIDTH) -> None:
        view = DocumentView()
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.set_theme(dark=False)  # a report is read on paper and white screens
        view.paint_region_only = True  # the view is as tall as the text: paint slices only
        view.resize(width, 600)
        view.set_document(report.document.text, [view_span(e, schema) for e in report.entities],
                          [view_arc(r, schema) for r in report.relations])
        view.show()
        self.view = view
        self.width = width
        self.height, self.breaks = self._measure()

    def _measure(self) -> tuple[int, list[float]]:
        view = self.view
        block = view.document().firstBlock()
        total = 0.0
        while block.isValid():
            total += view.blockBoundingRect(block).height()
            block = block.next()
        margin = view.document().documentMargin()
        view.resize(self.width, int(total + 2 * margin + 4))
        breaks: list[float] = [0.0]
        block = view.document().firstBlock()
        # blocks are stacked: each top is the last one's bottom (asking Qt for every block's
        # geometry would sum all the blocks above it each time)
        top = view.blockBoundingGeometry(block).translated(view.contentOffset()).top()
        while block.isValid():
            layout = block.layout()
            for n in range(1, layout.lineCount()):
                previous = layout.lineAt(n - 1)
                breaks.append(top + previous.y() + previous.height())
            top += view.blockBoundingRect(block).height()
            breaks.append(top)
            block = block.next()
        height = int(view.viewport().height())
        return height, sorted(set(b for b in breaks if 0 <= b <= height)) + [float(height)]

    def next_break(self, start: float, room: float) -> float:
        """The lowest break at most `room` below `start` (more than `start`), or start + room."""
        found = self.breaks[bisect_right(self.breaks, start + room) - 1]
        return found if found > start else start + room

    def render(self, painter: QPainter, top: float, bottom: float, at_x: float, at_y: float) -> None:
        """Draw the slice [top, bottom) of the document with its top-left at (at_x, at_y)."""
        painter.save()
        painter.translate(at_x, at_y - top)
        # 2 px into the slice: the bottom edge of the line above the break stays out
        first = int(top) + (2 if top else 0)
        region = QRegion(QRect(0, first, self.width, int(bottom + 0.999) - first))
        self.view.viewport().render(painter, QPoint(0, int(top)), region)
        painter.restore()

    def close(self) -> None:
        self.view.hide()
        self.view.deleteLater()


def _rich(html_text: str, width: float, font: QFont) -> QTextDocument:
    document = QTextDocument()
    document.setDefaultFont(font)
    document.setDefaultStyleSheet("th{background:#f3f4f6;text-align:left} td,th{padding:3px}")
    document.setHtml(html_text)
    document.setTextWidth(width)
    return document


def _header_html(report: Report) -> str:
    from html import escape

    def chips(kind: str) -> str:
        return " &nbsp; ".join(
            f'<span style="color:{item.colour}">&#9632;</span>&nbsp;{escape(item.label)}'
            f'&nbsp;({item.count})' for item in report.legend if item.kind == kind) or "none"

    return (f"<h2>{escape(report.title)}</h2>"
            f'<p style="color:#444">Entities: {chips("entity")}<br>'
            f'Relations: {chips("relation")}</p>')


def _tables_html(report: Report) -> str:
    return (f"<h3>Relations</h3>{_table_attrs(relations_table(report))}"
            f"<h3>About the document</h3>{_table_attrs(metadata_table(report))}")


def _table_attrs(table: str) -> str:
    # QTextDocument draws borders from attributes, not from CSS
    return table.replace("<table>", '<table border="1" cellspacing="0" cellpadding="4" width="100%"'
                                    ' style="border-collapse:collapse;border-color:#d0d7de">')


def _font(picture: DocumentPicture, points: float) -> QFont:
    font = QFont(picture.view.font())
    font.setPointSizeF(points)
    return font


def write_pdf(report: Report, schema: Schema, out: Path) -> int:
    """Write the report as a PDF; returns its page count."""
    picture = DocumentPicture(report, schema)
    try:
        with atomic_binary_path(out) as tmp:
            writer = QPdfWriter(str(tmp))
            writer.setResolution(DPI)
            writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
            writer.setPageMargins(QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
                                  QPageLayout.Unit.Millimeter)
            writer.setTitle(report.title)
            writer.setCreator("Arcmark")
            painter = QPainter(writer)
            try:
                pages = _paint_pages(painter, writer, report, picture)
            finally:
                painter.end()
        return pages
    finally:
        picture.close()


def _paint_pages(painter: QPainter, writer: QPdfWriter, report: Report,
                 picture: DocumentPicture) -> int:
    page = writer.pageLayout().paintRectPixels(DPI)
    room_w, room_h = page.width(), page.height()
    header = _rich(_header_html(report), room_w, _font(picture, 10))
    header.drawContents(painter)
    y = header.size().height() + 6
    pages, top = 1, 0.0
    while top < picture.height:
        bottom = picture.next_break(top, room_h - y)
        if bottom <= top + 1 and y > 0:
            writer.newPage()
            pages, y = pages + 1, 0.0
            continue
        picture.render(painter, top, bottom, 0, y)
        top, y = bottom, y + (bottom - top)
        if top < picture.height:
            writer.newPage()
            pages, y = pages + 1, 0.0
    tables = _rich(_tables_html(report), room_w, _font(picture, 8.5))
    tables.documentLayout().setPaintDevice(writer)
    tables.setPageSize(QSizeF(room_w, room_h))
    for n in range(tables.pageCount()):
        writer.newPage()
        pages += 1
        painter.save()
        painter.translate(0, -n * room_h)
        tables.drawContents(painter, QRectF(0, n * room_h, room_w, room_h))
        painter.restore()
    return pages


def _paint_svg(generator: QSvgGenerator | None, report: Report, picture: DocumentPicture,
               with_text: bool) -> tuple[int, int]:
    """Draw the whole report on one tall page (or only measure it when `generator` is None)."""
    width = picture.width
    header = _rich(_header_html(report), width, _font(picture, 10)) if with_text else None
    tables = _rich(_tables_html(report), width, _font(picture, 9)) if with_text else None
    head_h = header.size().height() + 6 if header else 0
    total = int(head_h + picture.height + (tables.size().height() + 12 if tables else 0))
    if generator is None:
        return width, total
    painter = QPainter(generator)
    try:
        if header:
            header.drawContents(painter)
        picture.render(painter, 0, picture.height, 0, head_h)
        if tables:
            painter.translate(0, head_h + picture.height + 12)
            tables.drawContents(painter)
    finally:
        painter.end()
    return width, total


def _svg_bytes(report: Report, schema: Schema, with_text: bool) -> bytes:
    picture = DocumentPicture(report, schema)
    try:
        width, height = _paint_svg(None, report, picture, with_text)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(QSize(width, height))
        generator.setViewBox(QRect(0, 0, width, height))
        generator.setResolution(DPI)
        generator.setTitle(report.title)
        generator.setDescription("Annotated document exported by Arcmark")
        _paint_svg(generator, report, picture, with_text)
        buffer.close()
        return bytes(data.data())
    finally:
        picture.close()


def write_svg(report: Report, schema: Schema, out: Path) -> None:
    data = _svg_bytes(report, schema, with_text=True)
    with atomic_binary_path(out) as tmp:
        tmp.write_bytes(data)


def write_html(report: Report, schema: Schema, out: Path) -> None:
    drawing = _svg_bytes(report, schema, with_text=False).decode("utf-8")
    page = report_html(report, drawing)
    with atomic_file(out) as handle:
        handle.write(page)


def write_report(report: Report, schema: Schema, out: Path) -> str:
    """Write `out` as HTML, PDF or SVG (by its suffix); returns a one-line summary."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ArcmarkError(f"{out.name}: a report is .html, .pdf or .svg")
    try:
        if suffix == ".pdf":
            pages = write_pdf(report, schema, out)
            return f"wrote {out} ({pages} page{'s' * (pages != 1)})"
        (write_svg if suffix == ".svg" else write_html)(report, schema, out)
    except OSError as exc:
        raise ArcmarkError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    return f"wrote {out}"
