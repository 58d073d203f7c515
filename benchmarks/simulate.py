"""Files per second through the whole local pipeline (`metapipe simulate`).

Run: `.venv/bin/python benchmarks/simulate.py [N]` (default 1,000 small metadata files,
one in ten of them invalid JSON so the failure path is measured too). Each file is put into
moto's S3, its event matched by moto's EventBridge matcher, the pipeline run by the
emulator with the in-process indexer writing to the folder index, and failed executions
recorded in moto's DynamoDB and passed on to the ExecutionFailureRecorder. Prints a
figure; asserts nothing about time.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workflow.simulate import Options, collect_files, simulate  # noqa: E402


def make_files(root: Path, count: int) -> None:
    """`count` small metadata.json files in distinct folders; every tenth is invalid."""
    for i in range(count):
        folder = root / f"datasets/group-{i // 100:03d}/dataset-{i:05d}"
        folder.mkdir(parents=True)
        if i % 10 == 9:
            text = '{"id": "broken", '
        else:
            text = json.dumps({"id": f"dataset-{i:05d}", "title": f"Dataset {i}",
                               "keywords": ["benchmark", "metadata"], "sizeBytes": i * 1024})
        (folder / "metadata.json").write_text(text, encoding="utf-8")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "files"
        make_files(root, count)
        files = collect_files([str(root)])
        started = time.perf_counter()
        report = simulate(files, Options(out=Path(tmp) / "out"))
        elapsed = time.perf_counter() - started
    assert report.invariant_holds, "the invariant must hold in the benchmark too"
    print(f"simulate: {count} files in {elapsed:.2f} s = {count / elapsed:.0f} files/s "
          f"({report.count('indexed')} indexed, {report.count('failed')} recorded failures, "
          f"{len(report.lost)} lost)")


if __name__ == "__main__":
    main()
