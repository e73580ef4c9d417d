"""Subscriptions with a topic of their own: names Kafka would refuse fail at load time, naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerter.subscriptions import subscriptions_from_config
from services.common.config import load_config
from services.common.errors import ConfigError
from services.common.topics import collision_key, topic_problem


def subscription(name: str, topic: bool = True) -> str:
    return f'[[subscriptions]]\nname = "{name}"\nsectors = ["医療"]\ntopic = {str(topic).lower()}\n\n'


def load(tmp_path: Path, text: str, subscriptions_file: str | None = None, prefix: str = "jikenbo") -> list[str]:
    config = tmp_path / "jikenbo.toml"
    if subscriptions_file is not None:
        (tmp_path / "subs.toml").write_text(subscriptions_file, encoding="utf-8")
        text = f'[alerter]\nsubscriptions_file = "{tmp_path / "subs.toml"}"\n\n' + text
    config.write_text(f'[broker]\ntopic_prefix = "{prefix}"\n\n' + text, encoding="utf-8")
    return [s.name for s in subscriptions_from_config(load_config(str(config)))]


def test_kafka_topic_rules() -> None:
    assert topic_problem("jikenbo.alerts.hospitals") is None
    assert topic_problem("a" * 249) is None
    assert topic_problem("a" * 250) == "250 characters, over Kafka's limit of 249"
    assert topic_problem("jikenbo.alerts.病院") == "a topic name holds only letters, digits, '.', '_' and '-'"
    assert topic_problem("..") == "'..' is not a topic name"
    assert collision_key("jikenbo.alerts.a_b") == collision_key("jikenbo.alerts.a.b") != collision_key("jikenbo.alerts.a-b")


def test_names_whose_topics_differ_only_by_dot_and_underscore_are_refused_naming_both(tmp_path: Path) -> None:
    text = subscription("hospitals.tokyo") + subscription("clinics") + subscription("hospitals_tokyo")
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, text)
    assert str(refused.value) == (
        f"{tmp_path / 'jikenbo.toml'}:15: subscriptions #3 (hospitals_tokyo), field 'name': its topic 'jikenbo.alerts.hospitals_tokyo' "
        "collides with 'jikenbo.alerts.hospitals.tokyo' of subscription 'hospitals.tokyo': "
        "Kafka treats '.' and '_' in topic names as the same; rename one of them"
    )


def test_a_collision_across_the_config_and_the_subscriptions_file_names_the_file_s_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"subs\.toml:7: subscriptions #2 \(a_b\), field 'name': its topic 'jikenbo\.alerts\.a_b' "
                                          r"collides with 'jikenbo\.alerts\.a\.b' of subscription 'a\.b'"):
        load(tmp_path, subscription("a.b"), subscriptions_file=subscription("other") + subscription("a_b"))


def test_a_name_too_long_for_a_topic_under_the_prefix_is_refused_with_the_room_left(tmp_path: Path) -> None:
    fits, too_long = "n" * (249 - len("acme-prod.alerts.")), "n" * (250 - len("acme-prod.alerts."))
    assert load(tmp_path, subscription(fits), prefix="acme-prod") == [fits]
    with pytest.raises(ConfigError, match=r"jikenbo\.toml:5: subscriptions #1 \(n+\), field 'name': its topic 'acme-prod\.alerts\.n+' "
                                          r"cannot exist in Kafka: 250 characters, over Kafka's limit of 249 "
                                          r"\(with topic = true, a name has at most 232 characters\)"):
        load(tmp_path, subscription(too_long), prefix="acme-prod")


def test_names_are_only_checked_for_subscriptions_that_ask_for_a_topic(tmp_path: Path) -> None:
    long_name = "n" * 300
    text = subscription("a.b") + subscription("a_b", topic=False) + subscription(long_name, topic=False)
    assert load(tmp_path, text) == ["a.b", "a_b", long_name]


def test_characters_kafka_refuses_are_refused_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"jikenbo\.toml:5: subscriptions #1 \(病院/東京\), field 'name'"):
        load(tmp_path, subscription("病院/東京"))
