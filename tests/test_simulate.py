"""`metapipe simulate`: every example's fate, the invariant, and the OpenSearch targets."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from opensearch_stub import (
    authorization_fields,
    base_url,
    expected_signature,
    lower_headers,
    received,
)

from workflow.cli import main
from workflow.simulate import (
    FAILURE_TABLE,
    LocalFile,
    LocalPipeline,
    Options,
    collect_files,
    judge,
    load_indexer_module,
    simulate,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

# key -> (outcome, error name or None)
EXPECTED = {
    "datasets/weather/hourly-observations/metadata.json": ("indexed", None),
    "datasets/ocean/sea-surface-temperature/metadata.json": ("indexed", None),
    "products/satellite-imagery/metadata.json": ("indexed", None),
    "broken/invalid-json/metadata.json": ("failed", "InvalidMetadata"),
    "broken/empty-file/metadata.json": ("failed", "InvalidMetadata"),
    "broken/json-array/metadata.json": ("failed", "InvalidMetadata"),
    "broken/too-large/metadata.json": ("failed", "MetadataTooLarge"),
    "broken/not-utf8/metadata.json": ("failed", "InvalidMetadata"),
    "notes.txt": ("ignored", None),
    "archive/old-metadata.json": ("ignored", None),
}


@pytest.fixture(scope="module")
def examples_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return simulate(collect_files([str(EXAMPLES)]), Options(out=out)), out


def by_key(report):
    return {o.key: o for o in report.outcomes}


# --- the examples -------------------------------------------------------------------------

def test_examples_cover_every_file_in_the_folder(examples_report):
    report, _ = examples_report
    assert set(by_key(report)) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_example_has_its_expected_outcome(examples_report, key):
    outcome = by_key(examples_report[0])[key]
    assert (outcome.outcome, outcome.error if outcome.outcome == "failed" else None) == \
        EXPECTED[key]


def test_indexed_examples_have_sha256_document_ids_and_were_created(examples_report):
    for o in examples_report[0].outcomes:
        if o.outcome == "indexed":
            assert len(o.document_id) == 64 and int(o.document_id, 16) >= 0
            assert o.result == "created"
            assert o.states[-3:] == ("IndexDocument", "ShapeOutput", "Indexed")


def test_non_utf8_example_fails_as_invalid_metadata_because_of_replacement_characters(
        examples_report):
    # getObject's Body is a string; undecodable bytes arrive as U+FFFD (inferred) and the
    # indexer rejects U+FFFD, so the file ends as a recorded InvalidMetadata failure.
    outcome = by_key(examples_report[0])["broken/not-utf8/metadata.json"]
    assert "U+FFFD" in json.loads(outcome.cause)["errorMessage"]


def test_too_large_example_is_refused_without_reading_the_object(examples_report):
    outcome = by_key(examples_report[0])["broken/too-large/metadata.json"]
    assert "GetMetadataObject" not in outcome.states
    assert "RejectOversizedObject" in outcome.states


def test_examples_keep_the_invariant_and_exit_1_because_some_failed(examples_report):
    report, _ = examples_report
    assert report.matched == 8
    assert report.invariant_holds
    assert report.lost == ()
    assert report.exit_code == 1


def test_failures_jsonl_holds_the_contracts_failure_items(examples_report):
    report, out = examples_report
    lines = (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 5
    for record in records:
        assert set(record) == {"executionId", "timestamp", "bucket", "key", "error", "cause",
                               "event"}
        assert record["executionId"].startswith(
            "arn:aws:states:us-east-1:123456789012:execution:MetadataPipeline:")
        event = json.loads(record["event"])
        assert event["detail"]["object"]["key"] == record["key"]
        assert event["detail-type"] == "Object Created"


def test_folder_index_is_replayable_bulk_ndjson_of_exactly_the_indexed_documents(examples_report):
    report, out = examples_report
    lines = (out / "index" / "bulk.ndjson").read_text(encoding="utf-8").splitlines()
    actions, documents = lines[0::2], [json.loads(line) for line in lines[1::2]]
    ids = [json.loads(a)["index"]["_id"] for a in actions]
    indexed = {o.document_id: o.key for o in report.outcomes if o.outcome == "indexed"}
    assert sorted(ids) == sorted(indexed)
    for doc_id, document in zip(ids, documents, strict=True):
        assert document["source"]["key"] == indexed[doc_id]
        assert set(document) == {"@timestamp", "source", "metadata"}
    template = json.loads((out / "index" / "index-template.json").read_text())
    assert template["index_patterns"] == ["metadata*"]
    readme = (out / "index" / "README.txt").read_text()
    assert "application/x-ndjson" in readme and "/_bulk" in readme
    assert "/_index_template/metadata-template" in readme


def test_events_have_the_real_s3_eventbridge_shape(tmp_path):
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        event = pipeline.put(LocalFile(EXAMPLES / "notes.txt", "a/metadata.json"))
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time",
                          "region", "resources", "detail"}
    detail = event["detail"]
    assert set(detail) == {"version", "bucket", "object", "request-id", "requester",
                           "source-ip-address", "reason"}
    assert set(detail["object"]) == {"key", "size", "etag", "version-id", "sequencer"}
    assert not detail["object"]["etag"].startswith('"')


# --- delivery semantics -----------------------------------------------------------------------

def write(tmp_path: Path, key: str, body: bytes | str) -> LocalFile:
    path = tmp_path / "files" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return LocalFile(path, key)


def test_the_same_event_delivered_twice_gives_one_document(tmp_path):
    # S3 and EventBridge deliver at least once (AWS-FACTS.md): the id is SHA-256 of bucket,
    # key and version-id, so a duplicate updates the same document.
    local = write(tmp_path, "d/metadata.json", '{"title": "t"}')
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        event = pipeline.put(local)
        first, second = pipeline.deliver(event), pipeline.deliver(event)
        folder = pipeline.target.folder
    assert first.status == second.status == "SUCCEEDED"
    assert first.output["documentId"] == second.output["documentId"]
    assert (first.output["result"], second.output["result"]) == ("created", "updated")
    assert folder.ids == {("metadata", first.output["documentId"])}


def test_a_new_version_of_the_same_key_is_a_new_document(tmp_path):
    local = write(tmp_path, "d/metadata.json", '{"title": "t"}')
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        one = pipeline.deliver(pipeline.put(local))
        two = pipeline.deliver(pipeline.put(local))
    assert one.output["documentId"] != two.output["documentId"]


def test_object_deleted_between_event_and_read_is_recorded_as_no_such_key(tmp_path):
    # Unversioned bucket: the read has no VersionId, so S3 answers NoSuchKey
    # (AWS-FACTS.md: S3.NoSuchKeyException, recorded 2025-01).
    local = write(tmp_path, "gone/metadata.json", '{"title": "t"}')
    with LocalPipeline(Options(out=tmp_path, versioned=False)) as pipeline:
        event = pipeline.put(local)
        pipeline.s3.delete_object(Bucket=pipeline.options.bucket, Key=local.key)
        execution = pipeline.deliver(event)
        records = pipeline.failure_records()
    assert "version-id" not in event["detail"]["object"]
    assert "PrepareUnversionedRead" in execution.states_entered
    assert [r["error"] for r in records] == ["S3.NoSuchKeyException"]
    outcome = judge(local, event, execution, records)
    assert (outcome.outcome, outcome.recorded_by) == ("failed", "pipeline")


def test_version_deleted_between_event_and_read_is_retried_then_recorded(tmp_path):
    # Versioned bucket (as the stack): the read names the version; S3's NoSuchVersion is not
    # in the S3 model, so it is S3.S3Exception, which the pipeline retries 3 times.
    local = write(tmp_path, "gone/metadata.json", '{"title": "t"}')
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        event = pipeline.put(local)
        pipeline.s3.delete_object(Bucket=pipeline.options.bucket, Key=local.key,
                                  VersionId=event["detail"]["object"]["version-id"])
        execution = pipeline.deliver(event)
        records = pipeline.failure_records()
    assert [c.state for c in execution.calls].count("GetMetadataObject") == 4
    assert [r["error"] for r in records] == ["S3.S3Exception"]


def test_url_encoded_keys_do_not_find_their_object(tmp_path):
    # Whether EventBridge URL-encodes detail.object.key is unconfirmed (AWS-FACTS.md):
    # `--key-encoding url` shows what the pipeline would do if it did.
    keys = ["with space/metadata.json", "c++/metadata.json", "données/metadata.json"]
    files = [write(tmp_path, key, '{"title": "t"}') for key in keys]
    plain = simulate(files, Options(out=tmp_path / "plain"))
    encoded = simulate(files, Options(out=tmp_path / "url", key_encoding="url"))
    assert [o.outcome for o in plain.outcomes] == ["indexed"] * 3
    assert [o.outcome for o in encoded.outcomes] == ["failed"] * 3
    assert {o.error for o in encoded.outcomes} == {"S3.S3Exception"}  # NoSuchVersion


def test_an_uncaught_failure_is_recorded_by_the_execution_failure_recorder(tmp_path):
    # A Choice on a missing field fails with States.Runtime, which no catcher sees
    # (AWS-FACTS.md); the stack's second rule hands the failed execution to the recorder.
    local = write(tmp_path, "x/metadata.json", "{}")
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        event = pipeline.put(local)
        del event["detail"]["object"]["size"]
        execution = pipeline.deliver(event)
        records = pipeline.failure_records()
    assert execution.status == "FAILED" and execution.error == "States.Runtime"
    outcome = judge(local, event, execution, records)
    assert (outcome.outcome, outcome.recorded_by, outcome.error) == \
        ("failed", "recorder", "States.Runtime")


def test_a_failure_nobody_could_record_is_reported_lost(tmp_path):
    local = write(tmp_path, "x/metadata.json", "[]")
    with LocalPipeline(Options(out=tmp_path)) as pipeline:
        event = pipeline.put(local)
        pipeline.dynamodb.delete_table(TableName=FAILURE_TABLE)
        execution = pipeline.deliver(event)
    assert execution.states_entered[-1] == "FailedUnrecorded"
    outcome = judge(local, event, execution, [])
    assert outcome.outcome == "lost"


# --- the command line -----------------------------------------------------------------------

def test_cli_json_output_and_exit_code(tmp_path, capsys):
    code = main(["simulate", str(EXAMPLES), "--out", str(tmp_path), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["summary"] == {"files": 10, "matched": 8, "indexed": 3, "failed": 5,
                              "ignored": 2, "lost": 0, "invariantHolds": True}


def test_cli_exits_0_when_every_matching_file_is_indexed(tmp_path, capsys):
    folder = EXAMPLES / "datasets"
    assert main(["simulate", str(folder), str(EXAMPLES / "notes.txt"),
                 "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Invariant holds" in text and "weather/hourly-observations/metadata.json" in text


def test_cli_missing_path_is_one_line_naming_it_with_exit_2(tmp_path, capsys):
    missing = str(tmp_path / "nowhere")
    assert main(["simulate", missing, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and missing in err and "Traceback" not in err


def test_cli_bad_bucket_name_is_exit_2(tmp_path, capsys):
    assert main(["simulate", str(EXAMPLES), "--bucket", "No_Such", "--out", str(tmp_path)]) == 2
    assert "--bucket" in capsys.readouterr().err


def test_a_file_path_is_keyed_by_its_name(tmp_path):
    path = tmp_path / "metadata.json"
    path.write_text("{}")
    assert collect_files([str(path)]) == [LocalFile(path, "metadata.json")]


# --- --opensearch-url --------------------------------------------------------------------------

# `opensearch` (tests/conftest.py) is pytest-httpserver on 127.0.0.1 answering as OpenSearch:
# the index template PUT is acknowledged and a document PUT is created.

def test_basic_auth_url_sends_authenticated_correct_requests(tmp_path, opensearch):
    url = base_url(opensearch).replace("http://", "http://admin:s3cr%3At@")
    files = [write(tmp_path, "a/metadata.json", '{"title": "A"}')]
    report = simulate(files, Options(out=tmp_path, opensearch_url=url))
    assert [o.outcome for o in report.outcomes] == ["indexed"]
    expected = "Basic " + base64.b64encode(b"admin:s3cr:t").decode()
    assert [r.headers.get("Authorization") for r in received(opensearch)] == [expected] * 2
    template, document = received(opensearch)
    assert (template.method, template.path) == ("PUT", "/_index_template/metadata-template")
    assert (document.method, document.path) == \
        ("PUT", f"/metadata/_doc/{report.outcomes[0].document_id}")
    body = json.loads(document.get_data())
    assert body["metadata"] == {"title": "A"}
    assert body["source"]["key"] == "a/metadata.json"
    assert not (tmp_path / "index").exists()  # no folder index when a URL is given


def test_aoss_url_requests_are_sigv4_signed_for_aoss(tmp_path, opensearch):
    from botocore.credentials import ReadOnlyCredentials

    load_indexer_module()  # puts the indexer's folder on sys.path, as Lambda has it
    from aoss_client import send_http
    host = "abc123def.eu-west-1.aoss.amazonaws.com"

    def to_localhost(request, timeout):  # route the aoss host to the local server
        return send_http(replace(request, url=request.url.replace(f"https://{host}",
                                                                  base_url(opensearch))), timeout)

    credentials = ReadOnlyCredentials("AKIDLOCALTEST", "secret", None)
    files = [write(tmp_path, "a/metadata.json", '{"title": "A"}')]
    report = simulate(files, Options(out=tmp_path, opensearch_url=f"https://{host}"),
                      send=to_localhost, credentials=lambda: credentials)
    assert [o.outcome for o in report.outcomes] == ["indexed"]
    assert len(received(opensearch)) == 2
    for request in received(opensearch):
        headers = lower_headers(request)
        assert headers["host"] == host
        assert headers["x-amz-content-sha256"] == hashlib.sha256(request.get_data()).hexdigest()
        auth = headers["authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/")
        assert "/eu-west-1/aoss/aws4_request" in auth
        _, parts = authorization_fields(auth)
        signed = parts["SignedHeaders"].split(";")
        assert {"host", "x-amz-content-sha256", "x-amz-date"} <= set(signed)
        assert parts["Signature"] == expected_signature(
            request.method, request.path, headers, signed, "secret", "eu-west-1", "aoss")


def test_aoss_url_without_credentials_is_an_input_error(tmp_path, monkeypatch):
    from workflow.errors import InputError

    monkeypatch.setattr("workflow.simulate._frozen_credentials", lambda: None)
    with pytest.raises(InputError, match="credentials"):
        LocalPipeline(Options(out=tmp_path,
                              opensearch_url="https://x.us-east-1.aoss.amazonaws.com"))


def test_a_body_that_outgrows_the_payload_limit_once_escaped_is_recorded_by_the_recorder(
        tmp_path):
    # 240,009 bytes pass CheckObjectSize (<= 256000), but every quote is escaped in the state
    # data, which then exceeds 262,144 bytes: States.DataLimitExceeded (AWS-FACTS.md). Which
    # catcher sees it is unconfirmed; either way the failure must end in the table.
    local = write(tmp_path, "q/metadata.json", json.dumps({"x": '"' * 120000}))
    report = simulate([local], Options(out=tmp_path))
    (outcome,) = report.outcomes
    assert (outcome.outcome, outcome.error) == ("failed", "States.DataLimitExceeded")
    assert report.invariant_holds


def test_a_lost_file_has_its_own_exit_code_so_the_demo_cannot_hide_it():
    from workflow.simulate import EXIT_LOST, FileOutcome, Report

    def outcome(kind):
        return FileOutcome(file=f"{kind}/metadata.json", key=f"{kind}/metadata.json", outcome=kind)

    def report(*kinds):
        return Report(bucket="b", index_target="t", outcomes=tuple(outcome(k) for k in kinds),
                      failure_records=())

    assert report("indexed", "ignored").exit_code == 0
    assert report("indexed", "failed").exit_code == 1
    assert report("indexed", "failed", "lost").exit_code == EXIT_LOST == 3


def test_an_out_path_that_is_a_file_is_refused_before_the_run(tmp_path, capsys):
    from workflow.cli import main

    write(tmp_path, "a/metadata.json", '{"title": "x"}')
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    assert main(["simulate", str(tmp_path / "files"), "--out", str(not_a_folder / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(not_a_folder) in err and "Traceback" not in err


def test_an_empty_folder_is_an_input_error_not_a_clean_run(tmp_path, capsys):
    from workflow.cli import main

    (tmp_path / "empty").mkdir()
    assert main(["simulate", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no files under this folder" in err


def test_the_out_folder_inside_the_input_is_not_read_back(tmp_path):
    from workflow.simulate import collect_files

    write(tmp_path, "a/metadata.json", "{}")
    out = tmp_path / "files" / "out"
    (out / "index").mkdir(parents=True)
    (out / "index" / "bulk.ndjson").write_text("{}\n")
    keys = [f.key for f in collect_files([str(tmp_path / "files")], exclude=out)]
    assert keys == ["a/metadata.json"]
