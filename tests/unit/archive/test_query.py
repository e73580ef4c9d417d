"""Filters, search, paging and counts on a real archive file."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.alerter.match import match
from services.alerter.subscriptions import SubscriptionError, parse_subscription
from services.archive.database import open_reader
from services.archive.query import Filters, StatRow, count_incidents, iter_incidents, list_incidents, stats
from services.archive.store import ArchiveStore

from tests.unit.archive.conftest import make_incident

Make = Callable[..., dict[str, Any]]

RUNNING_TEXT = [
    make_incident(incident_id="inc-karte", sector="healthcare", organization="医療法人社団 青葉会 青葉病院",
                  title="ランサムウェア被害に関するお知らせ", disclosed_on="2024-11-02", incident_types=["ransomware"],
                  affected={"count": 1200, "unit": "名", "text": "約1,200名"},
                  body="当院の電子カルテシステムがランサムウェアに感染し、外来診療を停止しました。"),
    make_incident(incident_id="inc-iseto", sector="government", organization="大阪府堺市", title="委託先における情報漏えい",
                  disclosed_on="2024-07-10", incident_types=["ransomware", "unauthorized_access"], vendors=["株式会社イセトー"],
                  affected={"count": 30000, "unit": "件", "text": "約3万件"},
                  body="本市が業務を委託している株式会社イセトーのサーバがランサムウェアによる攻撃を受けたと報告がありました。"),
    make_incident(incident_id="inc-mail", sector="education", organization="国立大学法人 東西大学", title="メール誤送信について",
                  disclosed_on="2023-03-15", incident_types=["misdelivery"], vendors=["ＡＣＭＡＩＬＥＲ"],
                  affected={"count": 45, "unit": "名", "text": "45名"},
                  body="学生45名のメールアドレスをBCCではなくTOに入力し送信しました。"),
    make_incident(incident_id="inc-wp", sector="retail_ecommerce", organization="(株)北星商事", title="ECサイトへの不正アクセス",
                  disclosed_on="2023-12-24", incident_types=["unauthorized_access", "vulnerability_exploit"],
                  vendors=["ワードプレス"], body="ECサイトの脆弱性を突かれ、カード情報が漏えいした可能性があります。AI"),
    make_incident(incident_id="inc-undated", sector="other", organization=None, title="病院", disclosed_on=None,
                  incident_types=[], source={"published": "2022-01-05T10:00:00+09:00"}, body="詳細は調査中です。"),
]


@pytest.fixture
def archive(archive_path: Path) -> Iterator[sqlite3.Connection]:
    with ArchiveStore(archive_path) as store:
        store.commit(RUNNING_TEXT)
    db = open_reader(archive_path)
    yield db
    db.close()


def ids(db: sqlite3.Connection, **filters: Any) -> list[str]:
    return [item.incident_id for item in list_incidents(db, Filters(**filters), limit=100).items]


@pytest.mark.parametrize(("text", "expected"), [
    ("電子カルテ", ["inc-karte"]),
    ("イセトー", ["inc-iseto"]),
    ("ｲｾﾄｰ", ["inc-iseto"]),  # half-width kana fold like a subscription keyword
    ("ランサムウェア", ["inc-karte", "inc-iseto"]),
    ("ランサムウェア 電子カルテ", ["inc-karte"]),  # every term must occur
    ("bcc", ["inc-mail"]),
    ("病院", ["inc-undated"]),  # two characters, a whole title (the organisation's name is not searched)
    ("院", ["inc-karte", "inc-undated"]),  # 当院, 病院
    ("ai", ["inc-wp"]),  # two characters at the very end of a body
    ("カード情報", ["inc-wp"]),
    ("存在しない語", []),
    ("ゑ", []),
])
def test_search_finds_words_inside_running_text(archive: sqlite3.Connection, text: str, expected: list[str]) -> None:
    assert ids(archive, search=text) == expected


@pytest.mark.parametrize("text", ['"', 'NEAR(a b)', "a OR b", "*", "col:ab", "'; DROP TABLE incidents; --", "^"])
def test_search_syntax_is_text_not_a_query(archive: sqlite3.Connection, text: str) -> None:
    assert ids(archive, search=text) == []
    assert count_incidents(archive, Filters()) == len(RUNNING_TEXT)


@pytest.mark.parametrize("text", ["", "  ", "\x00\n"])
def test_no_search_terms_is_no_search(archive: sqlite3.Connection, text: str) -> None:
    assert len(ids(archive, search=text)) == len(RUNNING_TEXT)


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["inc-karte", "inc-iseto", "inc-wp", "inc-mail", "inc-undated"]),
    ({"sectors": ("医療",)}, ["inc-karte"]),
    ({"sectors": ("healthcare", "教育")}, ["inc-karte", "inc-mail"]),
    ({"incident_types": ("ransomware",)}, ["inc-karte", "inc-iseto"]),
    ({"incident_types": ("不正アクセス", "misdelivery")}, ["inc-iseto", "inc-wp", "inc-mail"]),
    ({"organizations": ("青葉病院",)}, ["inc-karte"]),
    ({"organizations": ("株式会社北星商事",)}, ["inc-wp"]),  # legal forms do not matter
    ({"vendors": ("イセトー",)}, ["inc-iseto"]),
    ({"vendors": ("acmailer",)}, ["inc-mail"]),  # width and case fold
    ({"vendors": ("WordPress",)}, ["inc-wp"]),  # an alias, as for subscriptions
    ({"since": date(2023, 12, 24)}, ["inc-karte", "inc-iseto", "inc-wp"]),
    ({"until": date(2023, 3, 15)}, ["inc-mail", "inc-undated"]),
    ({"since": date(2022, 1, 1), "until": date(2022, 12, 31)}, ["inc-undated"]),  # no disclosure date: the post's date
    ({"min_affected": 1200}, ["inc-karte", "inc-iseto"]),
    ({"sectors": ("government",), "incident_types": ("misdelivery",)}, []),  # AND across filters
    ({"incident_types": ("ransomware",), "search": "電子カルテ", "min_affected": 100}, ["inc-karte"]),
    ({"organizations": ("' OR 1=1 --",)}, []),
])
def test_filters(archive: sqlite3.Connection, filters: dict[str, Any], expected: list[str]) -> None:
    assert ids(archive, **filters) == expected
    assert count_incidents(archive, Filters(**filters)) == len(expected)
    assert [i["incident_id"] for i in iter_incidents(archive, Filters(**filters))] == expected


@pytest.mark.parametrize(("filters", "message"), [
    ({"sectors": ("病院",)}, "unknown sector"),
    ({"incident_types": ("hacking",)}, "unknown incident type"),
    ({"organizations": ("株式会社",)}, "empty once legal forms"),
])
def test_unknown_filter_values_are_errors(archive: sqlite3.Connection, filters: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ids(archive, **filters)


def test_pages_visit_every_incident_once_newest_first(archive_path: Path) -> None:
    dates = [f"2024-{month:02d}-{day:02d}" for month, day in itertools.product(range(1, 13), (1, 15))]
    with ArchiveStore(archive_path) as store:
        store.commit([make_incident(disclosed_on=dates[n % len(dates)], sector="finance" if n % 3 else "other") for n in range(130)])
        db = open_reader(archive_path)
        seen, cursor, pages = [], None, 0
        while True:
            page = list_incidents(db, Filters(sectors=("finance",)), limit=20, after=cursor)
            seen += page.items
            pages += 1
            if pages == 2:  # incidents arriving while someone pages: no row repeated or skipped
                store.commit([make_incident(disclosed_on="2025-01-01", sector="finance")])
            if page.next is None:
                break
            cursor = page.next
    assert len(seen) == len({item.incident_id for item in seen}) == count_incidents(db, Filters(sectors=("finance",))) - 1
    assert [item.date for item in seen] == sorted((item.date for item in seen), reverse=True)
    assert pages == 5
    with pytest.raises(ValueError, match="cursor"):
        list_incidents(db, Filters(), after="nonsense")


def test_counts_by_one_and_two_dimensions(archive: sqlite3.Connection) -> None:
    assert stats(archive, (), Filters()) == [StatRow((), 5, 31245, 3)]
    assert stats(archive, ("year",), Filters()) == [
        StatRow(("2022",), 1, 0, 0), StatRow(("2023",), 2, 45, 1), StatRow(("2024",), 2, 31200, 2)]
    assert stats(archive, ("month",), Filters(since=date(2024, 1, 1))) == [
        StatRow(("2024-07",), 1, 30000, 1), StatRow(("2024-11",), 1, 1200, 1)]
    assert stats(archive, ("type",), Filters()) == [
        StatRow(("ransomware",), 2, 31200, 2), StatRow(("unauthorized_access",), 2, 30000, 1),
        StatRow((None,), 1, 0, 0), StatRow(("misdelivery",), 1, 45, 1), StatRow(("vulnerability_exploit",), 1, 0, 0)]
    assert stats(archive, ("vendor",), Filters(sectors=("government", "education", "retail_ecommerce"))) == [
        StatRow(("ワードプレス",), 1, 0, 0), StatRow(("株式会社イセトー",), 1, 30000, 1), StatRow(("ＡＣＭＡＩＬＥＲ",), 1, 45, 1)]
    assert stats(archive, ("year", "sector"), Filters(search="ランサムウェア")) == [
        StatRow(("2024", "government"), 1, 30000, 1), StatRow(("2024", "healthcare"), 1, 1200, 1)]
    assert stats(archive, ("sector", "type"), Filters(sectors=("government",))) == [
        StatRow(("government", "ransomware"), 1, 30000, 1), StatRow(("government", "unauthorized_access"), 1, 30000, 1)]


@pytest.mark.parametrize("by", [("year", "month", "sector"), ("year", "year"), ("organisation",)])
def test_counts_refuse_other_groupings(archive: sqlite3.Connection, by: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="group by"):
        stats(archive, by, Filters())


# Filters mean what subscriptions mean: the archive selects exactly the incidents the alerter would match.
NAMES = ["acmailer", "ＡＣＭＡＩＬＥＲ", "エーシーメーラー", "イセトー", "株式会社イセトー", "WordPress", "ワードプレス", "静岡", "青葉病院"]
WORDS = ["電子カルテ", "ランサムウェア", "病院", "ai", "カ", "VPN"]
SECTORS = ["healthcare", "government", "医療", "other"]
TYPES = ["ransomware", "unauthorized_access", "misdelivery", "不正アクセス"]


@st.composite
def incidents(draw: st.DrawFn) -> dict[str, Any]:
    body = "".join(draw(st.lists(st.sampled_from(["当院の", "電子カルテ", "が", "ランサム", "ウェア", "病院", "AI", "ＶＰＮ", "。", "\n"]),
                                 max_size=8)))
    count = draw(st.none() | st.integers(0, 5000))
    return make_incident(sector=draw(st.sampled_from(["healthcare", "government", "other"])),
                         incident_types=draw(st.lists(st.sampled_from(TYPES[:3]), max_size=2, unique=True)),
                         organization=draw(st.sampled_from([None, "青葉病院", "静岡市", "株式会社イセトー"])),
                         vendors=draw(st.lists(st.sampled_from(NAMES), max_size=2)), title=draw(st.sampled_from(["お知らせ", "病院"])),
                         body=body, affected={"count": count, "unit": "名", "text": None})


criteria = st.fixed_dictionaries({}, optional={
    "sectors": st.lists(st.sampled_from(SECTORS), min_size=1, max_size=2),
    "incident_types": st.lists(st.sampled_from(TYPES), min_size=1, max_size=2),
    "vendors": st.lists(st.sampled_from(NAMES), min_size=1, max_size=2),
    "organizations": st.lists(st.sampled_from(NAMES), min_size=1, max_size=2),
    "keywords": st.lists(st.sampled_from(WORDS), min_size=1, max_size=1),
    "min_affected": st.sampled_from([0, 100, 4000]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(incidents(), min_size=1, max_size=12), criteria)
def test_filters_select_what_a_subscription_would_match(tmp_path: Path, batch: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
    try:
        subscription = parse_subscription({"name": "s", **wanted})
    except SubscriptionError:
        return  # a subscription with no condition is refused by design
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}.sqlite3"
    with ArchiveStore(path) as store:
        store.commit(batch)
    filters = Filters(sectors=tuple(wanted.get("sectors", ())), incident_types=tuple(wanted.get("incident_types", ())),
                      organizations=tuple(wanted.get("organizations", ())), vendors=tuple(wanted.get("vendors", ())),
                      min_affected=wanted.get("min_affected"), search=" ".join(wanted.get("keywords", ())))
    db = open_reader(path)
    assert set(ids(db, **filters.__dict__)) == {i["incident_id"] for i in batch if match(subscription, i) is not None}
    db.close()
