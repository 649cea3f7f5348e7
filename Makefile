# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshot setup clean

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

clean:
	rm -rf $(VENV) .pytest_cache
