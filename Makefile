# Two entry points, each self-sufficient on a fresh machine:
#   make demo   the main job (creates .venv and installs what it needs)
#   make test   the whole test suite plus the definition checks
# The venv is (re)installed only when pyproject.toml changes, so both are idempotent.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
# The shared corpora (beside the checkout unless METAPIPE_CORPORA says otherwise); the
# AWS-recorded executions are the emulator's fidelity target. METAPIPE_REQUIRE_CORPORA=1
# (set by .ci/run) turns a missing corpus from a skip into a failure.
METAPIPE_CORPORA ?= ../shared/corpora
AWS_RECORDED ?= $(METAPIPE_CORPORA)/aws-recorded/cases.jsonl

.PHONY: demo test venv lint-asl clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	@touch $(STAMP)

venv: $(STAMP)

# The demo: first the workflow takes every mocked path (success, S3 miss, indexing failure,
# retries, bad input) in the emulator, then the whole pipeline runs locally over examples/.
# examples/ holds broken files on purpose: their recorded failures make simulate exit 1,
# which is the demo's expected outcome; a lost file (3) or bad input (2) still fails it.
demo: $(STAMP)
	$(BIN)/metapipe test
	$(BIN)/metapipe simulate examples/ || test $$? -eq 1

test: $(STAMP)
	$(BIN)/ruff check workflow tests
	$(BIN)/metapipe build --check
	$(BIN)/metapipe lint asl/
	$(BIN)/metapipe lint --type express asl/execution-failure-recorder.asl.json
	@if [ -f $(AWS_RECORDED) ]; then $(BIN)/metapipe conformance $(AWS_RECORDED) --summary; \
	 elif [ "$$METAPIPE_REQUIRE_CORPORA" = 1 ]; then echo "conformance: $(AWS_RECORDED) not found" >&2; exit 1; \
	 else echo "conformance: $(AWS_RECORDED) not found, skipped (tests say so too)"; fi
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache out
