from pathlib import Path

import pytest

from services.common.config import DEFAULT_FEED_URL, bootstrap_servers, load_config
from services.common.durations import parse_duration
from services.common.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jikenbo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_follow_the_real_blog_on_the_embedded_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.embedded
    assert config.topic_prefix == "jikenbo"
    assert [f.url for f in config.feeds] == [DEFAULT_FEED_URL]


def test_file_values_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nurl = "kafka://k1:9092"\ntopic_prefix = "x"\n[[feeds]]\nname = "a"\nurl = "https://a.example/feed"\ninterval = "90s"\n')
    config = load_config(path, env={})
    assert config.broker_url == "kafka://k1:9092"
    assert config.topic_prefix == "x"
    assert config.feeds[0].interval == 90


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nurl = "kafka://k1:9092"\n')
    env = {
        "JIKENBO_BROKER_URL": "kafka://k2:9093",
        "JIKENBO_TOPIC_PREFIX": "p2",
        "JIKENBO_STATE_DIR": str(tmp_path / "s"),
        "JIKENBO_ALLOW_PRIVATE_NETWORKS": "true",
        "JIKENBO_FEEDS": "one=http://127.0.0.1:1/f,http://h.example/g",
    }
    config = load_config(path, env=env)
    assert config.broker_url == "kafka://k2:9093"
    assert config.topic_prefix == "p2"
    assert config.state_dir == tmp_path / "s"
    assert config.fetcher.allow_private_networks is True
    assert [(f.name, f.url) for f in config.feeds] == [("one", "http://127.0.0.1:1/f"), ("h.example", "http://h.example/g")]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nurl = "kafka://x:1"\n\n[[feeds]]\nurl = https://nope\n')
    with pytest.raises(ConfigError, match=r"jikenbo\.toml:5:.*Invalid value"):
        load_config(path, env={})


def test_wrong_type_names_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[[feeds]]\nurl = "https://a.example/f"\n\n[[feeds]]\nurl = "https://b.example/f"\ninterval = "soon"\n')
    with pytest.raises(ConfigError, match=r"jikenbo\.toml:6: feeds\.#2\.interval: expected a duration"):
        load_config(path, env={})


def test_unknown_section_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "[brokers]\nurl = 1\n")
    with pytest.raises(ConfigError, match=r"unknown section"):
        load_config(path, env={})


def test_missing_explicit_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_broker_url_must_be_kafka(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kafka://"):
        load_config(write(tmp_path, ""), env={"JIKENBO_BROKER_URL": "localhost:9092"})


@pytest.mark.parametrize(("text", "seconds"), [("5m", 300), ("90s", 90), ("1h30m", 5400), ("250ms", 0.25), (12, 12), ("7", 7)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration_raises() -> None:
    with pytest.raises(ValueError):
        parse_duration("five minutes")


def test_bootstrap_servers_strips_scheme() -> None:
    assert bootstrap_servers("kafka://a:1,kafka://b:2") == "a:1,b:2"


def test_documented_example_config_loads() -> None:
    from services.alerter.subscriptions import subscriptions_from_config

    path = Path(__file__).resolve().parents[3] / "deploy" / "jikenbo.example.toml"
    config = load_config(path, env={})
    assert config.feeds[0].url == DEFAULT_FEED_URL
    assert [s.name for s in subscriptions_from_config(config)] == ["hospitals", "suppliers"]


@pytest.mark.parametrize(("text", "message"), [
    ('[log]\nlevel = "LOUD"\n', r"log\.level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"),
    ('[fetcher]\nmax_connections = 0\n', r":2: fetcher\.max_connections: must be at least 1, got 0"),
    ('[fetcher]\nper_host_concurrency = -2\n', r"fetcher\.per_host_concurrency: must be at least 1"),
    ('[fetcher]\nmax_bytes = 0\n', r"fetcher\.max_bytes: must be at least 1024"),
    ('[fetcher]\nmax_redirects = -1\n', r"fetcher\.max_redirects: must be at least 0"),
    ('[fetcher]\nread_timeout = 0\n', r"fetcher\.read_timeout: must be longer than zero"),
    ('[fetcher]\ntotal_timeout = "nan"\n', r"fetcher\.total_timeout: expected a duration"),
    ('[fetcher]\ntotal_timeout = inf\n', r"fetcher\.total_timeout: expected a duration of zero or more seconds, got inf"),
    ('[fetcher]\nmax_backoff = "1e3"\n', r"fetcher\.max_backoff: expected a duration"),
    ('[parser]\nmax_incidents = 0\n', r"parser\.max_incidents: must be at least 1"),
    ('[parser]\npost_deadline = "0s"\n', r"parser\.post_deadline: must be longer than zero"),
    ('[parser]\nmax_post_chars = 10\n', r"parser\.max_post_chars: must be at least 1000"),
    ('[parser]\nmax_post_char = 10\n', r"parser\.max_post_char: unknown key"),
])
def test_out_of_range_values_are_refused_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), env={})


def test_log_level_from_the_environment_is_checked_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="log.level: expected one of"):
        load_config(write(tmp_path, ""), env={"JIKENBO_LOG_LEVEL": "verbose"})


def test_parser_limits_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[parser]\nmax_post_chars = 5000\npost_deadline = "2s"\nmax_incidents = 7\n'), env={})
    assert (config.parser.max_post_chars, config.parser.post_deadline, config.parser.max_incidents) == (5000, 2.0, 7)


def test_bare_numbers_of_seconds_are_plain_decimals() -> None:
    assert parse_duration("90") == 90.0 and parse_duration("1.5") == 1.5
    for bad in ("nan", "inf", "1e3", "-5", float("nan"), float("inf")):
        with pytest.raises(ValueError):
            parse_duration(bad)
