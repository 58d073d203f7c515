"""`metapipe`: the command line. `main(argv) -> int`; only this module prints errors.

Exit codes everywhere: 0 ok, 1 findings / failed execution / mismatch, 2 usage or input
error. Each subcommand lives in `workflow/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workflow import __version__
from workflow.errors import InputError

# Order is the order `metapipe --help` lists them in.
COMMANDS = ("build", "execute", "test", "conformance", "lint", "simulate")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="metapipe",
        description="Build, lint, run and simulate the Step Functions workflow that indexes "
                    "S3 metadata.json objects into OpenSearch Serverless.",
        epilog="Exit codes: 0 ok, 1 findings or a failed execution, 2 bad input.")
    parser.add_argument("--version", action="version", version=f"metapipe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"workflow.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"metapipe {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
