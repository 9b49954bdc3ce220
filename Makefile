# Deux commandes font tout : `make run` et `make test`. Le reste sert aux curieux.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test eval bench lint check console clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(RUN_STAMP) $@

run: $(RUN_STAMP)
	$(PY) -m bot

console: $(RUN_STAMP)
	$(PY) -m bot console

check: $(RUN_STAMP)
	$(PY) -m bot check

test: $(DEV_STAMP)
	$(PY) -m ruff check bot tests bench tools
	$(PY) -m mypy bot/core tools
	$(PY) -m bot check
	$(PY) -m pytest -q

eval: $(DEV_STAMP)
	$(PY) -m tests.quality.evaluate

bench: $(DEV_STAMP)
	$(PY) -m bench.run
	$(PY) -m bench.approvals

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
