# Two entry points, each self-sufficient on a fresh machine:
#   make demo   the main job (creates .venv and installs what it needs)
#   make test   the whole test suite plus the definition checks
# The venv is (re)installed only when pyproject.toml changes, so both are idempotent.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test venv lint-asl clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/metapipe simulate examples/

test: $(STAMP)
	$(BIN)/ruff check workflow tests
	$(BIN)/metapipe build --check
	$(BIN)/metapipe lint asl/
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache out
