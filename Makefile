# The two newcomer commands (see README): `make demo` and `make test`.
# Each creates its own virtual environment in .venv and installs into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= out/demo-plan.xlsx

.PHONY: demo test lint typecheck unit venv system-deps bench templates clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,addin]'

# LibreOffice Calc is the real spreadsheet engine the workbook tests recalculate in, and
# python3-uno (Debian's UNO bridge, the same Python 3.11 as the venv) lets the live-path
# tests drive it; tests/libreoffice.py puts uno.py on the venv's path.
UNO_PY := /usr/lib/python3/dist-packages/uno.py

system-deps:
	@missing=""; \
	command -v soffice >/dev/null 2>&1 || missing="libreoffice-calc poppler-utils fonts-noto-cjk"; \
	[ -f $(UNO_PY) ] || missing="$$missing python3-uno"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing >/dev/null; \
	  else echo "missing system packages: $$missing (apt-get install them)" >&2; exit 1; fi; \
	fi

# The main job on the built-in demo company: build it, propose a target, split it.
demo: venv
	$(BIN)/salesgoal demo $(DEMO) --force
	$(BIN)/salesgoal propose $(DEMO) --final base
	$(BIN)/salesgoal split $(DEMO)
	@echo "The split demo plan is in $(DEMO): open it in Excel or LibreOffice."

LINTED := salesgoal_xl tests $(wildcard benchmarks scripts)

lint: venv
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports --no-cache

typecheck: venv
	$(BIN)/mypy

unit: venv system-deps
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: venv
	$(BIN)/python benchmarks/bench_allocation.py
	$(BIN)/python benchmarks/bench_split.py
	$(BIN)/python benchmarks/bench_udfs.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_live.py

templates: venv
	$(BIN)/salesgoal templates workbook_templates

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out
