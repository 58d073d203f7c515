"""`metapipe build [--check]`: write every state machine to `asl/`, or check that it is current.

The committed files are generated; `--check` compares each one byte for byte with a fresh
build and, on any difference or missing file, prints a unified diff and the command that
regenerates them, then exits 1.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from workflow.jsonio import dumps_canonical, write_json
from workflow.machines import MACHINES, file_name

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "asl"
REGENERATE = "metapipe build"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build", help="write the state machine definitions to asl/ (or --check them)",
        description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 with a diff if a committed file is stale")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder of the .asl.json files (default: the repository's asl/)")
    parser.set_defaults(func=run)


def expected_files() -> dict[str, str]:
    """File name -> the exact text a fresh build writes."""
    return {file_name(m.NAME): dumps_canonical(m.build().to_asl()) for m in MACHINES}


def stale_files(out: Path) -> dict[str, str]:
    """File name -> unified diff, for every file in `out` that differs from a fresh build."""
    diffs: dict[str, str] = {}
    for name, text in expected_files().items():
        path = out / name
        try:
            committed = path.read_bytes()
        except FileNotFoundError:
            diffs[name] = f"--- {path} (missing)\n+++ {name} (fresh build)\n"
            continue
        if committed == text.encode("utf-8"):
            continue
        current = committed.decode("utf-8", errors="replace")
        diff = "".join(difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"{path} (committed)", tofile=f"{name} (fresh build)"))
        # Bytes that decode alike (a BOM, invalid UTF-8) still count as a difference.
        diffs[name] = diff or f"--- {path}\n+++ {name}\n(differs in bytes only)\n"
    return diffs


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if args.check:
        diffs = stale_files(out)
        for diff in diffs.values():
            sys.stdout.write(diff if diff.endswith("\n") else diff + "\n")
        if diffs:
            print(f"{len(diffs)} generated file(s) out of date in {out}; "
                  f"regenerate with: {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{len(MACHINES)} definition(s) in {out} are up to date")
        return 0
    for m in MACHINES:
        path = out / file_name(m.NAME)
        write_json(path, m.build().to_asl())
        print(f"wrote {path} ({m.NAME} {m.VERSION})")
    return 0
