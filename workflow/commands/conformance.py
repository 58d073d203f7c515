"""`metapipe conformance FILE`: replay AWS-recorded executions in the emulator and score them.

FILE is a `cases.jsonl` in the aws-recorded corpus format; an `invalid-definitions.jsonl`
beside it is checked too. The report gives, per feature tag and overall, how many JSONPath
cases match AWS on status, on output or error+cause, and on the `[type, stateName]` event
sequence. Exit 0 when the targets are met (>= 97% on result, >= 90% on events), 1 when not,
2 for an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workflow.conformance import EVENTS_TARGET, RESULT_TARGET, Report, load_jsonl, run_corpus


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "conformance", help="score the emulator against AWS-recorded executions",
        description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a cases.jsonl in the aws-recorded format")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--only", metavar="SUBSTR", help="only cases whose id contains SUBSTR")
    parser.add_argument("--definitions", type=Path, default=None,
                        help="invalid-definitions file (default: the one beside FILE, if any)")
    parser.add_argument("--summary", action="store_true",
                        help="print only the overall figures and the verdict (as `make test` does)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cases = load_jsonl(args.file)
    definitions_path = args.definitions or args.file.with_name("invalid-definitions.jsonl")
    definitions = load_jsonl(definitions_path) if definitions_path.exists() else []
    report = run_corpus(cases, definitions, only=args.only)
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    elif args.summary:
        print_summary(report, sys.stdout)
    else:
        print_text(report, sys.stdout)
    return 0 if report.meets_targets else 1


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def print_summary(report: Report, out) -> None:
    """One line: the overall figures against their targets, and the verdict."""
    o = report.overall
    rejected = (f", invalid definitions {sum(d.ok for d in report.definitions)}/"
                f"{len(report.definitions)} judged as AWS did" if report.definitions else "")
    out.write(f"conformance: {o.result}/{o.cases} JSONPath cases match AWS on status and "
              f"output/error {_pct(o.result, o.cases).strip()} (target {RESULT_TARGET:.0%}), "
              f"events {o.events}/{o.with_events} {_pct(o.events, o.with_events).strip()} "
              f"(target {EVENTS_TARGET:.0%}){rejected}: "
              f"{'targets met' if report.meets_targets else 'BELOW TARGET'}\n")


def print_text(report: Report, out) -> None:
    """Print the per-feature table, the totals, every mismatch and the definition checks."""
    write = out.write
    write(f"{'feature':<34} {'cases':>5} {'status':>7} {'result':>7} {'events':>13}\n")
    for tag, t in report.by_feature().items():
        write(f"{tag:<34} {t.cases:>5} {_pct(t.status, t.cases):>7} "
              f"{_pct(t.result, t.cases):>7} {t.events:>4}/{t.with_events:<4}"
              f"{_pct(t.events, t.with_events):>5}\n")
    o = report.overall
    write("\n")
    write(f"JSONPath cases: {o.cases}  (skipped, need JSONata: {len(report.skipped)})\n")
    write(f"  status match:            {o.status}/{o.cases} {_pct(o.status, o.cases)}\n")
    write(f"  status + output/error:   {o.result}/{o.cases} {_pct(o.result, o.cases)}"
          f"  (target {RESULT_TARGET:.0%})\n")
    write(f"  event sequence:          {o.events}/{o.with_events} "
          f"{_pct(o.events, o.with_events)}  (target {EVENTS_TARGET:.0%})\n")
    mismatches = report.mismatches()
    if mismatches:
        write(f"\nmismatches ({len(mismatches)}):\n")
        for r in mismatches:
            write(f"  {r.id}\n      {r.detail}\n")
    if report.definitions:
        ok = sum(d.ok for d in report.definitions)
        write(f"\ninvalid definitions: {ok}/{len(report.definitions)} judged as AWS did\n")
        for d in report.definitions:
            if not d.ok:
                verdict = "accepted, AWS rejected" if d.should_reject else "rejected, AWS accepted"
                write(f"  {d.id}: {verdict} {d.detail}\n")
    write(f"\n{'targets met' if report.meets_targets else 'BELOW TARGET'}\n")
