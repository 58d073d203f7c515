"""Time for the emulator: injected, so Wait and Retry back-off never really sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs of time: the current instant and a way to let it pass."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class FakeClock:
    """A clock that only moves when `sleep` is called (the default: no real waiting)."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime.now(UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._now += timedelta(seconds=seconds)


class WallClock:
    """Real time, for callers that want Waits to really wait."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(max(0.0, seconds))
