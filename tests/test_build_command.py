"""`metapipe build [--check]`: writes the committed files exactly and detects any drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflow.cli import main

REPO = Path(__file__).resolve().parent.parent
NAMES = ("metadata-pipeline.asl.json", "execution-failure-recorder.asl.json")


@pytest.fixture
def asl_copy(tmp_path: Path) -> Path:
    out = tmp_path / "asl"
    out.mkdir()
    for name in NAMES:
        shutil.copyfile(REPO / "asl" / name, out / name)
    return out


def test_check_passes_on_the_committed_files(capsys):
    assert main(["build", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_build_writes_files_identical_to_the_committed_ones(tmp_path):
    assert main(["build", "--out", str(tmp_path)]) == 0
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (REPO / "asl" / name).read_bytes()


def test_check_detects_one_changed_byte_and_prints_the_diff(asl_copy, capsys):
    path = asl_copy / NAMES[0]
    data = bytearray(path.read_bytes())
    index = data.index(b"256000")
    data[index] = ord("9")
    path.write_bytes(bytes(data))
    assert main(["build", "--check", "--out", str(asl_copy)]) == 1
    captured = capsys.readouterr()
    assert "-          \"NumericGreaterThan\": 956000," in captured.out
    assert "+          \"NumericGreaterThan\": 256000," in captured.out
    assert "regenerate with: metapipe build" in captured.err


def test_check_detects_a_trailing_whitespace_only_change(asl_copy, capsys):
    path = asl_copy / NAMES[1]
    path.write_bytes(path.read_bytes() + b"\n")
    assert main(["build", "--check", "--out", str(asl_copy)]) == 1
    assert NAMES[1] in capsys.readouterr().out


def test_check_detects_a_missing_file(asl_copy, capsys):
    (asl_copy / NAMES[1]).unlink()
    assert main(["build", "--check", "--out", str(asl_copy)]) == 1
    captured = capsys.readouterr()
    assert "(missing)" in captured.out
    assert "metapipe build" in captured.err


def test_build_then_check_is_clean(tmp_path):
    assert main(["build", "--out", str(tmp_path)]) == 0
    assert main(["build", "--check", "--out", str(tmp_path)]) == 0
