"""Every incident in the five seed documents, every field; every non-incident yields nothing."""

from __future__ import annotations

import pytest

from services.common.text import tidy
from services.parser.core import parse_post
from tests.unit.parser.conftest import seed_text
from tests.unit.parser.seed_expectations import EXPECTED, NON_INCIDENTS

FIELDS = ("case_id", "organization", "title", "disclosed_on", "sector", "incident_types", "affected", "data_types",
          "vendors", "authorities", "iocs")
CASES = [(doc, index, row) for doc, rows in EXPECTED.items() for index, row in enumerate(rows)]


def _as_row(incident: dict) -> tuple:
    affected = incident["affected"]
    return (incident["case_id"], incident["organization"], incident["title"], incident["disclosed_on"],
            incident["sector"], incident["incident_types"], (affected["count"], affected["unit"], affected["text"]),
            incident["data_types"], incident["vendors"], incident["authorities"],
            [(ioc["type"], ioc["value"]) for ioc in incident["iocs"]])


_CACHE: dict[tuple[str, bool], list[dict]] = {}


def _parsed(doc: str, tidied: bool = False) -> list[dict]:
    if (doc, tidied) not in _CACHE:
        text = seed_text(doc)
        _CACHE[(doc, tidied)] = parse_post(tidy(text) if tidied else text, include_non_incidents=True)
    return _CACHE[(doc, tidied)]


def _incidents(doc: str, tidied: bool = False) -> list[dict]:
    return [result for result in _parsed(doc, tidied) if result["kind"] == "incident"]


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_each_seed_yields_its_incidents_in_order(doc: str) -> None:
    assert [(i["case_id"], i["organization"]) for i in _incidents(doc)] == [(r[0], r[1]) for r in EXPECTED[doc]]


@pytest.mark.parametrize(("doc", "index", "row"), CASES, ids=[f"{d}-{i}-{r[1]}" for d, i, r in CASES])
@pytest.mark.parametrize("field", FIELDS)
def test_seed_incident_field(doc: str, index: int, row: tuple, field: str) -> None:
    position = FIELDS.index(field)
    assert _as_row(_incidents(doc)[index])[position] == row[position]


@pytest.mark.parametrize(("doc", "index", "row"), CASES, ids=[f"{d}-{i}-{r[1]}" for d, i, r in CASES])
def test_seed_incident_is_the_same_after_blank_lines_are_collapsed(doc: str, index: int, row: tuple) -> None:
    # The agent feeds the parser text through services.common.text.tidy, which
    # collapses runs of blank lines; the result must not depend on them.
    assert _as_row(_incidents(doc, tidied=True)[index]) == row


@pytest.mark.parametrize("doc", sorted(NON_INCIDENTS))
def test_non_incident_segments_are_reported_only_on_request(doc: str) -> None:
    titles = [r["title"] for r in _parsed(doc) if r["kind"] == "non_incident"]
    assert titles == NON_INCIDENTS[doc]
    assert all(r["kind"] == "incident" for r in parse_post(seed_text(doc)))


def test_001_yields_eight_incidents_with_their_case_ids() -> None:
    assert [i["case_id"] for i in _incidents("001")] == [
        "2023-106", "2023-105", "2023-104", "2023-103", "2023-102", "2023-101", "2023-104", None]


def test_travel_tips_are_not_glued_onto_the_pokemon_post() -> None:
    pokemon = _incidents("002")[3]
    assert pokemon["organization"] == "株式会社ポケモン"
    assert "安く旅する方法" not in pokemon["body"]
    assert pokemon["body"].rstrip().endswith("リリース文アーカイブ")


def test_gartner_essay_is_not_glued_onto_the_hardoff_post() -> None:
    hardoff = _incidents("004")[0]
    assert "ガートナー" not in hardoff["body"]
    assert hardoff["body"].rstrip().endswith("今後判明した情報は随時、弊社ホームページにて、ご報告させていただきます。")


def test_urlscan_article_is_not_glued_onto_the_nichirin_post() -> None:
    nichirin = _incidents("004")[1]
    assert "urlscan" not in nichirin["body"]


def test_non_incident_articles_keep_their_whole_text() -> None:
    articles = [r for r in _parsed("004") if r["kind"] == "non_incident"]
    assert "トレンド7:サイバーセキュリティ・メッシュ" in articles[0]["body"]
    assert "Whois Request" in articles[1]["body"] and articles[1]["body"].rstrip().endswith("OSINT resources")
    assert all(r["reason"] for r in articles)


def test_body_is_the_original_text_with_kangxi_radicals() -> None:
    aizawa = _incidents("001")[2]
    assert "個⼈情報" in aizawa["body"]  # U+2F08 kept in the body
    assert "個人情報" in aizawa["title"]  # normalised in the fields


def test_press_release_body_is_the_whole_document() -> None:
    (release,) = _incidents("003")
    assert release["body"] == seed_text("003").strip()


def test_duplicate_case_numbers_give_two_incident_ids() -> None:
    first, second = (i for i in _incidents("001") if i["case_id"] == "2023-104")
    assert first["organization"] != second["organization"]
    assert first["incident_id"] != second["incident_id"]


def test_incident_ids_are_unique_across_the_seeds() -> None:
    ids = [i["incident_id"] for doc in EXPECTED for i in _incidents(doc)]
    assert len(ids) == len(set(ids))
