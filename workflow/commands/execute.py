"""`metapipe execute`: run one definition on one input through the emulator."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workflow.commands.output import console, jsonable
from workflow.errors import InputError
from workflow.jsonio import load_json, parse_json_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("execute", help="run a state machine definition locally")
    p.add_argument("definition", help="ASL definition file (JSON)")
    p.add_argument("--input", required=True, metavar="FILE|-", help="execution input (JSON file, or - for stdin)")
    p.add_argument("--mock-config", metavar="FILE", help="Step Functions Local mock configuration")
    p.add_argument("--test-case", metavar="NAME", help="test case in the mock configuration")
    p.add_argument("--state-machine-name", default=None,
                   help="state machine name (default: the definition file's stem, or the only "
                        "state machine in the mock configuration)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workflow.emulator import run as run_definition
    from workflow.emulator.errors import DefinitionError, ExecutionInputRejected
    from workflow.mocks import MockConfig

    if bool(args.mock_config) != bool(args.test_case):
        given = "--mock-config" if args.mock_config else "--test-case"
        raise InputError(given, "$", "--mock-config and --test-case go together")
    definition = load_json(args.definition)
    if not isinstance(definition, dict):
        # run() also takes JSON text, so a JSON string here must not be parsed twice.
        raise InputError(args.definition, "$", "a state machine definition must be a JSON object")
    if args.input == "-":
        payload = parse_json_text(sys.stdin.read(), "<stdin>")
    else:
        payload = load_json(args.input)
    mock_config = MockConfig.load(args.mock_config) if args.mock_config else None
    name = args.state_machine_name or _default_name(args.definition, mock_config)
    if mock_config is not None:
        mock_config.answerer(name, args.test_case)  # an unknown machine or case: InputError
        mock_config.check_states(name, args.test_case, definition)
    try:
        execution = run_definition(definition, payload, mock_config=mock_config,
                                   test_case=args.test_case, state_machine_name=name)
    except DefinitionError as exc:
        raise InputError(args.definition, exc.path, exc.message) from None
    except ExecutionInputRejected as exc:
        raise InputError("<stdin>" if args.input == "-" else args.input, "$", str(exc)) from None
    if args.format == "json":
        doc = {"status": execution.status}
        if execution.status == "SUCCEEDED":
            doc["output"] = execution.output
        else:
            doc["error"] = execution.error
            doc["cause"] = execution.cause
        doc["events"] = execution.events
        json.dump(jsonable(doc), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        out = console()
        out.print(f"status: {execution.status}")
        out.print("states: " + " > ".join(execution.states_entered), markup=False)
        if execution.status == "SUCCEEDED":
            out.print("output: " + json.dumps(execution.output, ensure_ascii=False), markup=False)
        else:
            out.print(f"error: {execution.error}", markup=False)
            out.print(f"cause: {execution.cause}", markup=False)
    return 0 if execution.status == "SUCCEEDED" else 1


def _default_name(definition_file: str, mock_config) -> str:
    """The mock file is keyed by state machine name; guess it only when unambiguous."""
    if mock_config is not None:
        names = list(mock_config.test_cases)
        if len(names) == 1:
            return names[0]
    stem = Path(definition_file).name.split(".")[0]
    return "".join(part.capitalize() for part in stem.replace("_", "-").split("-")) or "StateMachine"
