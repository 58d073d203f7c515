"""Throughput of our emulator against moto's Step Functions interpreter, same definitions.

Run: `.venv/bin/python benchmarks/emulator.py [--quick]`. Prints executions/s and state
transitions/s per workload and engine, and the ratio. Never asserts on time (STYLE.md);
docs/performance.md records the numbers.

Workloads: (a) a chain of 1,000 Pass states; (b) a Map over 10,000 items; (c) small
definitions with Task states, answered by a Python callable in our emulator and by moto's
in-process DynamoDB in moto (moto cannot call a Python function for a Task); (d) the
pipeline's own mock cases (`mocks/cases.json`), ours only (moto has no mock-file support).
moto runs executions in a background thread; we poll describe_execution every millisecond.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workflow.emulator import Call, StatesError, run  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench"
MOTO_PATIENCE_SECONDS = 600


def pass_chain(n: int) -> dict:
    """A chain of `n` Pass states."""
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n - 1)}
    states[f"S{n - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


MAP_10K = {"StartAt": "Each", "States": {"Each": {
    # MaxConcurrency 40: with 1, moto's Map worker recurses once per item and dies with a
    # RecursionError (observed with moto 5.x); our emulator runs items in order either way.
    "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 40, "End": True,
    "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}}}}

TASK_PUT = {"StartAt": "Put", "States": {
    "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "bench", "Item": {"pk": {"S.$": "$.id"}}},
            "ResultPath": "$.put", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.id", "StringEquals": "skip", "Next": "Done"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}}}

TASK_CATCH = {"StartAt": "Get", "States": {
    "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "missing", "Key": {"pk": {"S.$": "$.id"}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                       "Next": "Recorded"}], "End": True},
    "Recorded": {"Type": "Pass", "End": True}}}


def ddb_answerer(store: dict) -> Callable[[Call], Any]:
    """Our Task answerer: DynamoDB putItem/getItem against a dict (a missing table fails)."""

    def answer(call: Call) -> Any:
        table = call.arguments["TableName"]
        if table not in store:
            raise StatesError("DynamoDB.ResourceNotFoundException",
                              "Requested resource not found")
        if call.resource.endswith("putItem"):
            store[table][json.dumps(call.arguments["Item"])] = call.arguments["Item"]
            return {}
        return {"Item": store[table].get(json.dumps(call.arguments["Key"]))}

    return answer


@dataclass
class Workload:
    """One definition and input, how many runs per engine, and how Tasks are answered."""

    name: str
    definition: dict
    input: Any
    runs_ours: int
    runs_moto: int
    tasks: Callable[[], Any] | None = None
    transitions: int = 0
    results: dict = field(default_factory=dict)


def count_transitions(execution) -> int:
    """State transitions of an execution: its state-entered events."""
    return sum(1 for e in execution.events if e["type"].endswith("StateEntered"))


def bench_ours(w: Workload) -> tuple[float, float, Any]:
    """Executions/s and transitions/s of our emulator on `w` (one warm-up run first)."""
    tasks = w.tasks() if w.tasks else None
    execution = run(w.definition, w.input, tasks=tasks)
    w.transitions = count_transitions(execution)
    start = time.perf_counter()
    for _ in range(w.runs_ours):
        execution = run(w.definition, w.input, tasks=tasks)
    seconds = (time.perf_counter() - start) / w.runs_ours
    return 1 / seconds, w.transitions / seconds, (execution.status, execution.output)


def bench_moto(w: Workload) -> tuple[float, float, Any]:
    """Executions/s and transitions/s of moto's interpreter on `w`, polled to completion."""
    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(name=w.name.replace(" ", "-"), roleArn=ROLE,
                                       definition=json.dumps(w.definition))["stateMachineArn"]
        body = json.dumps(w.input)
        result = None
        start = time.perf_counter()
        for i in range(w.runs_moto):
            execution = sfn.start_execution(stateMachineArn=arn, name=f"run-{i}",
                                            input=body)["executionArn"]
            deadline = time.monotonic() + MOTO_PATIENCE_SECONDS
            while True:
                described = sfn.describe_execution(executionArn=execution)
                if described["status"] != "RUNNING":
                    break
                if time.monotonic() > deadline:
                    return 0.0, 0.0, ("DID NOT FINISH", MOTO_PATIENCE_SECONDS)
                time.sleep(0.001)
            output = described.get("output")
            result = (described["status"], json.loads(output) if output else None)
        seconds = (time.perf_counter() - start) / w.runs_moto
    return 1 / seconds, w.transitions / seconds, result


def pipeline_cases(repeat: int) -> tuple[float, float, int] | None:
    """Executions/s and transitions/s over the pipeline's mock cases, if present."""
    cases_file = REPO / "mocks" / "cases.json"
    if not cases_file.exists() or not (REPO / "mocks" / "MockConfigFile.json").exists():
        return None
    from workflow.backends.local import LocalBackend
    from workflow.testcases import load_suite

    suite = load_suite(cases_file)
    backend = LocalBackend(suite)
    executions = [backend(case) for case in suite.cases]  # warm-up, and transitions
    transitions = sum(count_transitions(e) for e in executions)
    start = time.perf_counter()
    for _ in range(repeat):
        for case in suite.cases:
            backend(case)
    seconds = time.perf_counter() - start
    count = repeat * len(suite.cases)
    return count / seconds, repeat * transitions / seconds, len(suite.cases)


def _shape(value: Any) -> Any:
    """A result with error causes blanked: moto's DynamoDB causes carry Java-style detail."""
    if isinstance(value, dict):
        return {k: "..." if k == "Cause" else _shape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shape(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    parser.add_argument("--no-moto", action="store_true", help="time our emulator only")
    args = parser.parse_args(argv)
    scale = 0.2 if args.quick else 1.0

    def n(runs: int) -> int:
        return max(1, int(runs * scale))

    workloads = [
        Workload("pass chain x1000", pass_chain(1000), {"a": 1}, n(50), n(3)),
        Workload("map over 10000 items", MAP_10K, {"items": list(range(10_000))}, n(5), 1),
        Workload("task putItem + choice", TASK_PUT, {"id": "a"}, n(2000), n(30),
                 tasks=lambda: ddb_answerer({"bench": {}})),
        Workload("task failure caught", TASK_CATCH, {"id": "a"}, n(2000), n(30),
                 tasks=lambda: ddb_answerer({"bench": {}})),
    ]
    header = (f"{'workload':<24} {'engine':<6} {'exec/s':>10} {'transitions/s':>14} "
              f"{'ratio':>8}  same result")
    print(header)
    print("-" * len(header))
    for w in workloads:
        ours = bench_ours(w)
        print(f"{w.name:<24} {'ours':<6} {ours[0]:>10,.1f} {ours[1]:>14,.0f}")
        if args.no_moto:
            continue
        moto = bench_moto(w)
        same = "yes" if _shape(moto[2]) == _shape(ours[2]) else f"NO: moto {str(moto[2])[:60]}"
        ratio = f"{ours[0] / moto[0]:>7,.0f}x" if moto[0] else "    n/a"
        print(f"{'':<24} {'moto':<6} {moto[0]:>10,.1f} {moto[1]:>14,.0f} {ratio}  {same}")
        sys.stdout.flush()
    pipeline = pipeline_cases(n(50))
    if pipeline is None:
        print("pipeline mock cases: mocks/cases.json or MockConfigFile.json not found")
    else:
        print(f"{'pipeline mock cases':<24} {'ours':<6} {pipeline[0]:>10,.1f} "
              f"{pipeline[1]:>14,.0f}   ({pipeline[2]} cases; moto: no mock-file support)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
