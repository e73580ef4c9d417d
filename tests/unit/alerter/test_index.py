"""The index is an optimisation, not a second definition: it must agree with `match` exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import taxonomies
from services.alerter.match import SubscriptionIndex, match
from services.alerter.subscriptions import Subscription, SubscriptionError, parse_subscription

SECTORS = list(taxonomies()["sectors"])[:4] + ["医療"]
TYPES = list(taxonomies()["incident_types"])[:4] + ["不正アクセス"]
# Small vocabularies with overlaps (substrings, aliases, widths, legal forms) so that hits are common.
NAMES = ["acmailer", "ＡＣＭＡＩＬＥＲ", "株式会社イセトー", "ISETO", "NTT Com", "NTTコミュニケーションズ", "NTTデータ", "NTT", "静岡", "静岡情報処理センター"]
WORDS = ["VPN", "ｖｐｎ", "攻撃", "ランサムウェア", "サーバ", "メール", "Emotet"]

lists = lambda values: st.lists(st.sampled_from(values), max_size=3)  # noqa: E731
criteria = st.fixed_dictionaries(
    {}, optional={"sectors": lists(SECTORS), "incident_types": lists(TYPES), "vendors": lists(NAMES), "organizations": lists(NAMES), "keywords": lists(WORDS)}
)


@st.composite
def subscriptions(draw: st.DrawFn) -> list[Subscription]:
    out = []
    for index in range(draw(st.integers(1, 25))):
        data: dict[str, Any] = {"name": f"s{index}", **draw(criteria)}
        if draw(st.booleans()):
            data["min_affected"] = draw(st.sampled_from([0, 10, 1000, 100000]))
        if draw(st.integers(0, 3)) == 0:
            data["exclude"] = draw(criteria)
        try:
            out.append(parse_subscription(data))
        except SubscriptionError:
            continue  # a subscription that matches everything is rejected by design
    return out


incidents = st.fixed_dictionaries({
    "incident_id": st.just("i"),
    "sector": st.sampled_from(list(taxonomies()["sectors"])[:5]),
    "incident_types": st.lists(st.sampled_from(list(taxonomies()["incident_types"])[:5]), max_size=3, unique=True),
    "vendors": st.lists(st.sampled_from(NAMES + ["(株)静岡情報処理センター", "無関係"]), max_size=3),
    "organization": st.sampled_from(NAMES + ["静岡市", None]),
    "title": st.sampled_from(["VPN機器への攻撃", "お知らせ", "ランサムウェア被害", ""]),
    "body": st.text(alphabet="VPNvpnサーバメール攻撃 EmotetＥｍｏｔｅｔ", max_size=40),
    "affected": st.fixed_dictionaries({"count": st.one_of(st.none(), st.sampled_from([0, 9, 10, 999, 1000, 500000]))}),
})


@settings(max_examples=200, deadline=None)
@given(subscriptions(), st.lists(incidents, min_size=1, max_size=5))
def test_index_gives_exactly_what_match_gives(subs: list[Subscription], batch: list[dict[str, Any]]) -> None:
    index = SubscriptionIndex(subs)
    for incident in batch:
        expected = [(s, why) for s in subs if (why := match(s, incident)) is not None]
        assert index.matches(incident) == expected


def test_threshold_only_subscription_is_found_without_any_list_field() -> None:
    sub = parse_subscription({"name": "big", "min_affected": 100000})
    index = SubscriptionIndex([sub])
    assert index.matches({"incident_id": "i", "affected": {"count": 140000}}) == [(sub, [("min_affected", 140000)])]
    assert index.matches({"incident_id": "i", "affected": {"count": None}}) == []
