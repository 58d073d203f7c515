"""Where `metapipe simulate` sends the indexer's OpenSearch requests.

The indexer Lambda (`infra/functions/indexer/`) takes a *sender* and a *signer*; this
module only chooses them, so the indexer's own logic runs exactly as deployed:

* `--opensearch-url` with a host ending in `.aoss.amazonaws.com`: SigV4 for service `aoss`
  (the indexer's own `SigV4Signer`), region read from the host name;
* a URL with `user:password@`: HTTP basic auth, the credentials removed from the URL;
* any other URL: plain requests (`unsigned`);
* no URL: `FolderIndex`, a sender that answers like OpenSearch and writes the requests it
  received as a `_bulk` NDJSON file that curl can replay into any OpenSearch.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from workflow.errors import InputError

AOSS_HOST_SUFFIX = ".aoss.amazonaws.com"
# The indexer's endpoint when the folder index answers: never resolved, never contacted.
FOLDER_ENDPOINT = "http://folder-index.invalid"
_DOC_WITH_ID = re.compile(r"^/([^/]+)/_doc/([^/]+)$")
_DOC_WITHOUT_ID = re.compile(r"^/([^/]+)/_doc$")
_TEMPLATE = re.compile(r"^/_index_template/([^/]+)$")


@dataclass(frozen=True)
class IndexTarget:
    """The indexer's endpoint, sender and signer, and a one-line description for users."""

    endpoint: str
    send: Callable | None      # None: the indexer's real HTTP sender
    sign: Callable
    description: str
    folder: FolderIndex | None = None


class BasicAuth:
    """A signer adding an HTTP basic `Authorization` header (for a self-managed OpenSearch)."""

    def __init__(self, user: str, password: str):
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def __call__(self, request):
        return replace(request, headers={**request.headers, "Authorization": self._header})


def aoss_region(host: str) -> str:
    """`abc123.eu-west-1.aoss.amazonaws.com` -> `eu-west-1`."""
    labels = host[: -len(AOSS_HOST_SUFFIX)].split(".")
    return labels[-1] if len(labels) >= 2 else ""


def is_aoss_url(url: str) -> bool:
    """True when `url`'s host is an OpenSearch Serverless endpoint (SigV4, service aoss)."""
    return (urlsplit(url).hostname or "").endswith(AOSS_HOST_SUFFIX)


def url_target(url: str, *, send: Callable | None = None,
               credentials: Callable[[], Any] | None = None) -> IndexTarget:
    """The target for `--opensearch-url URL` (see the module docstring for the auth rules).

    `send` replaces the real HTTP sender (tests route an aoss host to 127.0.0.1 with it);
    `credentials` returns frozen AWS credentials for SigV4 and is required for aoss hosts.
    """
    import aoss_client  # the indexer's module (its folder is on sys.path, see simulate.py)

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("--opensearch-url", "$", f"not an http(s) URL: {url!r}")
    host = parts.hostname
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    endpoint = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    if host.endswith(AOSS_HOST_SUFFIX):
        region = aoss_region(host)
        if not region:
            raise InputError("--opensearch-url", "$", f"no region in the aoss host {host!r}")
        if credentials is None:
            raise InputError("--opensearch-url", "$", "no AWS credentials found to sign "
                             "requests for OpenSearch Serverless (SigV4, service aoss)")
        sign = aoss_client.SigV4Signer(region, credentials=credentials)
        return IndexTarget(endpoint, send, sign, f"{endpoint} (SigV4, aoss, {region})")
    if parts.username is not None:
        sign = BasicAuth(unquote(parts.username), unquote(parts.password or ""))
        return IndexTarget(endpoint, send, sign, f"{endpoint} (basic auth as {parts.username})")
    return IndexTarget(endpoint, send, aoss_client.unsigned, f"{endpoint} (no auth)")


def folder_target(folder: Path) -> IndexTarget:
    """The embedded default: requests kept in `folder` as replayable files."""
    import aoss_client

    sink = FolderIndex(folder)
    return IndexTarget(FOLDER_ENDPOINT, sink, aoss_client.unsigned,
                       f"{folder}/ (bulk.ndjson: the indexer's requests as OpenSearch _bulk)",
                       folder=sink)


class FolderIndex:
    """A sender that answers as OpenSearch does and keeps every request for replay.

    Document PUTs answer 201 `created` the first time an id is seen and 200 `updated` after
    (OpenSearch's index API), so the indexer's `result` is right. Every PUT/POST of a
    document becomes one `index` action in `bulk.ndjson`, in order, duplicates included:
    exactly the requests the indexer sent. The index template PUT is kept in its own file.
    """

    BULK = "bulk.ndjson"
    TEMPLATE = "index-template.json"
    README = "README.txt"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.bulk_lines: list[str] = []
        self.templates: dict[str, bytes] = {}
        self.ids: set[tuple[str, str]] = set()

    def __call__(self, request, timeout: float):
        from aoss_client import HttpResponse

        path = urlsplit(request.url).path
        method = request.method.upper()
        template = _TEMPLATE.match(path)
        with_id = _DOC_WITH_ID.match(path)
        without_id = _DOC_WITHOUT_ID.match(path)
        if method == "PUT" and template:
            self.templates[unquote(template.group(1))] = request.body
            return HttpResponse(200, b'{"acknowledged":true}')
        if (method == "PUT" and with_id) or (method == "POST" and without_id):
            index = unquote((with_id or without_id).group(1))
            doc_id = unquote(with_id.group(2)) if with_id else uuid.uuid4().hex
            created = (index, doc_id) not in self.ids
            self.ids.add((index, doc_id))
            action = {"_index": index, "_id": doc_id} if with_id else {"_index": index}
            self.bulk_lines.append(json.dumps({"index": action}, separators=(",", ":")))
            self.bulk_lines.append(request.body.decode("utf-8"))
            reply = {"_index": index, "_id": doc_id, "result": "created" if created else "updated"}
            return HttpResponse(201 if created else 200, json.dumps(reply).encode())
        reason = f"the folder index does not answer {method} {path}"
        return HttpResponse(400, json.dumps({"error": {"type": "illegal_argument_exception",
                                                       "reason": reason}}).encode())

    def has_document(self, index: str, doc_id: str) -> bool:
        """True when a document with this id was written to `index`."""
        return (index, doc_id) in self.ids

    def write(self) -> list[Path]:
        """Write the bulk file, the template request(s) and README.txt; return the paths."""
        self.folder.mkdir(parents=True, exist_ok=True)
        bulk = self.folder / self.BULK
        bulk.write_text("".join(line + "\n" for line in self.bulk_lines), encoding="utf-8")
        written = [bulk]
        template_path = self.folder / self.TEMPLATE
        template_name = next(iter(self.templates), None)
        if template_name is not None:
            body = json.loads(self.templates[template_name])
            template_path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
            written.append(template_path)
        elif template_path.exists():
            template_path.unlink()  # a stale file from an earlier run would mislead
        readme = self.folder / self.README
        readme.write_text(_readme(self.folder, template_name, len(self.bulk_lines) // 2),
                          encoding="utf-8")
        written.append(readme)
        return written


def _readme(folder: Path, template_name: str | None, documents: int) -> str:
    lines = [
        "These files hold exactly the requests the indexer Lambda sent during",
        f"`metapipe simulate` ({documents} document request(s)). Replay them into any",
        "OpenSearch; set URL first (add `-u user:password` for basic auth):",
        "",
        "  URL=http://localhost:9200",
        "",
    ]
    if template_name is not None:
        lines += [
            "1. The index template (maps @timestamp as a date):",
            "",
            "  curl -X PUT -H 'Content-Type: application/json' \\",
            f"    --data-binary @{folder / FolderIndex.TEMPLATE} \\",
            f"    \"$URL/_index_template/{template_name}\"",
            "",
            "2. The documents:",
            "",
        ]
    else:
        lines += ["No document was indexed, so no index template was sent.", ""]
    lines += [
        "  curl -H 'Content-Type: application/x-ndjson' \\",
        f"    --data-binary @{folder / FolderIndex.BULK} \"$URL/_bulk\"",
        "",
        "Each document is an `index` action with the indexer's SHA-256 id, so replaying",
        "twice updates the same documents instead of duplicating them.",
    ]
    return "\n".join(lines) + "\n"
