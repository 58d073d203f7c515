"""`metapipe lint PATH... [--type standard|express] [--format text|json|sarif] [--select ...]`.

Also `metapipe lint --explain CODE`. Exit 0 when no finding of severity error remains
after --select/--ignore, 1 otherwise, 2 for unreadable input (one line, no traceback).
Every readable file of a folder is linted even when another cannot be read: each
unreadable file is one line on stderr naming the file and where, the report of the others
is still printed, and the exit code is then 2. A missing path or a folder holding no
definition is an input error before anything is linted.
"""

from __future__ import annotations

import argparse
import sys

from workflow.errors import InputError


def register(subparsers) -> None:
    """Add the `lint` parser."""
    parser = subparsers.add_parser(
        "lint", help="validate Amazon States Language definitions (JSON or YAML)",
        description="Validate ASL definitions; folders are searched for *.json, *.yaml, *.yml.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file or folder to lint")
    parser.add_argument("--type", dest="machine_type", choices=("standard", "express"),
                        default="standard", type=str.lower,
                        help="state machine type the definitions are deployed as (EXPRESS "
                             "rejects .sync and .waitForTaskToken); default standard")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--select", metavar="CODES",
                        help="comma-separated codes (or prefixes) to report, e.g. ASL003,ASL04")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes to drop")
    parser.add_argument("--explain", metavar="CODE", help="print what a rule checks and why")
    parser.set_defaults(func=run)


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def run(args: argparse.Namespace) -> int:
    """Lint the given paths (or explain one rule) and print the report."""
    from workflow.lint import lint_definition
    from workflow.lint.report import RENDERERS, FileResult, Unreadable
    from workflow.lint.rule import REGISTRY
    from workflow.lint.source import collect_files, load_definition

    if args.explain:
        rule = REGISTRY.get(args.explain.strip().upper())
        if rule is None:
            raise InputError("--explain", "$", f"unknown rule code {args.explain!r}; known: "
                             f"{', '.join(sorted(REGISTRY))}")
        print(f"{rule.code} {rule.name} ({rule.severity})\n\n{rule.explanation}")
        return 0
    if not args.paths:
        raise InputError("metapipe lint", "$", "give at least one PATH (or --explain CODE)")
    select, ignore = _codes(args.select), _codes(args.ignore)
    unknown = [c for c in select + ignore if not any(k.startswith(c) for k in REGISTRY)]
    if unknown:
        raise InputError("--select/--ignore", "$", f"unknown rule code(s): {', '.join(unknown)}")
    results, unreadable = [], []
    for path in collect_files(args.paths):
        try:
            definition, text = load_definition(path)
        except InputError as exc:
            # The same one line cli.main prints for an input error, then the next file.
            print(f"metapipe lint: {exc}", file=sys.stderr)
            unreadable.append(Unreadable.from_error(str(path), exc))
            continue
        diagnostics = lint_definition(definition, source_text=text,
                                      state_machine_type=args.machine_type)
        found = [d for d in diagnostics
                 if (not select or d.code.startswith(select)) and not d.code.startswith(ignore)]
        results.append(FileResult(str(path), tuple(found), text))
    sys.stdout.write(RENDERERS[args.format](results, unreadable))
    if unreadable:
        return 2
    return 1 if any(d.severity == "error" for r in results for d in r.diagnostics) else 0
