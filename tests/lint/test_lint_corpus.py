"""The asl-lint corpus target: no error on any valid file, an error on every invalid one.

The corpus is `corpora.ASL_LINT` (METAPIPE_CORPORA, default ../shared/corpora/asl-lint beside
the checkout): absent, the tests skip, or fail under METAPIPE_REQUIRE_CORPORA=1. Files marked
`disputed` are reported apart (the sources disagree with each other or with AWS).
KNOWN_DISAGREEMENTS lists invalid files we deliberately accept, each with the reason;
the test fails if one of them starts failing (then drop it from the list) or if any
other file misses the target. AWS_REJECTS lists files labelled valid that AWS itself is
recorded rejecting: they must get an error, and are counted apart from false positives.
"""

from __future__ import annotations

import json

from corpora import ASL_LINT, require

from workflow.lint import has_errors, lint_file

CORPUS = ASL_LINT

KNOWN_DISAGREEMENTS = {
    # asl-validator's single-line regex rejects a multi-line "{% ... %}"; AWS documents no
    # such restriction and YAML-authored definitions use multi-line expressions.
    "invalid/aslvalidator__invalid-json-surround-syntax-extra-spaces.json",
    # "{%10%}": AWS deploys JSONata with no space after "{%" (docs/lint.md, Real-world
    # check: ASL018 retired); only asl-validator's regex asks for one.
    "invalid/aslvalidator__invalid-jsonata-surround-syntax-no-spaces.json",
    # MaxConcurrency as a JSONata expression in a JSONata machine: the developer guide
    # allows JSONata in Map limits; statelint flags it only because it skips evaluation.
    "invalid/pystatelint__linter--issue-125-no-eval.json",
}

# Labelled valid by tools that treat Credentials as a free payload template, but AWS
# rejects a Credentials object without "RoleArn"/"RoleArn.$": "SCHEMA_VALIDATION_FAILED:
# The field 'RoleArn' is required but was missing" (aws-recorded corpus,
# test_invalid_credentials_field[EMPTY_CREDENTIALS] and [INVALID_CREDENTIALS_FIELD]). ASL052.
AWS_REJECTS = {
    "valid/pystatelint__task-state--ok.json": "Credentials: {}",
    "valid/aslvalidator__valid-task-credentials.json": "Credentials with other fields only",
    "valid/cfnlint__test-functions.json": "Credentials with other fields only",
    "valid/statelint__task-with-credentials.json": "lower-case 'roleArn' (names are exact)",
}


def corpus_entries() -> list[dict]:
    expected = require(CORPUS / "expected.jsonl")
    return [json.loads(line) for line in expected.read_text().splitlines() if line.strip()]


def test_corpus_valid_files_have_no_errors_and_invalid_files_have_one() -> None:
    wrong = []
    for entry in corpus_entries():
        if entry.get("disputed"):
            continue
        errored = has_errors(lint_file(CORPUS / entry["file"]))
        if entry["verdict"] == "valid" and errored and entry["file"] not in AWS_REJECTS:
            wrong.append(("false positive", entry["file"]))
        if entry["file"] in AWS_REJECTS and not errored:
            wrong.append(("AWS rejects this file but it passed", entry["file"]))
        if entry["verdict"] == "invalid" and not errored and \
                entry["file"] not in KNOWN_DISAGREEMENTS:
            wrong.append(("missed", entry["file"]))
        if entry["file"] in KNOWN_DISAGREEMENTS and errored:
            wrong.append(("now detected: drop from KNOWN_DISAGREEMENTS", entry["file"]))
    assert wrong == []


def test_corpus_is_linted_without_crashing_including_disputed_files() -> None:
    for entry in corpus_entries():
        assert isinstance(lint_file(CORPUS / entry["file"]), list)
