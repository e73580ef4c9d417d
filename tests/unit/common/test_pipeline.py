"""The stage declaration: one entry per service, consistent with the topics and the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.config import MetricsConfig
from services.common.pipeline import ALERTER, ARCHIVE, FETCHER, PARSER, STAGES, consumers
from services.common.topics import Topics


def test_every_declared_topic_is_a_pipeline_topic() -> None:
    topics = Topics("p")
    for stage in STAGES:
        for attribute in (*stage.reads, *stage.writes):
            assert getattr(topics, attribute) in topics.all(), (stage.name, attribute)


def test_a_stage_reads_only_what_an_earlier_stage_writes() -> None:
    written: set[str] = set()
    for stage in STAGES:
        assert set(stage.reads) <= written, stage.name
        written.update(stage.writes)


def test_consumers_are_the_stages_with_input_topics_in_pipeline_order() -> None:
    assert consumers() == (PARSER, ALERTER, ARCHIVE)
    assert PARSER.group(Topics("p")) == "p-parser" and PARSER.input_topics(Topics("p")) == ("p.posts.raw",)


def test_state_files_and_default_metrics_ports_come_from_the_declaration(tmp_path: Path) -> None:
    assert FETCHER.state_path(tmp_path) == tmp_path / "fetcher.sqlite3"
    assert ALERTER.state_path(tmp_path) == tmp_path / "alerter.sqlite3"
    with pytest.raises(ValueError, match="parser keeps no state file"):
        PARSER.state_path(tmp_path)
    assert MetricsConfig().ports == {"fetcher": 9181, "parser": 9182, "alerter": 9183, "archive": 9184}
