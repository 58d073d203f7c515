"""CloudFormation-style definition substitutions: `${Name}` placeholders in string values.

The committed ASL keeps its placeholders (`${IndexerFunctionArn}`); deployment (CDK's
`DefinitionSubstitutions`) and the container backend replace them. CloudFormation replaces
them anywhere in the definition string; since the definition is JSON, every placeholder
stands inside a string value (or a key), which is what is replaced here.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")

# Placeholder values for running a definition outside AWS (emulator and container tests).
# They look like the real thing so that ARN-parsing code paths behave as deployed.
DEFAULT_PLACEHOLDERS: dict[str, str] = {
    "IndexerFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:metapipe-indexer",
    "FailureTableName": "metapipe-failures",
}


def placeholders(value: Any) -> set[str]:
    """Every `${Name}` used anywhere in a JSON value (keys included)."""
    found: set[str] = set()
    _walk(value, lambda s: found.update(PLACEHOLDER.findall(s)))
    return found


def substitute(value: Any, mapping: dict[str, str], *, strict: bool = True) -> Any:
    """Return a copy of `value` with `${Name}` replaced from `mapping`.

    With `strict`, a placeholder that `mapping` lacks raises `KeyError` naming it, as
    CloudFormation refuses an unresolved substitution.
    """

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in mapping:
            return mapping[name]
        if strict:
            raise KeyError(name)
        return match.group(0)

    def sub(s: str) -> str:
        return PLACEHOLDER.sub(repl, s) if "${" in s else s

    return _map(value, sub)


def _map(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {fn(k): _map(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, fn) for v in value]
    return value


def _walk(value: Any, fn) -> None:
    if isinstance(value, str):
        fn(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            fn(k)
            _walk(v, fn)
    elif isinstance(value, list):
        for v in value:
            _walk(v, fn)
