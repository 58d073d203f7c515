"""The `container` backend: the same cases in AWS's own Step Functions Local image.

Step Functions Local (`amazon/aws-stepfunctions-local`) reads the mock file named by
`SFN_MOCK_CONFIG` and picks a test case from `<stateMachineArn>#<TestCase>` given to
StartExecution (AWS docs: sfn-local-test-sm-exec; account and region come from
`AWS_ACCOUNT_ID` / `AWS_DEFAULT_REGION`, sfn-local-config-options). Everything here but
`ContainerBackend.start` runs without Docker and is unit-tested: the mount and environment,
ARN building, substitution, and turning a GetExecutionHistory response into our
`Execution`, so the two backends are compared on equal terms.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.emulator.execution import Call, Execution
from workflow.jsonio import load_json
from workflow.substitutions import substitute
from workflow.testcases import ACCOUNT_ID, REGION, Case, Suite

IMAGE = "amazon/aws-stepfunctions-local:latest"
PORT = 8083
MOCK_FILE_IN_CONTAINER = "/home/StepFunctionsLocal/MockConfigFile.json"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/StepFunctionsLocalRole"
NO_ENGINE_HELP = (
    "install Docker Desktop or Docker Engine and start it (or point DOCKER_HOST at one); "
    "the default `local` backend needs no Docker"
)


class NoDockerEngine(RuntimeError):
    """No Docker engine answered a ping; `str()` is the one-line reason for the user."""


class DefinitionRejected(RuntimeError):
    """Step Functions Local refused a definition that AWS accepts.

    Its last release predates fields AWS added later (ErrorPath/CausePath on Fail and
    JitterStrategy/MaxDelaySeconds on retriers came in 2023-09; whether the image knows them
    is unconfirmed here, where no Docker engine runs). That is a difference between the
    backends to report, not a crash: `str()` names the file and Step Functions Local's words.
    """


def docker_engine_status(timeout: float = 3.0) -> tuple[bool, str]:
    """Ping the Docker engine (not merely look for a `docker` client binary)."""
    try:
        import docker
    except ImportError:  # the dev extra installs it; say so rather than fail obscurely
        return False, "no Docker engine found: the Python 'docker' package is not installed"
    try:
        client = docker.from_env(timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # docker raises many types for "nothing listens there"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return False, f"no Docker engine found ({reason[:160]}): {NO_ENGINE_HELP}"
    return True, "a Docker engine answered"


@dataclass(frozen=True)
class ContainerSettings:
    """How the container is started: image, the read-only mock mount, environment, port."""

    image: str
    mock_file: Path
    environment: Mapping[str, str]
    port: int = PORT

    @property
    def volume(self) -> tuple[str, str, str]:
        return (str(self.mock_file.resolve()), MOCK_FILE_IN_CONTAINER, "ro")


def container_settings(mock_file: Path, image: str = IMAGE) -> ContainerSettings:
    return ContainerSettings(
        image=image,
        mock_file=mock_file,
        environment={
            "SFN_MOCK_CONFIG": MOCK_FILE_IN_CONTAINER,
            "AWS_ACCOUNT_ID": ACCOUNT_ID,
            "AWS_DEFAULT_REGION": REGION,
        },
    )


def state_machine_arn(name: str, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def test_case_arn(machine_arn: str, test_case: str) -> str:
    """The ARN StartExecution takes to run a machine under one mock test case."""
    return f"{machine_arn}#{test_case}"


def execution_arn(machine_name: str, execution_name: str, region: str = REGION,
                  account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:states:{region}:{account}:execution:{machine_name}:{execution_name}"


def definition_text(definition_file: Path, substitutions: Mapping[str, str]) -> str:
    """The definition as CreateStateMachine receives it: placeholders replaced."""
    return json.dumps(substitute(load_json(definition_file), dict(substitutions)))


# --- GetExecutionHistory -> Execution ---------------------------------------------------

_TASK_SCHEDULED = "TaskScheduled"


def _decode(value: Any) -> Any:
    """History payloads are JSON text in the API; recorded corpora store them decoded."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def history_to_execution(events: Iterable[Mapping[str, Any]],
                         describe: Mapping[str, Any] | None = None) -> Execution:
    """Build our `Execution` from a GetExecutionHistory event list (and DescribeExecution).

    Status, output, error and cause come from the closing Execution* event (DescribeExecution
    where given, which is authoritative); `calls` from TaskScheduled events, each attributed
    to the state whose TaskStateEntered came last and numbered per state, as the mock
    numbering counts attempts.
    """
    events = [dict(e) for e in events]
    status, output, error, cause = "RUNNING", None, None, None
    calls: list[Call] = []
    attempts: dict[str, int] = {}
    current_task_state: str | None = None
    for event in events:
        kind = event.get("type", "")
        if kind == "TaskStateEntered":
            current_task_state = event["stateEnteredEventDetails"]["name"]
        elif kind == _TASK_SCHEDULED:
            details = event.get("taskScheduledEventDetails", {})
            state = current_task_state or "?"
            n = attempts.get(state, 0)
            attempts[state] = n + 1
            resource = _task_resource_arn(details)
            calls.append(Call(state, resource, _decode(details.get("parameters")), attempt=n))
        elif kind == "ExecutionSucceeded":
            status = "SUCCEEDED"
            output = _decode(event.get("executionSucceededEventDetails", {}).get("output"))
        elif kind in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            status = {"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
                      "ExecutionAborted": "ABORTED"}[kind]
            key = kind[0].lower() + kind[1:] + "EventDetails"
            details = event.get(key, {})
            error, cause = details.get("error"), details.get("cause")
    if describe:
        status = describe.get("status", status)
        if "output" in describe:
            output = _decode(describe["output"])
        error = describe.get("error", error)
        cause = describe.get("cause", cause)
    return Execution(status=status, output=output, error=error, cause=cause, events=events,
                     calls=calls, execution_arn=(describe or {}).get("executionArn"))


def _task_resource_arn(details: Mapping[str, Any]) -> str:
    """TaskScheduled names the resource as type + name; rebuild the Resource ARN."""
    rtype, name = details.get("resourceType", ""), details.get("resource", "")
    if rtype.startswith("arn:"):
        return rtype
    return f"arn:aws:states:::{rtype}:{name}" if rtype else name


# --- comparing the two backends ---------------------------------------------------------

def compare_executions(local: Execution, container: Execution) -> list[str]:
    """Every difference in status, output, error, cause and states entered, one line each."""
    out = []
    for field_name in ("status", "output", "error", "cause"):
        a, b = getattr(local, field_name), getattr(container, field_name)
        if a != b:
            out.append(f"{field_name}: local {json.dumps(a, default=str)[:200]} "
                       f"!= container {json.dumps(b, default=str)[:200]}")
    if local.states_entered != container.states_entered:
        out.append(f"states entered: local {local.states_entered} != container {container.states_entered}")
    return out


# --- the container itself (needs a Docker engine) ---------------------------------------

class ContainerBackend:
    """Runs cases in Step Functions Local; a context manager that owns the container."""

    name = "container"
    # Step Functions Local stamps wall-clock time: expected instants match any instant.
    clock_exact = False

    def __init__(self, suite: Suite, image: str = IMAGE, poll_seconds: float = 0.1,
                 timeout_seconds: float = 120.0):
        self.suite = suite
        self.settings = container_settings(suite.mock_config_file, image)
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self._container = None
        self._client = None
        self._machines: dict[tuple[str, Path], str] = {}

    def __enter__(self) -> ContainerBackend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        ok, reason = docker_engine_status()
        if not ok:
            raise NoDockerEngine(reason)
        import boto3
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        container = DockerContainer(self.settings.image).with_exposed_ports(self.settings.port)
        host_path, container_path, mode = self.settings.volume
        container = container.with_volume_mapping(host_path, container_path, mode)
        for key, value in self.settings.environment.items():
            container = container.with_env(key, value)
        container.start()
        self._container = container
        wait_for_logs(container, "Starting server on port", timeout=60)
        endpoint = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(self.settings.port)}"
        self._client = boto3.client(
            "stepfunctions", endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id="local", aws_secret_access_key="local",
        )

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None

    def _machine_arn(self, case: Case) -> str:
        key = (case.state_machine, case.definition_file)
        if key not in self._machines:
            # Created as STANDARD even for an EXPRESS machine (the failure recorder): only
            # Standard executions have a GetExecutionHistory to compare, and the local
            # backend runs every case as STANDARD too, so both see the same semantics.
            from botocore.exceptions import ClientError

            try:
                response = self._client.create_state_machine(
                    name=case.state_machine,
                    definition=definition_text(case.definition_file, self.suite.substitutions),
                    roleArn=ROLE_ARN,
                )
            except ClientError as exc:
                error = exc.response.get("Error", {})
                if error.get("Code") != "InvalidDefinition":
                    raise
                raise DefinitionRejected(
                    f"Step Functions Local rejected {case.definition_file} "
                    f"({case.state_machine}): {' '.join(str(error.get('Message', '')).split())}"
                ) from None
            self._machines[key] = response["stateMachineArn"]
        return self._machines[key]

    def __call__(self, case: Case) -> Execution:
        client = self._client
        machine_arn = self._machine_arn(case)
        started = client.start_execution(
            stateMachineArn=test_case_arn(machine_arn, case.name),
            name=case.name,
            input=json.dumps(load_json(case.input_file)),
        )
        arn = started["executionArn"]
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            describe = client.describe_execution(executionArn=arn)
            if describe["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{case.name}: still RUNNING after {self.timeout_seconds:.0f} s")
            time.sleep(self.poll_seconds)
        events: list[dict] = []
        for page in client.get_paginator("get_execution_history").paginate(executionArn=arn):
            events.extend(page["events"])
        return history_to_execution(events, describe)
