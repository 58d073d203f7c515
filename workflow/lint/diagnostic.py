"""The value types of the linter: a location inside the definition and one finding.

A `Loc` is a path built part by part (`loc.child("Catch", 0, "Next")`), never by string
concatenation; it renders both as the dotted form users read (`States.Charge.Catch[0].Next`)
and as a JSON Pointer (`/States/Charge/Catch/0/Next`) for tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Loc:
    """A location inside a JSON document, as a tuple of object keys and array indexes."""

    parts: tuple[str | int, ...] = ()

    def child(self, *parts: str | int) -> Loc:
        """Return the location of a descendant reached through `parts`."""
        return Loc(self.parts + parts)

    @property
    def dotted(self) -> str:
        """Render as `States.Charge.Catch[0].Next` (odd keys as `['a b']`)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, int):
                out.append(f"[{part}]")
            elif _PLAIN.match(part):
                out.append(f".{part}" if out else part)
            else:
                escaped = part.replace("\\", "\\\\").replace("'", "\\'")
                out.append(f"['{escaped}']")
        return "".join(out) or "$"

    @property
    def pointer(self) -> str:
        """Render as an RFC 6901 JSON Pointer (`""` is the whole document)."""
        return "".join(
            "/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.parts
        )

    def __str__(self) -> str:
        return self.dotted


ROOT = Loc()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable code, its severity, where it is and what is wrong."""

    code: str
    severity: Severity
    path: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.code} {self.severity}: {self.message}"
