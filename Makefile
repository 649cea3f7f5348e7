# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshot setup clean install-desktop

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check $$($(PY) tools/requirements.py test)
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@$(PY) -m tools.qt_check
	$(PY) main.py gui

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

screenshot: $(STAMP)
	$(PY) -m tools.screenshot

# The menu entry and icon for an installed `arcmark` (`pipx install .` or `uv tool install .`):
# Exec names the command found on PATH, else plain `arcmark`.
XDG_DATA_HOME ?= $(HOME)/.local/share
install-desktop:
	install -Dm644 desktop/arcmark.svg $(XDG_DATA_HOME)/icons/hicolor/scalable/apps/arcmark.svg
	sed "s|^Exec=arcmark|Exec=$$(command -v arcmark || echo arcmark)|" desktop/arcmark.desktop \
		> desktop/.arcmark.desktop.tmp
	install -Dm644 desktop/.arcmark.desktop.tmp $(XDG_DATA_HOME)/applications/arcmark.desktop
	rm -f desktop/.arcmark.desktop.tmp
	@command -v update-desktop-database >/dev/null && update-desktop-database -q $(XDG_DATA_HOME)/applications || true
	@command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t $(XDG_DATA_HOME)/icons/hicolor || true

clean:
	rm -rf $(VENV) .pytest_cache
