"""The pipeline's stages, declared once: what each reads and writes, its group, its state.

The fetcher's confirmation of unconfirmed posts (services.fetcher.confirm),
consumer lag and /readyz (services.common.faust_app), `jikenbo status` and
`jikenbo up` all read `STAGES`, so adding a stage is one entry here plus its
service package (docs/ARCHITECTURE.md, "Where to change what").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.common.topics import Topics


@dataclass(frozen=True)
class Stage:
    """One service of the pipeline.

    Topics are named by their `Topics` attribute (`"raw_posts"`), so one
    declaration serves every topic prefix.
    """

    name: str  # the sub-command (`jikenbo parser`); the consumer group is `<prefix>-<name>`
    reads: tuple[str, ...] = ()  # input topics; the fetcher reads feeds, not topics
    writes: tuple[str, ...] = ()  # output topics
    state_file: str | None = None  # its SQLite file in the state directory, if it keeps one
    metrics_port: int = 0  # default of `[metrics] <name>_port`

    def group(self, topics: Topics) -> str:
        """Its consumer group (and Faust app id)."""
        return topics.group(self.name)

    def input_topics(self, topics: Topics) -> tuple[str, ...]:
        return tuple(getattr(topics, attribute) for attribute in self.reads)

    def state_path(self, state_dir: Path) -> Path:
        """Where its SQLite state lives under `state_dir`."""
        if self.state_file is None:
            raise ValueError(f"the {self.name} keeps no state file")
        return state_dir / self.state_file


FETCHER = Stage("fetcher", writes=("raw_posts",), state_file="fetcher.sqlite3", metrics_port=9181)
PARSER = Stage("parser", reads=("raw_posts",), writes=("incidents", "dead_letters"), metrics_port=9182)
ALERTER = Stage("alerter", reads=("incidents",), writes=("alerts",), state_file="alerter.sqlite3", metrics_port=9183)
# The history (services.archive): every incident version and the alerts it triggered, in SQLite.
ARCHIVE = Stage("archive", reads=("incidents", "alerts"), state_file="archive.sqlite3", metrics_port=9184)

# In pipeline order: a stage reads only what stages before it write.
STAGES: tuple[Stage, ...] = (FETCHER, PARSER, ALERTER, ARCHIVE)


def consumers() -> tuple[Stage, ...]:
    """The stages that read topics, in pipeline order: those with a consumer group and a lag."""
    return tuple(stage for stage in STAGES if stage.reads)

