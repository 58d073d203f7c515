"""The default backend: our pure-Python emulator, driven by the Step Functions Local mock file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.emulator import run
from workflow.emulator.clock import FakeClock
from workflow.emulator.errors import DefinitionError
from workflow.emulator.execution import Execution
from workflow.errors import InputError
from workflow.jsonio import load_json
from workflow.mocks import MockConfig
from workflow.substitutions import substitute
from workflow.testcases import ACCOUNT_ID, REGION, START_TIME, Case, Suite


class LocalBackend:
    """Runs cases in-process; definitions and inputs are read once and reused."""

    name = "local"
    # Every case runs on the suite's fixed clock (testcases.START_TIME): instants are exact.
    clock_exact = True

    def __init__(self, suite: Suite):
        self.suite = suite
        self.mock_config = MockConfig.load(suite.mock_config_file)
        self._definitions: dict[Path, Any] = {}

    def definition(self, path: Path) -> Any:
        """The definition at `path` with the suite's placeholder substitutions applied."""
        if path not in self._definitions:
            raw = load_json(path)
            try:
                self._definitions[path] = substitute(raw, dict(self.suite.substitutions))
            except KeyError as exc:
                raise InputError(str(path), "$", f"placeholder ${{{exc.args[0]}}} has no value in "
                                 f"{self.suite.source} 'substitutions'") from None
        return self._definitions[path]

    def __call__(self, case: Case) -> Execution:
        try:
            return self._run(case)
        except DefinitionError as exc:
            raise InputError(str(case.definition_file), exc.path, exc.message) from None

    def _run(self, case: Case) -> Execution:
        definition = self.definition(case.definition_file)
        self.mock_config.check_states(case.state_machine, case.name, definition)
        return run(
            definition,
            load_json(case.input_file),
            mock_config=self.mock_config,
            test_case=case.name,
            state_machine_name=case.state_machine,
            execution_name=case.name,
            account_id=ACCOUNT_ID,
            region=REGION,
            clock=FakeClock(START_TIME),
        )
