"""The CLI as a new user meets it: examples in --help, --broker wherever Kafka is involved, a README table naming every command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from services.cli import main

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
CLI_SECTION = README[README.index("## CLI\n"): README.index("### Exit codes")]
KAFKA_COMMANDS = ["up", "status", "fetcher", "parser", "alerter", "archive", "backfill", "ingest", "alerts tail", "topic tail", "subscriptions check"]
WITH_EXAMPLES = [*KAFKA_COMMANDS, "parse", "config check", "config show", *(f"incidents {c}" for c in ("list", "show", "export", "stats", "tail"))]


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append(" ".join((*path, name)))
    return found


def help_of(command: str) -> str:
    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", WITH_EXAMPLES)
def test_help_shows_examples(command: str) -> None:
    text = help_of(command)
    examples = text[text.index("Examples:"):].split("Options:")[0]
    assert re.search(r"^\s+(\S+=\S+ )?jikenbo \w", examples, re.M), examples


@pytest.mark.parametrize("command", KAFKA_COMMANDS)
def test_every_command_that_talks_to_kafka_takes_a_broker(command: str) -> None:
    assert "-b, --broker HOST:PORT" in help_of(command)


def test_the_readme_cli_table_names_every_command() -> None:
    spans = " ".join(re.findall(r"`([^`]+)`", CLI_SECTION))
    missing = [c for c in commands() if not all(re.search(rf"\b{re.escape(word)}\b", spans) for word in c.split())]
    assert not missing, f"README's CLI table leaves out: {missing}"
