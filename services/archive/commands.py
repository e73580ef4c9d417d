"""Archive sub-commands of `jikenbo`: the stage (`jikenbo archive`) and `jikenbo incidents …`.

The `incidents` commands read the archive's SQLite file directly, never the
broker: they work while the pipeline runs (WAL readers do not block the
writer) and after `jikenbo up` has stopped.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import click
import orjson

from services.archive.options import filter_options, filters_from
from services.common.cli_support import broker_option, broker_url, config_option, load, run_faust_worker, service_options
from services.common.config import Config
from services.common.errors import UsageError
from services.common.pipeline import ARCHIVE


@click.command()
@config_option
@broker_option
@service_options
def archive(config_file: str | None) -> None:
    """Run only the archive stage: incidents and alerts in, the history written to SQLite.

    The file is `archive.sqlite3` in the state directory; `jikenbo up` runs
    this stage too. One worker per state directory: it is the file's writer.

    \b
    Examples:
      jikenbo archive -b kafka1:9092                 keep the history of a shared broker
      jikenbo incidents list                         then ask it, with or without the broker
    """
    from services.archive.agent import build_archive_app

    config = load(config_file)
    run_faust_worker(build_archive_app(config, broker_url(config)), config)


@click.group()
def incidents() -> None:
    """Search, show, count, export and follow the archived incidents (no broker needed).

    Filters mirror subscriptions: --sector, --type, --org, --vendor, --since,
    --until, --min-affected, --search; repeat an option for OR, combine
    options for AND.

    \b
    Examples:
      jikenbo incidents list --sector 医療 --since 2024
      jikenbo incidents stats --by year --by sector
      jikenbo incidents export --format csv -o incidents.csv
    """


def archive_path(config: Config, demo: bool) -> Path:
    return ARCHIVE.state_path(config.state_dir / "demo" if demo else config.state_dir)


def reader(config: Config, demo: bool) -> sqlite3.Connection:
    from services.archive.database import open_reader

    return open_reader(archive_path(config, demo))


def as_json(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


@incidents.command("list")
@config_option
@filter_options
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="Incidents per page.")
@click.option("--after", help="Start after this cursor (printed at the end of the previous page).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="One readable line per incident, or one JSON object per line.")
def list_incidents(config_file: str | None, demo: bool, limit: int, after: str | None, fmt: str, **options: Any) -> None:
    """Archived incidents, newest first (by disclosure date), one line each.

    \b
    Examples:
      jikenbo incidents list --sector 医療 --type ransomware --since 2024
      jikenbo incidents list --vendor イセトー --format json
      jikenbo incidents list --search 電子カルテ --min-affected 1000
    """
    from services.archive.query import list_incidents as page_of
    from services.archive.render import list_line

    filters = filters_from(options)
    db = reader(load(config_file), demo)
    try:
        page = page_of(db, filters, limit, after)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for item in page.items:
        click.echo(as_json(item) if fmt == "json" else list_line(item))
    if not page.items:
        click.echo("no archived incident matches", err=True)
    if page.next:
        click.echo(f"more: add --after {page.next}", err=True)


@incidents.command()
@config_option
@click.argument("incident_id")
@click.option("--demo", is_flag=True, help="The archive of `jikenbo up --demo`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable, or one JSON object (incident, revisions, alerts).")
def show(config_file: str | None, incident_id: str, demo: bool, fmt: str) -> None:
    """One incident: every field with its evidence, the source link, its revisions as a diff, its alerts.

    \b
    Examples:
      jikenbo incidents show inc-5f2c0a9e1b7d4c3a
      jikenbo incidents show inc-5f2c0a9e1b7d4c3a --format json | jq .revisions
    """
    from rich.console import Console

    from services.archive.query import get_incident
    from services.archive.render import show as shown

    config = load(config_file)
    record = get_incident(reader(config, demo), incident_id)
    if record is None:
        raise UsageError(f"no incident {incident_id!r} in {archive_path(config, demo)}")
    if fmt == "json":
        click.echo(as_json(record))
    else:
        Console().print(shown(record))


@incidents.command()
@config_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), required=True,
              help="csv: UTF-8 with BOM, flat columns, lists joined with ' | ', no body; jsonl: each incident in full.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
def export(config_file: str | None, demo: bool, fmt: str, output: str | None, **options: Any) -> None:
    """Every selected incident, one row or line each, newest first, streamed.

    \b
    Examples:
      jikenbo incidents export --format csv -o incidents.csv         opens in Excel as it is
      jikenbo incidents export --format jsonl --sector 医療 --since 2023 | jq .organization
    """
    from services.archive.export import csv_chunks, jsonl_chunks
    from services.archive.query import iter_incidents

    filters = filters_from(options)
    db = reader(load(config_file), demo)
    counted = _Counted(iter_incidents(db, filters))
    chunks = (csv_chunks if fmt == "csv" else jsonl_chunks)(counted)
    try:
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                _write(chunks, out)
        else:
            _write(chunks, click.get_text_stream("stdout", encoding="utf-8"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:  # `… | head`: the reader has what it wanted
        sys.stderr.close()
        return
    click.echo(f"exported {counted.count:,} incident(s)" + (f" to {output}" if output else ""), err=True)


class _Counted:
    """An iterator of incidents that counts what went through it."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self.items:
            self.count += 1
            yield item


def _write(chunks: Iterable[str], out: IO[str]) -> None:
    for chunk in chunks:
        out.write(chunk)
    out.flush()


@incidents.command()
@config_option
@filter_options
@click.option("--by", "by", multiple=True, type=click.Choice(["year", "month", "sector", "type", "vendor"]),
              help="Group by this (at most twice: --by year --by sector); none gives the total.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table with bars, or one JSON object per group.")
def stats(config_file: str | None, demo: bool, by: tuple[str, ...], fmt: str, **options: Any) -> None:
    """Counts and affected totals per group, as a table with a bar chart.

    An incident of two types counts under each; affected counts are summed
    whatever their unit.

    \b
    Examples:
      jikenbo incidents stats --by year
      jikenbo incidents stats --by year --by sector --since 2022
      jikenbo incidents stats --by vendor --type unauthorized_access
    """
    from rich.console import Console

    from services.archive.query import stats as count_by
    from services.archive.render import stats_table

    filters = filters_from(options)
    db = reader(load(config_file), demo)
    try:
        rows = count_by(db, by, filters)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if fmt == "json":
        for row in rows:
            click.echo(as_json({**dict(zip(by, row.key)), "incidents": row.incidents, "affected": row.affected,
                                "with_affected": row.with_affected}))
        return
    Console().print(stats_table(rows, by))


@incidents.command()
@config_option
@filter_options
@click.option("-n", "--lines", default=10, show_default=True, type=click.IntRange(min=0),
              help="Show this many of the latest archived incidents first.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between looks at the archive.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="One readable line per incident, or one JSON object per line.")
def tail(config_file: str | None, demo: bool, lines: int, interval: float, fmt: str, **options: Any) -> None:
    """Follow incidents as they are archived, until Ctrl-C.

    Reads the archive file, not the broker: it keeps working when the broker
    is gone, and waits for the archive if the pipeline has not written one yet.

    \b
    Examples:
      jikenbo incidents tail --demo                 next to `jikenbo up --demo`
      jikenbo incidents tail --sector 医療 -n 0       only new hospital incidents
    """
    from services.archive.query import archived_after, last_archived
    from services.archive.render import list_line

    filters = filters_from(options)
    config = load(config_file)
    db = _wait_for_archive(archive_path(config, demo), interval)
    try:
        after = last_archived(db, filters, lines)
        while True:
            found = archived_after(db, filters, after)
            for rowid, item in found:
                click.echo(as_json(item) if fmt == "json" else list_line(item))
                after = rowid
            if not found:
                time.sleep(interval)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _wait_for_archive(path: Path, interval: float) -> sqlite3.Connection:
    """A reader on the archive, once the archive stage has created it."""
    from services.archive.database import ArchiveError, open_reader

    told = False
    while True:
        try:
            return open_reader(path)
        except ArchiveError:
            if path.exists() and _layout_version(path) != 0:
                raise  # a layout this jikenbo cannot read: waiting will not help
        if not told:
            click.echo(f"waiting for the archive stage to create {path}…", err=True)
            told = True
        time.sleep(interval)


def _layout_version(path: Path) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


COMMANDS = [archive, incidents]
