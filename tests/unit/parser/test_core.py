"""The public entry point: shape of the results, title handling, sources, stable ids."""

from __future__ import annotations

import orjson
import pytest

import schemas
from services.parser.core import PARSER_VERSION, extract, parse_post, split
from tests.unit.parser.conftest import seed_text

HEADER = "【セキュリティ事件簿#2023-106】エン・ジャパン株式会社 「エン転職」への不正ログイン発生に関するお詫びとお願い 2023/03/30"
INCIDENT_KEYS = {"kind", "incident_id", "case_id", "organization", "title", "disclosed_on", "sector", "incident_types",
                 "affected", "data_types", "vendors", "authorities", "iocs", "evidence", "source", "body", "parser_version"}


def _first_post() -> str:
    return split(seed_text("001"))[0].text


def test_incident_has_exactly_the_contract_fields() -> None:
    (incident,) = parse_post(_first_post())
    assert set(incident) == INCIDENT_KEYS
    assert incident["kind"] == "incident" and incident["parser_version"] == PARSER_VERSION


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_results_are_json_and_valid_against_the_incident_schema(doc: str) -> None:
    for result in parse_post(seed_text(doc), include_non_incidents=True):
        assert orjson.loads(orjson.dumps(result)) == result
        if result["kind"] == "incident":
            schemas.validate("incident", {**result, "schema_version": schemas.INCIDENT_SCHEMA_VERSION})


def test_non_incident_record_shape() -> None:
    record = next(r for r in parse_post(seed_text("002"), include_non_incidents=True) if r["kind"] == "non_incident")
    assert {"kind", "title", "reason", "body"} <= set(record)
    assert record["title"] == "安く旅する方法"


def test_results_are_in_text_order_with_non_incidents() -> None:
    kinds = [r["kind"][0] for r in parse_post(seed_text("004"), include_non_incidents=True)]
    assert kinds == ["i", "n", "i", "n", "n", "i", "i"]


def test_feed_title_is_prepended_when_the_content_lacks_it() -> None:
    body = _first_post().split("\n", 1)[1]
    (incident,) = parse_post(body, title=HEADER)
    assert (incident["case_id"], incident["organization"], incident["disclosed_on"]) == (
        "2023-106", "エン・ジャパン株式会社", "2023-03-30")
    assert incident["body"].startswith(HEADER)


def test_feed_title_is_not_repeated_when_the_content_has_it() -> None:
    (incident,) = parse_post(_first_post(), title=HEADER)
    assert incident["body"].count("【セキュリティ事件簿#2023-106】") == 1


def test_feed_title_of_an_article_yields_no_incident() -> None:
    assert parse_post("旅行はお金持ちである必要はありません。いくつかの方法をご紹介します。", title="安く旅する方法") == []


def test_source_is_copied_into_each_incident() -> None:
    source = {"feed": "b-son", "url": "https://example.org/p", "post_id": "42", "published": "2023-03-30T00:00:00Z"}
    results = parse_post(seed_text("001"), source=source)
    assert all(r["source"] == source and r["source"] is not source for r in results)


def test_default_source_has_null_fields() -> None:
    (incident,) = parse_post(_first_post())
    assert incident["source"] == {"feed": None, "url": None, "post_id": None, "published": None}


def test_incident_id_survives_an_edited_body_and_another_post_id() -> None:
    post = _first_post()
    (original,) = parse_post(post, source={"feed": "a", "url": None, "post_id": "1", "published": None})
    edited = post.replace("深くお詫び申し上げます", "心よりお詫び申し上げます") + "\n\n追記:調査を継続しています。"
    (republished,) = parse_post(edited, source={"feed": "b", "url": None, "post_id": "2", "published": None})
    assert original["incident_id"] == republished["incident_id"]


def test_incident_id_without_case_id_survives_spacing_changes() -> None:
    text = seed_text("004")
    first = parse_post(text)[0]["incident_id"]
    assert parse_post(text.replace("お詫びとご報告 2022年8月13日", "お詫びとご報告  2022年8月13日"))[0]["incident_id"] == first


def test_extract_is_pure_on_a_segment() -> None:
    segment = split(_first_post())[0]
    assert extract(segment) == extract(segment)


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        parse_post(b"bytes")  # type: ignore[arg-type]
