"""Time for the emulator: injected, so Wait and Retry back-off never really sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs of time: the current instant and a way to let it pass."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class FakeClock:
    """A clock that only moves when `sleep` is called (the default: no real waiting).

    While a Task's answerer runs, the engine sets `limit` to the earliest instant at which
    the task or the execution times out: a `sleep` then stops there (recording the time
    really slept and setting `reached_limit`), so the timeout happens at that instant and
    not when the answerer would have woken up. Outside answers `limit` is None and `sleep`
    always moves the clock by exactly `seconds`.
    """

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime.now(UTC)
        self.slept: list[float] = []
        self.limit: datetime | None = None
        self.reached_limit = False

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        target = self._now + timedelta(seconds=seconds)
        if self.limit is not None and target > self.limit:
            target = max(self.limit, self._now)
            self.reached_limit = True
            seconds = (target - self._now).total_seconds()
        self.slept.append(seconds)
        self._now = target


class WallClock:
    """Real time, for callers that want Waits to really wait."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(max(0.0, seconds))
