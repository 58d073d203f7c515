"""No Python exception escapes `run()`: every definition gives an Execution or a
DefinitionError naming a JSON path (issue 3, "Done when").

The inputs are every definition we can find that people actually wrote: the 500 valid and
invalid files of the asl-lint corpus (broken on purpose in every way the existing tools
know), the 925 AWS-recorded definitions and the invalid definitions AWS rejected, each run
on a few inputs, plus random mutations of them (fields of the wrong type, dropped fields).
"""

from __future__ import annotations

import copy
import json
import random
import re

import pytest
from corpora import CORPORA, available

from workflow.emulator import run
from workflow.emulator.errors import DefinitionError
from workflow.emulator.execution import Execution

SHARED = CORPORA
INPUTS = [{}, {"a": 1, "items": [1, 2], "detail": {"object": {"size": 3}}}, [], "text", None]
ODD_VALUES = [None, 0, -1, 1.5, "", "x", "$.nope", "$$.nope", [], {}, True, "States.Nope()"]


def _definitions() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    lint = SHARED / "asl-lint"
    available(lint)
    for path in sorted(lint.glob("*/*.json")):
        try:
            found.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
        except ValueError:
            continue
    for name in ("cases.jsonl", "invalid-definitions.jsonl"):
        file = SHARED / "aws-recorded" / name
        if available(file):
            for line in file.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                found.append((record["id"], record["definition"]))
    return found


def _mutants(definition: object, rng: random.Random, count: int) -> list[object]:
    """Copies of `definition` with one value somewhere replaced by an odd one, or removed."""
    places: list[tuple[object, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                places.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                places.append((node, i))
                walk(value)

    out = []
    for _ in range(count):
        clone = copy.deepcopy(definition)
        places.clear()
        walk(clone)
        if not places:
            break
        container, key = rng.choice(places)
        if isinstance(container, dict) and rng.random() < 0.3:
            del container[key]
        else:
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        out.append(clone)
    return out


_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def _parts(path: str) -> list[str | int]:
    """Split a path rendered by `workflow.errors.json_path` back into keys and indexes."""
    assert path.startswith("$"), path
    parts: list[str | int] = []
    i = 1
    while i < len(path):
        m = _PATH_PART.match(path, i)
        assert m, f"not a JSON path: {path!r} (at character {i})"
        name, index, quoted = m.groups()
        if index is not None:
            parts.append(int(index))
        elif name is not None:
            parts.append(name)
        else:
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        i = m.end()
    return parts


def _assert_names_a_place(definition: object, exc: DefinitionError) -> None:
    """The path is a JSON path of this definition: everything but its last step exists (the
    last may be a required field that is missing)."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError:
            assert exc.path == "$", str(exc)  # text that is not JSON at all
            return
    node = definition
    parts = _parts(exc.path)
    for part in parts[:-1]:
        if isinstance(part, int):
            assert isinstance(node, list) and part < len(node), (exc.path, str(exc))
        else:
            assert isinstance(node, dict) and part in node, (exc.path, str(exc))
        node = node[part]
    assert exc.message, exc.path


def _run_safely(definition: object, payload: object) -> str | None:
    """Run once; return the rejected path (None when it ran) after checking the answer."""
    try:
        result = run(definition, payload, max_transitions=2_000)
    except DefinitionError as exc:  # UnsupportedFeature is a DefinitionError too
        _assert_names_a_place(definition, exc)
        return exc.path
    assert isinstance(result, Execution)
    assert result.status in {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
    if result.status == "FAILED":
        assert result.error != "Emulator.InternalError", (result.error, result.cause)
    return None


def _run_or_fail(definition: object, payload: object, name: str | None = None):
    """`_run_safely`, turning any Python exception that escapes `run()` into a test failure
    that names the definition (its corpus name, or the start of its JSON)."""
    try:
        return _run_safely(definition, payload)
    except AssertionError:
        raise
    except Exception as exc:  # pragma: no cover - the point of the test
        label = name or json.dumps(definition)[:400]
        pytest.fail(f"{label}: {type(exc).__name__} escaped run(): {exc}")


def test_every_known_definition_runs_or_is_rejected_with_a_path():
    definitions = _definitions()
    if not definitions:
        pytest.skip(f"the shared corpora are not at {SHARED}")
    for name, definition in definitions:
        rejected = set()
        for payload in INPUTS:
            rejected.add(_run_or_fail(definition, payload, name))
        # A definition error is found when the plan is compiled, before the execution
        # starts (AWS rejects at CreateStateMachine), so it cannot depend on the input.
        assert len(rejected) == 1, f"{name}: rejected only for some inputs: {rejected}"


def test_mutated_definitions_never_raise_a_python_exception():
    definitions = [d for _, d in _definitions() if isinstance(d, dict)]
    if not definitions:
        pytest.skip(f"the shared corpora are not at {SHARED}")
    rng = random.Random(20261126)  # fixed: a failure is reproducible
    for definition in rng.sample(definitions, min(300, len(definitions))):
        for mutant in _mutants(definition, rng, 8):
            _run_or_fail(mutant, {"a": 1})


def test_twice_mutated_definitions_on_every_input_run_or_are_rejected_before_the_run():
    definitions = [d for _, d in _definitions() if isinstance(d, dict)]
    if not definitions:
        pytest.skip(f"the shared corpora are not at {SHARED}")
    rng = random.Random(3)  # fixed: a failure is reproducible
    for definition in rng.sample(definitions, min(150, len(definitions))):
        for mutant in _mutants(definition, rng, 3):
            if not isinstance(mutant, dict):
                continue
            for twice in _mutants(mutant, rng, 3):
                rejected = set()
                for payload in INPUTS:
                    rejected.add(_run_or_fail(twice, payload))
                assert len(rejected) == 1, (json.dumps(twice)[:400], rejected)
