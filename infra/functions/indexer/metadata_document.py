"""Turning the workflow's payload into an OpenSearch document and its deterministic id.

Pure functions, no I/O: `parse_metadata(body)`, `document_id(source)`, `build_document(...)`.

The document keeps the user's metadata under its own key, beside the pipeline's fields:

    {"@timestamp": <event time>, "source": {bucket, key, versionId?, etag}, "metadata": {...}}

Nesting (rather than merging the metadata into the top level) means a metadata file that
has its own `source` or `@timestamp` field is indexed as written instead of being
overwritten or rejected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from indexer_errors import InvalidMetadata, InvalidPayload

# Bumping this changes every document id; it exists so the encoding can evolve visibly.
ID_SCHEME = "metapipe/v1"


@dataclass(frozen=True)
class Source:
    """Where a metadata document came from: one S3 object version (or ETag if unversioned)."""

    bucket: str
    key: str
    etag: str
    version_id: str | None = None

    def to_json(self) -> dict[str, str]:
        """Render the source as the contract spells it (`versionId` absent if unversioned)."""
        out = {"bucket": self.bucket, "key": self.key}
        if self.version_id is not None:
            out["versionId"] = self.version_id
        out["etag"] = self.etag
        return out


def source_from_payload(payload: Any) -> Source:
    """Read the `source` object of a payload; a missing field is a contract violation."""
    source = payload.get("source") if isinstance(payload, dict) else None
    if not isinstance(source, dict):
        raise InvalidPayload("payload has no 'source' object")
    values = {}
    for field in ("bucket", "key", "etag"):
        value = source.get(field)
        if not isinstance(value, str) or not value:
            raise InvalidPayload(f"payload source.{field} must be a non-empty string")
        values[field] = value
    version_id = source.get("versionId")
    if version_id is not None and (not isinstance(version_id, str) or not version_id):
        raise InvalidPayload("payload source.versionId must be a non-empty string when present")
    # S3 APIs quote ETags ("abc"); S3 events do not (abc). Both name the same content.
    etag = values["etag"].strip('"')
    return Source(values["bucket"], values["key"], etag, version_id)


def document_id(source: Source) -> str:
    """Return the SHA-256 id (64 lowercase hex chars) of one object version.

    The hashed bytes are the UTF-8 of a compact JSON array
    `["metapipe/v1", bucket, key, "versionId" | "etag", value]`. JSON string escaping makes
    the encoding unambiguous (no separator can be forged by a key containing it), and the
    tag says whether the last value is a version id or an ETag, so the two can never collide.
    """
    if source.version_id is not None:
        discriminator, value = "versionId", source.version_id
    else:
        discriminator, value = "etag", source.etag
    encoded = json.dumps(
        [ID_SCHEME, source.bucket, source.key, discriminator, value],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _reject_constant(name: str) -> Any:
    raise InvalidMetadata(f"{name} is not valid JSON (OpenSearch cannot store it)")


def parse_metadata(body: Any) -> dict[str, Any]:
    """Parse the object's body into a JSON object or raise `InvalidMetadata`.

    Bodies arrive as a string from Step Functions (`aws-sdk:s3:getObject` returns `Body` as
    a string, AWS-FACTS.md) or as bytes when called in-process. Invalid UTF-8 is detected
    in bytes strictly, and in strings as lone surrogates or U+FFFD, the replacement
    character a lossy decoder leaves behind (a deliberate choice: a real metadata file
    containing U+FFFD is rejected too). A UTF-8 byte order mark is ignored.
    """
    if isinstance(body, bytes | bytearray):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidMetadata(f"body is not valid UTF-8 (byte {exc.start})") from None
    elif isinstance(body, str):
        text = body
    else:
        raise InvalidPayload("payload 'body' must be a string")
    if "\ufffd" in text:
        raise InvalidMetadata("body is not valid UTF-8 (contains U+FFFD replacement characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidMetadata(f"body is not valid UTF-8 (lone surrogate at {exc.start})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InvalidMetadata("body is empty")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidMetadata(
            f"body is not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(value, dict):
        raise InvalidMetadata(f"body must be a JSON object, not {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def build_document(metadata: dict[str, Any], source: Source, event_time: str) -> dict[str, Any]:
    """Assemble the indexed document: event time, source and the metadata, nested."""
    return {"@timestamp": event_time, "source": source.to_json(), "metadata": metadata}


def event_time_from_payload(payload: dict[str, Any]) -> str:
    """Read `eventTime` (the S3 event's `time`); a missing value is a contract violation."""
    value = payload.get("eventTime")
    if not isinstance(value, str) or not value:
        raise InvalidPayload("payload eventTime must be a non-empty string")
    return value
