"""Lint the whole asl-lint corpus with metapipe and with asl-validator; print files/s.

Usage: .venv/bin/python benchmarks/lint.py [--runs 3]
asl-validator (npm) is installed into .bench/ with `npm install --prefix` on first use
and run as one node process over all files through its library call (the CLI defaults:
checkArn and checkPaths). Times are wall-clock medians including process start-up for
both tools; this prints ratios and never asserts on them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "asl-lint"
BENCH = ROOT / ".bench"
ASL_VALIDATOR = "asl-validator@4.0.0"

NODE_SCRIPT = r"""
const fs = require('fs');
const mod = require(process.argv[process.argv.length - 1]);
const validator = mod.default || mod.validator || mod;
const files = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
let invalid = 0;
for (const f of files) {
  try {
    const r = validator(JSON.parse(fs.readFileSync(f, 'utf8')), {checkArn: true, checkPaths: true});
    if (!r.isValid) invalid++;
  } catch (e) { invalid++; }
}
console.log(JSON.stringify({files: files.length, invalid}));
"""

OURS = r"""
import json, sys
from workflow.lint import has_errors, lint_file
files = sys.stdin.read().split()
print(json.dumps({"files": len(files), "invalid": sum(has_errors(lint_file(f)) for f in files)}))
"""


def corpus_files() -> list[str]:
    return sorted(str(p) for p in CORPUS.glob("*/*.json"))


def ensure_asl_validator() -> Path:
    package = BENCH / "node_modules" / "asl-validator"
    if not package.exists():
        BENCH.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(BENCH), ASL_VALIDATOR], check=True)
    return package


def timed(cmd: list[str], stdin: str) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True,
                          cwd=ROOT)
    return time.perf_counter() - start, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = corpus_files()
    if not files:
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    stdin = "\n".join(files)
    package = ensure_asl_validator()
    tools = {
        "metapipe lint": [sys.executable, "-c", OURS],
        "asl-validator 4.0.0": ["node", "-e", NODE_SCRIPT, str(package)],
    }
    medians = {}
    for name, cmd in tools.items():
        runs = [timed(cmd, stdin) for _ in range(args.runs)]
        medians[name] = statistics.median(t for t, _ in runs)
        result = runs[0][1]
        print(f"{name:22} {result['files']} files, {result['invalid']} flagged, "
              f"median {medians[name]:.3f} s over {args.runs} runs, "
              f"{result['files'] / medians[name]:.0f} files/s")
    ours, theirs = medians["metapipe lint"], medians["asl-validator 4.0.0"]
    print(f"ratio: metapipe lint is {theirs / ours:.1f}x the speed of asl-validator")
    return 0


if __name__ == "__main__":
    sys.exit(main())
