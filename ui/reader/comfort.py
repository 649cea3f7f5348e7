"""Reading comfort: the text's font and zoom, a dark look, and the reading mode.

- Zoom (Ctrl +, Ctrl −, Ctrl 0) and the font family change the document view only and
  are remembered in the user's settings.
- The look follows the desktop's colour scheme (Qt's `QStyleHints.colorScheme()`, and
  its change signal) unless the user picks Light or Dark. Dark paper gets light ink; the
  label colours are laid thinner under it, so both stay legible.
- Reading mode (F11) hides the panels, the toolbar, the menu bar and the status bar,
  fills the screen and sets the text in a centred column of about 70 characters; F11
  again (or closing the window) brings everything back as it was.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette
from PySide6.QtWidgets import QMainWindow, QWidget

from ui.document.document_view import FONT_POINTS, DocumentView
from ui.shell.window_frame import DOCUMENT_TAB

MIN_POINTS, MAX_POINTS = 7.0, 36.0
THEMES = ("system", "light", "dark")
READING_CHARACTERS = 78  # of average width: about 66 characters of prose a line


def dark_palette(base: QPalette) -> QPalette:
    """A dark version of the window's palette."""
    palette = QPalette(base)
    colours = {
        QPalette.ColorRole.Window: "#25282c", QPalette.ColorRole.WindowText: "#e6e6e3",
        QPalette.ColorRole.Base: "#1e2125", QPalette.ColorRole.AlternateBase: "#2a2e33",
        QPalette.ColorRole.Text: "#e6e6e3", QPalette.ColorRole.Button: "#30343a",
        QPalette.ColorRole.ButtonText: "#e6e6e3", QPalette.ColorRole.ToolTipBase: "#30343a",
        QPalette.ColorRole.ToolTipText: "#e6e6e3", QPalette.ColorRole.Highlight: "#2f5d8a",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Link: "#8ab4f8", QPalette.ColorRole.Mid: "#3a3f45",
        QPalette.ColorRole.Dark: "#16181b", QPalette.ColorRole.Light: "#3d4248",
    }
    for role, name in colours.items():
        palette.setColor(role, QColor(name))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7d8288"))
    return palette


class ReadingComfort(QObject):
    """Font, zoom, theme and reading mode of one window's document view."""

    reading_mode_changed = Signal(bool)
    theme_changed = Signal(bool)  # dark

    def __init__(self, window: QMainWindow, view: DocumentView, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.view = view
        self.settings = settings
        # QWidget.palette itself: the main window keeps its label palette under that name
        self._light_palette = QPalette(QWidget.palette(window))
        self._saved: dict[QWidget, bool] = {}
        self._saved_state = Qt.WindowState.WindowNoState
        self.reading = False
        self.dark = False
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_hints_color_scheme_changed)
        self.apply_font()
        self.apply_theme()

    # --- font and zoom ------------------------------------------------------------------------

    def font_points(self) -> float:
        return _clamp(_as_float(self.settings.value("reader/font_points"), FONT_POINTS))

    def font_family(self) -> str:
        return str(self.settings.value("reader/font_family") or "")

    def apply_font(self) -> None:
        font = QFont(self.view.font())
        family = self.font_family()
        if family:
            font.setFamily(family)
        font.setPointSizeF(self.font_points())
        self.view.setFont(font)
        if self.reading:
            self.view.set_max_text_width(self.reading_width())

    def zoom(self, steps: int) -> None:
        """Bigger (steps > 0) or smaller text; 0 goes back to the default size."""
        points = FONT_POINTS if steps == 0 else _clamp(self.font_points() + steps)
        self.settings.setValue("reader/font_points", points)
        self.apply_font()

    def set_font_family(self, family: str) -> None:
        self.settings.setValue("reader/font_family", family)
        self.apply_font()

    # --- theme --------------------------------------------------------------------------------

    def theme(self) -> str:
        value = str(self.settings.value("reader/theme") or "system")
        return value if value in THEMES else "system"

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}")
        self.settings.setValue("reader/theme", theme)
        self.apply_theme()

    def desktop_is_dark(self) -> bool:
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def apply_theme(self) -> None:
        theme = self.theme()
        dark = theme == "dark" or (theme == "system" and self.desktop_is_dark())
        self.dark = dark
        self.window.setPalette(dark_palette(self._light_palette) if dark else self._light_palette)
        self.view.set_theme(dark)
        self.theme_changed.emit(dark)

    def _on_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.theme() == "system":
            self.apply_theme()

    # --- reading mode -------------------------------------------------------------------------

    def reading_width(self) -> int:
        metrics = QFontMetricsF(self.view.font())
        margin = self.view.document().documentMargin()
        return round(metrics.averageCharWidth() * READING_CHARACTERS + 2 * margin)

    def set_reading_mode(self, on: bool) -> None:
        if on == self.reading:
            return
        window = self.window
        chrome = [w for w in (*getattr(window, "docks", ()), getattr(window, "toolbar", None),
                              window.menuBar(), window.statusBar()) if w is not None]
        if on:
            self._saved = {w: w.isVisible() for w in chrome}
            self._saved_state = window.windowState()
            for widget in chrome:
                widget.hide()
            tabs = getattr(window, "tabs", None)
            if tabs is not None:
                tabs.setCurrentIndex(DOCUMENT_TAB)
                tabs.tabBar().hide()
            self.view.set_max_text_width(self.reading_width())
            window.showFullScreen()
        else:
            self.view.set_max_text_width(None)
            tabs = getattr(window, "tabs", None)
            if tabs is not None:
                tabs.tabBar().show()
            for widget, visible in self._saved.items():
                widget.setVisible(visible)
            self._saved = {}
            window.setWindowState(self._saved_state)
        self.reading = on
        self.reading_mode_changed.emit(on)


def _as_float(value: object, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _clamp(points: float) -> float:
    return min(max(points, MIN_POINTS), MAX_POINTS)
