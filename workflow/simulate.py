"""`metapipe simulate`: what the deployed pipeline would do with each file, on one machine.

What is local and what is real:

* S3 and DynamoDB are moto, in-process (`moto.mock_aws`): every call has the real API's
  request and response shapes and error codes. The bucket is versioned and the failure
  table keyed (`executionId`, `timestamp`) as in `infra/metapipe_infra/stack.py`.
* Each file is put into the bucket under its path relative to the PATH folder given (a
  file PATH under its own name), and the "Object Created" event S3 would send EventBridge
  is built for it. The stack's rule pattern (`workflow.eventpattern`) decides, evaluated
  by moto's EventBridge matcher, whether it starts an execution; keys it does not match
  are reported as ignored.
* The executions are the committed `asl/` definitions run by our emulator, with real
  integrations (`workflow.integrations.AwsIntegrations`): `aws-sdk:s3:getObject` and
  `dynamodb:putItem` go to moto, `lambda:invoke` runs the indexer Lambda's own code
  in-process. A failed execution also emits the "Execution Status Change" event that the
  stack's second rule sends to the ExecutionFailureRecorder, which runs too.
* The index is a real OpenSearch (`--opensearch-url`) or a folder of replayable requests
  (`workflow.simulate_index`).
* Time: retry back-off runs on the emulator's fake clock, so nothing really sleeps.

The invariant checked at the end: matched files = indexed + recorded failures (records
counted in the failure table by executionId). A matched file that is neither is *lost*.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from workflow.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[1]
PIPELINE_ASL = REPO_ROOT / "asl" / "metadata-pipeline.asl.json"
RECORDER_ASL = REPO_ROOT / "asl" / "execution-failure-recorder.asl.json"
INDEXER_DIR = REPO_ROOT / "infra" / "functions" / "indexer"

ACCOUNT = "123456789012"
REGION = "us-east-1"
DEFAULT_BUCKET = "metapipe-metadata-local"
FAILURE_TABLE = "metapipe-failures"
PIPELINE_NAME = "MetadataPipeline"
RECORDER_NAME = "ExecutionFailureRecorder"
INDEX_NAME = "metadata"  # INDEX_NAME of infra/metapipe_infra/search.py
KEY_ENCODINGS = ("none", "url")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")  # as infra settings


# Exit code for a broken invariant (a matching file neither indexed nor recorded).
EXIT_LOST = 3

@dataclass(frozen=True)
class LocalFile:
    """A file to upload and the object key it gets."""

    path: Path
    key: str


@dataclass(frozen=True)
class Options:
    """What one simulation uses; `key_encoding` is how `detail.object.key` is written.

    Whether EventBridge URL-encodes the key is unconfirmed (AWS-FACTS.md): `none` (the
    default) writes it as stored, `url` as classic S3 notifications do (`a b` -> `a+b`).
    """

    bucket: str = DEFAULT_BUCKET
    opensearch_url: str | None = None
    out: Path = Path("out")
    versioned: bool = True
    key_encoding: str = "none"
    region: str = REGION
    account: str = ACCOUNT


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file: `indexed`, `failed` (recorded), `ignored` or `lost`."""

    file: str
    key: str
    outcome: str
    states: tuple[str, ...] = ()
    document_id: str | None = None
    result: str | None = None
    error: str | None = None
    cause: str | None = None
    recorded_by: str | None = None
    execution_arn: str | None = None
    version_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as a JSON object, without empty fields."""
        out = {"file": self.file, "key": self.key, "outcome": self.outcome}
        for name in ("document_id", "result", "error", "cause", "recorded_by",
                     "execution_arn", "version_id"):
            value = getattr(self, name)
            if value is not None:
                out[_camel(name)] = value
        out["states"] = list(self.states)
        return out


@dataclass(frozen=True)
class Report:
    """Every file's outcome, the failure records read back, and where the output went."""

    bucket: str
    index_target: str
    outcomes: tuple[FileOutcome, ...]
    failure_records: tuple[dict[str, str], ...]
    written: tuple[Path, ...] = ()

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def matched(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome != "ignored")

    @property
    def lost(self) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if o.outcome == "lost")

    @property
    def invariant_holds(self) -> bool:
        """matched = indexed + recorded failures."""
        return self.matched == self.count("indexed") + self.count("failed")

    @property
    def exit_code(self) -> int:
        """0 when every matched file was indexed, 1 when any was recorded as failed, 3 when
        the invariant broke (a matched file neither indexed nor recorded: lost). A lost file
        gets its own code so that `make demo`, whose examples fail on purpose, can accept 1
        and still fail loudly on 3."""
        if not self.invariant_holds:
            return EXIT_LOST
        return 0 if self.count("failed") == 0 else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "index": self.index_target,
            "summary": {"files": len(self.outcomes), "matched": self.matched,
                        "indexed": self.count("indexed"), "failed": self.count("failed"),
                        "ignored": self.count("ignored"), "lost": len(self.lost),
                        "invariantHolds": self.invariant_holds},
            "files": [o.to_json() for o in self.outcomes],
            "failureRecords": list(self.failure_records),
            "written": [str(p) for p in self.written],
        }


def collect_files(paths: Sequence[str], exclude: Path | None = None) -> list[LocalFile]:
    """Every file under the PATHs, keyed by its path relative to the PATH folder given.

    `exclude` (the --out folder) is skipped, so `simulate .` never reads back its own
    previous output as input. A PATH that holds no file is an input error: a mistyped
    folder must not look like a clean run.
    """
    skip = exclude.resolve() if exclude is not None else None
    files: list[LocalFile] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise InputError(raw, "$", "no such file or directory")
        if root.is_file():
            files.append(LocalFile(root, root.name))
            continue
        found = [p for p in root.rglob("*") if p.is_file()
                 and not (skip is not None and p.resolve().is_relative_to(skip))]
        if not found:
            raise InputError(raw, "$", "no files under this folder"
                             + (f" (outside --out {exclude})" if skip is not None else ""))
        for path in sorted(found):
            files.append(LocalFile(path, path.relative_to(root).as_posix()))
    return files


def load_indexer_module():
    """Import the indexer Lambda's `indexer` module as Lambda does: its folder on the path."""
    if str(INDEXER_DIR) not in sys.path:
        sys.path.insert(0, str(INDEXER_DIR))
    return importlib.import_module("indexer")


def encode_key(key: str, encoding: str) -> str:
    """The key as the event carries it (see `Options.key_encoding`)."""
    return quote_plus(key, safe="/") if encoding == "url" else key


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass
class LocalPipeline:
    """The stack's pipeline with local AWS services: use as a context manager.

    `send` replaces the HTTP sender of `--opensearch-url` (tests route hosts to 127.0.0.1);
    `credentials` returns AWS credentials for SigV4 (default: botocore's chain, resolved
    before moto replaces the environment's credentials with fake ones).
    """

    options: Options = field(default_factory=Options)
    send: Callable | None = None
    credentials: Callable[[], Any] | None = None

    def __post_init__(self) -> None:
        from moto.events.models import EventPattern

        from workflow.eventpattern import execution_failed_pattern, metadata_object_created_pattern
        from workflow.jsonio import load_json
        from workflow.simulate_index import folder_target, is_aoss_url, url_target
        from workflow.substitutions import substitute

        opts = self.options
        if not _BUCKET_NAME.match(opts.bucket):
            raise InputError("--bucket", "$", f"not a valid S3 bucket name: {opts.bucket!r}")
        if opts.key_encoding not in KEY_ENCODINGS:
            raise InputError("--key-encoding", "$", f"must be one of {', '.join(KEY_ENCODINGS)}")
        _check_out_folder(Path(opts.out))
        self.indexer_module = load_indexer_module()
        if opts.opensearch_url:
            credentials = self.credentials
            if credentials is None and is_aoss_url(opts.opensearch_url):
                credentials = _frozen_credentials()
            self.target = url_target(opts.opensearch_url, send=self.send, credentials=credentials)
        else:
            self.target = folder_target(Path(opts.out) / "index")
        self.function_arn = f"arn:aws:lambda:{opts.region}:{opts.account}:function:metapipe-indexer"
        mapping = {"IndexerFunctionArn": self.function_arn, "FailureTableName": FAILURE_TABLE}
        self.pipeline = substitute(load_json(PIPELINE_ASL), mapping)
        self.recorder = substitute(load_json(RECORDER_ASL), mapping)
        self.pipeline_arn = f"arn:aws:states:{opts.region}:{opts.account}:stateMachine:{PIPELINE_NAME}"
        self.object_rule = EventPattern.load(json.dumps(metadata_object_created_pattern(opts.bucket)))
        self.failed_rule = EventPattern.load(json.dumps(execution_failed_pattern(self.pipeline_arn)))
        self._sequencer = int(datetime.now(UTC).timestamp() * 1_000_000)
        self._mock = None

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> LocalPipeline:
        import boto3
        from moto import mock_aws

        from workflow.integrations import AwsIntegrations, LambdaFunction

        self._mock = mock_aws()
        self._mock.start()
        opts = self.options
        self.session = boto3.session.Session(region_name=opts.region)
        self.s3 = self.session.client("s3")
        self.dynamodb = self.session.client("dynamodb")
        self.s3.create_bucket(Bucket=opts.bucket)
        if opts.versioned:  # versioned=True in the stack
            self.s3.put_bucket_versioning(Bucket=opts.bucket,
                                          VersioningConfiguration={"Status": "Enabled"})
        self.dynamodb.create_table(
            TableName=FAILURE_TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "executionId", "KeyType": "HASH"},
                       {"AttributeName": "timestamp", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "executionId", "AttributeType": "S"},
                                  {"AttributeName": "timestamp", "AttributeType": "S"}])
        module = self.indexer_module
        config = module.IndexerConfig(endpoint=self.target.endpoint, region=opts.region,
                                      index=INDEX_NAME, collection_type="SEARCH")
        kwargs = {"sign": self.target.sign}
        if self.target.send is not None:
            kwargs["send"] = self.target.send
        # The deployed entry point `indexer.handler`, with the per-container `Indexer` it
        # would build from its environment set to ours: one warm container for the run.
        self.indexer = module._indexer = module.Indexer(config, **kwargs)
        function = LambdaFunction(self.function_arn, module.handler)
        self.integrations = AwsIntegrations(self.session, functions={"indexer": function},
                                            region=opts.region)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    # --- one object -----------------------------------------------------------------------

    def put(self, local: LocalFile) -> dict[str, Any]:
        """Upload one file and return the "Object Created" event S3 would emit for it."""
        body = local.path.read_bytes()
        reply = self.s3.put_object(Bucket=self.options.bucket, Key=local.key, Body=body)
        return self.object_created_event(local.key, len(body), reply["ETag"],
                                         reply.get("VersionId"),
                                         reply["ResponseMetadata"].get("RequestId", ""))

    def object_created_event(self, key: str, size: int, etag: str, version_id: str | None,
                             request_id: str) -> dict[str, Any]:
        """The EventBridge event of S3 (AWS docs: ev-events): ETag unquoted, version-id
        only in versioned buckets, a sequencer that grows with every event."""
        opts = self.options
        self._sequencer += 1
        obj: dict[str, Any] = {"key": encode_key(key, opts.key_encoding), "size": size,
                               "etag": etag.strip('"')}
        if version_id and version_id != "null":
            obj["version-id"] = version_id
        obj["sequencer"] = f"{self._sequencer:018X}"
        return {
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Object Created",
            "source": "aws.s3", "account": opts.account, "time": _iso(datetime.now(UTC)),
            "region": opts.region, "resources": [f"arn:aws:s3:::{opts.bucket}"],
            "detail": {"version": "0", "bucket": {"name": opts.bucket}, "object": obj,
                       "request-id": request_id[:16] or "LOCAL",
                       "requester": opts.account, "source-ip-address": "127.0.0.1",
                       "reason": "PutObject"},
        }

    def matches(self, event: dict[str, Any]) -> bool:
        """Whether the stack's "Object Created" rule delivers `event` (moto's matcher)."""
        return self.object_rule.matches_event(event)

    def deliver(self, event: dict[str, Any]):
        """Run the pipeline on `event` as its rule would; a failed execution's status
        change event goes on to the recorder. Returns the pipeline's `Execution`."""
        from workflow.emulator import FakeClock
        from workflow.emulator import run as run_definition

        opts = self.options
        # EventBridge names the execution with the event id as prefix (AWS-FACTS.md).
        name = f"{event['id']}_{uuid.uuid4().hex[:12]}"
        clock = FakeClock(datetime.now(UTC))
        execution = run_definition(self.pipeline, event, state_machine_name=PIPELINE_NAME,
                                   execution_name=name, account_id=opts.account,
                                   region=opts.region, clock=clock, tasks=self.integrations)
        status_event = self.status_change_event(execution, event, name, clock.now())
        if self.failed_rule.matches_event(status_event):
            run_definition(self.recorder, status_event, state_machine_name=RECORDER_NAME,
                           account_id=opts.account, region=opts.region,
                           state_machine_type="EXPRESS", clock=FakeClock(clock.now()),
                           tasks=self.integrations)
        return execution

    def status_change_event(self, execution, event: dict[str, Any], name: str,
                            stopped: datetime) -> dict[str, Any]:
        """"Step Functions Execution Status Change" for a finished execution (AWS docs,
        cw-events); only Standard workflows emit it (AWS-FACTS.md)."""
        millis = int(stopped.timestamp() * 1000)
        detail = {
            "executionArn": execution.execution_arn, "stateMachineArn": self.pipeline_arn,
            "name": name, "status": execution.status, "startDate": millis, "stopDate": millis,
            "input": json.dumps(event, ensure_ascii=False), "inputDetails": {"included": True},
            "output": None, "outputDetails": None,
            "error": execution.error, "cause": execution.cause,
        }
        if execution.status == "SUCCEEDED":
            detail["output"] = json.dumps(execution.output, ensure_ascii=False)
            detail["outputDetails"] = {"included": True}
        return {"version": "0", "id": str(uuid.uuid4()),
                "detail-type": "Step Functions Execution Status Change",
                "source": "aws.states", "account": self.options.account, "time": _iso(stopped),
                "region": self.options.region, "resources": [execution.execution_arn],
                "detail": detail}

    def failure_records(self) -> list[dict[str, str]]:
        """Every item of the failure table (a paginated scan), as plain strings."""
        from boto3.dynamodb.types import TypeDeserializer

        plain = TypeDeserializer()
        items = []
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=FAILURE_TABLE):
            for item in page["Items"]:
                items.append({k: plain.deserialize(v) for k, v in item.items()})
        return sorted(items, key=lambda i: (str(i.get("timestamp")), str(i.get("executionId"))))


def simulate(files: Iterable[LocalFile], options: Options, *,
             progress: Callable[[LocalFile], None] | None = None,
             send: Callable | None = None,
             credentials: Callable[[], Any] | None = None) -> Report:
    """Upload every file, deliver the events the rule matches, and judge the outcomes."""
    pipeline = LocalPipeline(options, send=send, credentials=credentials)
    runs: list[tuple[LocalFile, dict[str, Any], Any]] = []
    with pipeline:
        for local in files:
            event = pipeline.put(local)
            execution = pipeline.deliver(event) if pipeline.matches(event) else None
            runs.append((local, event, execution))
            if progress is not None:
                progress(local)
        records = pipeline.failure_records()
    outcomes = tuple(judge(local, event, execution, records, pipeline.target.folder)
                     for local, event, execution in runs)
    out = Path(options.out)
    written: list[Path] = []
    if pipeline.target.folder is not None:
        written += pipeline.target.folder.write()
    out.mkdir(parents=True, exist_ok=True)
    failures = out / "failures.jsonl"
    failures.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
    written.append(failures)
    return Report(options.bucket, pipeline.target.description, outcomes, tuple(records),
                  tuple(written))


def judge(local: LocalFile, event: dict[str, Any], execution, records: list[dict[str, str]],
          folder=None) -> FileOutcome:
    """One file's outcome, from its execution and the failure table (never from one alone).

    Indexed means the execution succeeded (and, with the folder index, the document is
    there); failed means the table holds a record for its execution; anything else is lost.
    """
    version = event["detail"]["object"].get("version-id")
    base = {"file": str(local.path), "key": local.key, "version_id": version}
    if execution is None:
        return FileOutcome(outcome="ignored", error="no rule matches this key", **base)
    base.update(states=tuple(execution.states_entered), execution_arn=execution.execution_arn)
    if execution.status == "SUCCEEDED":
        output = execution.output or {}
        doc_id = output.get("documentId")
        if folder is None or folder.has_document(output.get("index", INDEX_NAME), doc_id):
            return FileOutcome(outcome="indexed", document_id=doc_id,
                               result=output.get("result"), **base)
        return FileOutcome(outcome="lost", document_id=doc_id,
                           error="the execution succeeded but the document is not in the index",
                           **base)
    mine = [r for r in records if r.get("executionId") == execution.execution_arn]
    if mine:
        recorded_by = "pipeline" if "Failed" in execution.states_entered else "recorder"
        return FileOutcome(outcome="failed", error=mine[0].get("error"),
                           cause=mine[0].get("cause"), recorded_by=recorded_by, **base)
    return FileOutcome(outcome="lost", error=execution.error, cause=execution.cause, **base)


def _frozen_credentials():
    """botocore's credentials now (before moto fakes them), or None when there are none."""
    import botocore.session

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        return None
    frozen = credentials.get_frozen_credentials()
    return lambda: frozen


def _check_out_folder(out: Path) -> None:
    """Refuse an --out that cannot hold index/ and failures.jsonl before anything runs
    (found by review: a file given as --out failed only after the whole run)."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise InputError(str(folder), "$", "--out must be a folder (or not exist yet); "
                                 "this is a file")
            if not os.access(folder, os.W_OK):
                raise InputError(str(folder), "$", "--out is not writable")
            return
