"""Parser sub-commands of `jikenbo`."""

from __future__ import annotations

import click

from services.common.cli_support import broker_option, broker_url, service_options, config_option, load, run_faust_worker


@click.command()
@config_option
@broker_option
@service_options
def parser(config_file: str | None) -> None:
    """Run only the parser agent: raw posts in, incidents (or dead letters) out.

    \b
    Examples:
      jikenbo parser -b kafka1:9092                  one worker; start more to share the partitions
      jikenbo topic tail dlq -e                      what it could not parse, and why
    """
    from services.parser.agent import build_parser_app

    config = load(config_file)
    run_faust_worker(build_parser_app(config, broker_url(config)), config)


@click.command()
@config_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--all", "include_all", is_flag=True, help='Also print non-incident segments as {"kind": "non_incident"} lines.')
@click.option("--explain", is_flag=True,
              help="Print each incident readably, with the rule that decided every field and the text it came from.")
def parse(config_file: str | None, paths: tuple[str, ...], include_all: bool, explain: bool) -> None:
    """Parse text or HTML files (or - for stdin) offline; print incidents as JSON Lines.

    Runs exactly the code of the parser agent, with its limits ([parser] in the
    configuration); no broker needed. A file over those limits is reported on
    stderr, the others are parsed, and the exit status is 1.

    \b
    Examples:
      jikenbo parse release.html                 one JSON object per incident
      jikenbo parse --explain --all post.txt     why each field has its value, and why
                                                 the other segments are not incidents
      curl -s URL | jikenbo parse -              read stdin
    """
    from services.parser.offline import parse_paths

    refused: list[str] = []

    def report(path: str, reason: str) -> None:
        refused.append(path)
        click.echo(f"jikenbo: {path}: {reason}", err=True)

    for line in parse_paths(paths, include_all, explain, load(config_file).parser, report):
        click.echo(line)
    if refused:
        raise SystemExit(1)


COMMANDS = [parser, parse]
