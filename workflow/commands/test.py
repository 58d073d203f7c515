"""`metapipe test`: run every mock test case in `mocks/cases.json` and check it."""

from __future__ import annotations

import argparse
import json
import sys

from workflow.commands.output import console, jsonable
from workflow.testcases import CaseResult, load_suite, run_suite


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run the mock test cases (mocks/cases.json) and check them")
    p.add_argument("--cases", default="mocks/cases.json", help="cases file (default: %(default)s)")
    p.add_argument("--mock-config", help="Step Functions Local mock file (default: the cases file's mockConfig)")
    p.add_argument("--case", action="append", dest="only", metavar="NAME", help="run only this case (repeatable)")
    p.add_argument("--backend", choices=["local", "container", "both"], default="local",
                   help="local: our emulator (default); container: Step Functions Local in "
                        "Docker; both: run both and report every difference")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workflow.backends.container import (
        ContainerBackend,
        DefinitionRejected,
        NoDockerEngine,
        compare_executions,
    )
    from workflow.backends.local import LocalBackend

    suite = load_suite(args.cases, args.mock_config)
    if args.only:
        for name in args.only:
            suite.case(name)  # an unknown name is an input error, not an empty run
    only = set(args.only or ())
    runs: dict[str, list[CaseResult]] = {}
    if args.backend in ("local", "both"):
        runs["local"] = run_suite(suite, LocalBackend(suite), only=only)
    if args.backend in ("container", "both"):
        try:
            with ContainerBackend(suite) as backend:
                runs["container"] = run_suite(suite, backend, only=only)
        except NoDockerEngine as exc:
            print(f"metapipe test: {exc}", file=sys.stderr)
            return 2
        except DefinitionRejected as exc:  # a backend difference, reported as a failure
            print(f"metapipe test: {exc}", file=sys.stderr)
            return 1
    differences: list[str] = []
    if len(runs) == 2:
        for a, b in zip(runs["local"], runs["container"], strict=True):
            differences += [f"{a.case.name}: {d}" for d in compare_executions(a.execution, b.execution)]
    if args.format == "json":
        doc = {name: [_result_json(r) for r in results] for name, results in runs.items()}
        if len(runs) == 2:
            doc["differences"] = differences
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for name, results in runs.items():
            _print_table(results, name)
        if len(runs) == 2:
            out = console()
            out.print(f"backends differ in {len(differences)} place(s)" if differences
                      else "local and container backends agree on every case")
            for line in differences:
                out.print(f"[yellow]differs[/yellow] {line}")
    ok = all(r.passed for results in runs.values() for r in results) and not differences
    return 0 if ok else 1


def _result_json(result: CaseResult) -> dict:
    ex = result.execution
    return jsonable({
        "case": result.case.name,
        "passed": result.passed,
        "mismatches": list(result.mismatches),
        "status": ex.status if ex else None,
        "error": ex.error if ex else None,
        "cause": ex.cause if ex else None,
        "statesEntered": ex.states_entered if ex else [],
        "output": ex.output if ex else None,
    })


def _print_table(results: list[CaseResult], backend: str) -> None:
    from rich.table import Table

    out = console()
    table = Table(title=f"Mock test cases ({backend} backend)", title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("states taken")
    table.add_column("verdict", no_wrap=True)
    for r in results:
        ex = r.execution
        status = ex.status if ex else "-"
        if ex is not None and ex.error:
            status += f" ({ex.error})"
        verdict = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
        table.add_row(r.case.name, status, " > ".join(ex.states_entered) if ex else "", verdict)
    out.print(table)
    for r in results:
        for m in r.mismatches:
            out.print(f"[red]{r.case.name}[/red]: {m}", markup=True)
    passed = sum(r.passed for r in results)
    out.print(f"{passed} passed, {len(results) - passed} failed")
