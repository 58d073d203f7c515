"""`metapipe simulate PATH...`: run the whole pipeline locally on a folder of files.

Exit 0 when every matching file was indexed, 1 when any was recorded as failed (or, loudly,
lost), 2 on bad arguments. The logic is in `workflow.simulate`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workflow.commands.output import console


def register(sub: argparse._SubParsersAction) -> None:
    from workflow.simulate import DEFAULT_BUCKET, KEY_ENCODINGS

    p = sub.add_parser(
        "simulate", help="run the deployed pipeline on local files (S3/DynamoDB in moto)",
        description="Upload each file to a local S3 bucket, send the event S3 would send "
                    "through the stack's rule, run the pipeline with the indexer Lambda, and "
                    "report which files were indexed, failed or ignored.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders; a folder's files keep their relative paths as keys")
    p.add_argument("--bucket", default=DEFAULT_BUCKET,
                   help=f"bucket name in the events (default: {DEFAULT_BUCKET})")
    p.add_argument("--opensearch-url", metavar="URL",
                   help="index into this OpenSearch (SigV4 for *.aoss.amazonaws.com, basic "
                        "auth with user:password@, plain otherwise); default: a folder")
    p.add_argument("--out", default="out", metavar="DIR",
                   help="folder for index/ and failures.jsonl (default: ./out)")
    p.add_argument("--key-encoding", choices=KEY_ENCODINGS, default="none",
                   help="how events carry object keys: as stored (none, default) or "
                        "URL-encoded like classic S3 notifications (url); unconfirmed for "
                        "EventBridge")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workflow.simulate import Options, collect_files

    files = collect_files(args.paths, exclude=Path(args.out))
    options = Options(bucket=args.bucket, opensearch_url=args.opensearch_url,
                      out=Path(args.out), key_encoding=args.key_encoding)
    report = _run_with_progress(files, options)
    if args.format == "json":
        json.dump(report.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_text(report)
    for lost in report.lost:  # loud, on stderr, whatever the format
        print(f"metapipe simulate: LOST: {lost.file} (key {lost.key}) was neither indexed nor "
              f"recorded as a failure: {lost.error}", file=sys.stderr)
    return report.exit_code


def _run_with_progress(files, options):
    from workflow.simulate import simulate

    if not sys.stderr.isatty() or len(files) < 2:
        return simulate(files, options)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("", total=len(files))
        return simulate(files, options,
                        progress=lambda f: bar.update(task, advance=1, description=f.key))


_STYLE = {"indexed": "green", "failed": "yellow", "ignored": "dim", "lost": "bold red"}


def _print_text(report) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    table = Table(title=f"metapipe simulate: bucket {report.bucket}", title_justify="left")
    for column in ("file", "outcome", "document id / error", "states taken"):
        table.add_column(column, overflow="fold")
    for o in report.outcomes:
        if o.outcome == "indexed":
            detail = f"{o.document_id[:16]}… ({o.result})"
        elif o.outcome == "ignored":
            detail = o.error or ""
        else:
            detail = f"{o.error}: {_short_cause(o.cause)}"
            if o.recorded_by == "recorder":
                detail += " [recorded by ExecutionFailureRecorder]"
        table.add_row(Text(o.key), Text(o.outcome, style=_STYLE.get(o.outcome, "")),
                      Text(detail), Text(" > ".join(o.states)))
    out.print(table)
    verdict = "holds" if report.invariant_holds else "BROKEN"
    out.print(f"{len(report.outcomes)} files: {report.matched} matched the rule, "
              f"{report.count('indexed')} indexed, {report.count('failed')} recorded as "
              f"failed, {report.count('ignored')} ignored, {len(report.lost)} lost.",
              markup=False)
    out.print(f"Invariant {verdict}: matched ({report.matched}) = indexed "
              f"({report.count('indexed')}) + recorded failures ({report.count('failed')}).",
              markup=False)
    out.print(f"Index: {report.index_target}", markup=False)
    for path in report.written:
        out.print(f"Wrote {path}", markup=False)
    if report.lost:
        out.print(f"Exit 3: {len(report.lost)} matching file(s) LOST (neither indexed nor "
                  "recorded as failed).", markup=False)
    elif report.exit_code:
        out.print(f"Exit 1: {report.count('failed')} matching file(s) recorded as failed; "
                  "0 needs every matching file indexed.", markup=False)


def _short_cause(cause: str | None, limit: int = 160) -> str:
    """A Lambda error's errorMessage, or the cause itself, cut to `limit` characters."""
    if not cause:
        return ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        parsed = None
    text = parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause
    return text if len(text) <= limit else text[: limit - 1] + "…"
