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

# The main job on the built-in demo company, the whole cycle: build it, propose a target,
# split it, draw a half-year of CRM deals around the targets, import them, evaluate, apply
# the demo's one approved adjustment and evaluate again on the adjusted targets.
DEMO_DEALS ?= $(dir $(DEMO))demo-crm-deals.csv

demo: venv
	$(BIN)/salesgoal demo $(DEMO) --force
	$(BIN)/salesgoal propose $(DEMO) --final base
	$(BIN)/salesgoal split $(DEMO)
	$(BIN)/salesgoal demo-actuals $(DEMO) $(DEMO_DEALS) --months 6 --force
	$(BIN)/salesgoal import-actuals $(DEMO) $(DEMO_DEALS)
	$(BIN)/salesgoal evaluate $(DEMO)
	$(BIN)/salesgoal adjust $(DEMO)
	$(BIN)/salesgoal evaluate $(DEMO) > /dev/null
	@echo ""
	@echo "The demo cycle is in $(DEMO); open it in Excel or LibreOffice:"
	@echo "  Target setting  tblProposal: the company and region targets (regions add up to the"
	@echo "                  company), SMART checks, tblBacktest: each forecast's back-test"
	@echo "  Targets         tblTargets: exact leaf targets (Rep plan and Rep x Month: readable views)"
	@echo "  Plan views      region and team by month and quarter, channel by product line"
	@echo "  Actuals         tblActuals: the deals of $(DEMO_DEALS), summed per leaf"
	@echo "  Tracking        tblTracking (per rep), tblTrackingUnits (company, region, team,"
	@echo "                  channel, product), tblWarnings (early warnings, re-targeting)"
	@echo "  Evaluation      tblScorecard (scores, ranks, bands), tblFairness"
	@echo "  Dashboard       actual vs target by month and attainment by region, with charts"
	@echo "  Adjustments     tblAdjustments: the approved request ADJ-001 (South cut from July),"
	@echo "                  applied and chain-hashed; tblAdjustmentChanges: the targets it moved"

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
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_live.py

templates: venv
	$(BIN)/salesgoal templates workbook_templates

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out
