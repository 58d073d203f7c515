"""Distributed Map `ResultWriter`: what the Map returns when its results are exported.

Facts from the AWS developer guide page "ResultWriter (Map)" (input-output-resultwriter):
* The field is an object with `Resource` + `Parameters` (export to S3), `WriterConfig`
  (`Transformation`, `OutputType`), or all three; it cannot be empty.
* With an export, the Map's result is not the item results but
  `{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": "<Prefix>/<id>/manifest.json"}}`.
* `Transformation` NONE gives each child execution's output together with its metadata (the
  default when exporting without `WriterConfig`); COMPACT gives the outputs alone (what a Map
  without ResultWriter returns); FLATTEN gives the outputs and splices in any output that is
  an array. A failed child execution is always given as NONE would give it.
* With `WriterConfig` alone nothing is exported: the transformed results are the Map's result
  and go on to the next state. `OutputType` JSON or JSONL is the format of the exported file.
* An export to a bucket the execution cannot write fails with `States.ResultWriterFailed`.

Choices of ours (no AWS recording has a ResultWriter; the corpus excludes them):
* The export is one task call, `Call(state=<Map name>, resource=<Resource>,
  arguments=<Parameters rendered> + {"Results": <transformed results>})`, answered by the mock
  configuration or the task answerer, as ItemReader's read is. An answer that holds a
  `ResultWriterDetails` object replaces the computed one; any other answer is ignored. An
  error thrown by the answer fails the Map with `States.ResultWriterFailed`, its cause naming
  the thrown error.
* The metadata of a NONE record are those of DescribeExecution (`Input`/`Output` as JSON
  text), limited to ExecutionArn, Name, StateMachineArn, Status, Input, InputDetails and
  Output, OutputDetails or Error, Cause. Child execution names and ARNs are invented.
* The Map's events stay those of a Distributed Map (MapRunStarted, MapRunSucceeded|Failed);
  the export happens before MapRunSucceeded, and a failed export emits MapRunFailed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workflow.emulator.errors import DefinitionError, StatesError
from workflow.emulator.execution import Call
from workflow.emulator.paths import MISSING, context_object, render_template

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
TRANSFORMATIONS = frozenset({"NONE", "COMPACT", "FLATTEN"})
OUTPUT_TYPES = frozenset({"JSON", "JSONL"})
_FIELDS = frozenset({"Resource", "Parameters", "WriterConfig"})
_WRITER_CONFIG_FIELDS = frozenset({"Transformation", "OutputType"})


@dataclass(frozen=True)
class ResultWriter:
    """A parsed ResultWriter: where results go (`resource`, `parameters`) and their form."""

    resource: str | None
    parameters: Any
    transformation: str
    output_type: str

    @property
    def exports(self) -> bool:
        """True when the results are written out (a Resource is given)."""
        return self.resource is not None


@dataclass(frozen=True)
class ChildResult:
    """One item's child execution as the writer sees it: its input and how it ended."""

    index: int
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def parse_result_writer(raw: Any, path: str) -> ResultWriter:
    """Check a ResultWriter field (at `path`) and return it parsed, or raise DefinitionError."""
    if not isinstance(raw, dict):
        raise DefinitionError(path, "must be an object")
    for key in raw:
        if key not in _FIELDS:
            raise DefinitionError(f"{path}.{key}", "is not a ResultWriter field")
    resource = raw.get("Resource")
    config = raw.get("WriterConfig", MISSING)
    if resource is None and config is MISSING:
        raise DefinitionError(path, "needs Resource and Parameters, WriterConfig, or all three")
    if resource is not None and not isinstance(resource, str):
        raise DefinitionError(f"{path}.Resource", "must be a string")
    parameters = raw.get("Parameters", MISSING)
    if parameters is not MISSING and not isinstance(parameters, dict):
        raise DefinitionError(f"{path}.Parameters", "must be an object")
    if resource is None and parameters is not MISSING:
        raise DefinitionError(f"{path}.Parameters", "needs a Resource beside it")
    if config is MISSING:
        config = {}
    if not isinstance(config, dict):
        raise DefinitionError(f"{path}.WriterConfig", "must be an object")
    for key in config:
        if key not in _WRITER_CONFIG_FIELDS:
            raise DefinitionError(f"{path}.WriterConfig.{key}", "is not a WriterConfig field")
    # Defaults: NONE when exporting without a WriterConfig (docs); otherwise COMPACT, the form
    # a Map without ResultWriter gives. AWS may require both fields in a WriterConfig (CDK
    # documents "specify both"); we accept either alone.
    transformation = config.get("Transformation", "NONE" if resource else "COMPACT")
    if transformation not in TRANSFORMATIONS:
        raise DefinitionError(f"{path}.WriterConfig.Transformation",
                              "must be one of " + ", ".join(sorted(TRANSFORMATIONS)))
    output_type = config.get("OutputType", "JSON")
    if output_type not in OUTPUT_TYPES:
        raise DefinitionError(f"{path}.WriterConfig.OutputType",
                              "must be one of " + ", ".join(sorted(OUTPUT_TYPES)))
    return ResultWriter(resource, parameters, transformation, output_type)


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def child_record(child: ChildResult, map_run_arn: str) -> dict:
    """The NONE form of one child execution: its output (or error) with its metadata."""
    # mapRun ARN: arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>
    head, _, tail = map_run_arn.partition(":mapRun:")
    machine_label, _, run_id = tail.rpartition(":")
    name = f"{run_id}-{child.index}"
    record: dict[str, Any] = {
        "ExecutionArn": f"{head}:execution:{machine_label}:{name}",
        "Name": name,
        "StateMachineArn": f"{head}:stateMachine:{machine_label}",
        "Status": "FAILED" if child.failed else "SUCCEEDED",
        "Input": _text(child.input),
        "InputDetails": {"Included": True},
    }
    if child.failed:
        record["Error"] = child.error
        record["Cause"] = child.cause
    else:
        record["Output"] = _text(child.output)
        record["OutputDetails"] = {"Included": True}
    return record


def transform(writer: ResultWriter, children: list[ChildResult], map_run_arn: str) -> list:
    """The results in the writer's Transformation, in item order."""
    out: list[Any] = []
    for child in children:
        if writer.transformation == "NONE" or child.failed:
            out.append(child_record(child, map_run_arn))
        elif writer.transformation == "FLATTEN" and isinstance(child.output, list):
            out.extend(child.output)
        else:
            out.append(child.output)
    return out


def manifest_key(prefix: Any, map_run_arn: str) -> str:
    """Where AWS puts the manifest: `<Prefix>/<map run id>/manifest.json` (docs example).

    How AWS joins a Prefix that already ends in `/` is unconfirmed; we do not double it.
    """
    run_id = map_run_arn.rpartition(":")[2]
    head = f"{str(prefix).rstrip('/')}/" if prefix not in (None, "", MISSING) else ""
    return f"{head}{run_id}/manifest.json"


def write_results(engine, state, writer: ResultWriter, children: list[ChildResult],
                  effective: Any, context: Any, map_run_arn: str) -> Any:
    """The Map's result under `writer`: the transformed results, or where they were written.

    Raises StatesError(States.ResultWriterFailed) when the export's answer throws.
    """
    results = transform(writer, children, map_run_arn)
    if not writer.exports:
        return results
    arguments: Any = {}
    if writer.parameters is not MISSING:
        arguments = render_template(writer.parameters, effective, context,
                                    field="ResultWriter.Parameters")
    call = Call(state.name, writer.resource, {**arguments, "Results": results}, 0,
                context_object(context))
    engine.calls.append(call)
    try:
        answer = engine.answer(call)
    except StatesError as err:
        if err.error.startswith("Emulator."):  # no answer configured: the user's to fix
            raise
        raise StatesError(RESULT_WRITER_FAILED, f"{err.error}: {err.cause}") from None
    details = {"Bucket": arguments.get("Bucket"),
               "Key": manifest_key(arguments.get("Prefix"), map_run_arn)}
    if isinstance(answer, dict) and isinstance(answer.get("ResultWriterDetails"), dict):
        details = answer["ResultWriterDetails"]
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": details}
