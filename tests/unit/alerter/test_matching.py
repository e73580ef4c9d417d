"""Matching semantics: names, codes or labels, AND/OR, exclude, thresholds, aliases; the ledger."""

from pathlib import Path

import pytest

from services.alerter.alerts import alert_id, build_alert, fingerprint
from services.alerter.decisions import BatchLedger, decide
from services.alerter.ledger import Ledger
from services.alerter.match import SubscriptionIndex, match
from services.alerter.subscriptions import SubscriptionError, load_subscriptions, parse_subscription
from services.common.errors import ConfigError
from services.common.names import LEGAL_FORM_SECTORS, LEGAL_FORMS, normalize_name
from services.parser.names import legal_form_sectors

import schemas


def incident(**changes: object) -> dict:
    base = {
        "incident_id": "i-1",
        "case_id": "2025-093",
        "organization": "静岡市生涯学習センター",
        "title": "サーバへの不正アクセスによる個人情報流出の可能性について",
        "disclosed_on": "2025-03-04",
        "sector": "education",
        "incident_types": ["unauthorized_access"],
        "affected": {"count": 1200, "unit": "件", "text": "1,200件"},
        "data_types": ["氏名"],
        "vendors": ["株式会社静岡情報処理センター"],
        "iocs": [],
        "source": {"feed": "demo", "url": "https://x/p", "post_id": "p", "published": None, "origin": "live"},
        "body": "委託先のサーバが攻撃を受けました",
        "parser_version": "1",
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("株式会社静岡情報処理センター", "(株)静岡情報処理センター"),
        ("ＡＣＭＡＩＬＥＲ", "acmailer"),
        ("Acme, Inc.", "ACME"),
        ("NTTコミュニケーションズ株式会社", "ＮＴＴコミュニケーションズ"),
        ("社会医療法人 恵和会病院", "恵和会病院"),
        ("医療法人社団恵和会", "恵和会"),
        ("（一社）日本サンプル協会", "日本サンプル協会"),
    ],
)
def test_names_compare_without_case_width_and_legal_form(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize("form", LEGAL_FORMS)
def test_an_organisation_matches_whatever_legal_form_the_incident_writes(form: str) -> None:
    sub = parse_subscription({"name": "s", "organizations": ["恵和会病院"]})
    for written in (f"{form} 恵和会病院", f"{form}恵和会病院", f"恵和会病院{form}"):
        assert match(sub, incident(organization=written)) == [("organizations", "恵和会病院")], written


def test_the_parser_reads_sectors_from_the_same_legal_forms() -> None:
    assert legal_form_sectors() == LEGAL_FORM_SECTORS
    assert set(LEGAL_FORM_SECTORS) <= set(LEGAL_FORMS) and "社会医療法人" in LEGAL_FORM_SECTORS


def test_sector_label_or_code_both_match() -> None:
    for sectors in (["教育"], ["education"]):
        sub = parse_subscription({"name": "s", "sectors": sectors})
        assert match(sub, incident()) == [("sector", "education")]


def test_vendor_match_ignores_legal_suffix() -> None:
    sub = parse_subscription({"name": "s", "vendors": ["静岡情報処理センター"]})
    assert match(sub, incident()) == [("vendors", "静岡情報処理センター")]


def test_fields_are_and_ed() -> None:
    sub = parse_subscription({"name": "s", "sectors": ["healthcare"], "vendors": ["静岡情報処理センター"]})
    assert match(sub, incident()) is None


def test_exclude_vetoes_a_match() -> None:
    sub = parse_subscription({"name": "s", "sectors": ["education"], "exclude": {"organizations": ["静岡市"]}})
    assert match(sub, incident()) is None


def test_min_affected_threshold() -> None:
    sub = parse_subscription({"name": "s", "sectors": ["education"], "min_affected": 5000})
    assert match(sub, incident()) is None
    assert match(sub, incident(affected={"count": 9000, "unit": "件", "text": "9,000件"})) is not None


def test_unknown_sector_is_rejected_with_choices() -> None:
    with pytest.raises(SubscriptionError, match="unknown value 'hospital'"):
        parse_subscription({"name": "s", "sectors": ["hospital"]})


def test_subscription_error_names_line_and_field() -> None:
    text = '[[subscriptions]]\nname = "ok"\nsectors = ["医療"]\n\n[[subscriptions]]\nname = "bad"\nvendors = "acmailer"\n'
    import tomllib

    with pytest.raises(ConfigError, match=r"subs\.toml:7: subscriptions #2 \(bad\), field 'vendors'"):
        load_subscriptions(tomllib.loads(text)["subscriptions"], "subs.toml", text)


async def test_ledger_makes_redelivery_silent_and_changes_an_update(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    subs = SubscriptionIndex([parse_subscription({"name": "s", "sectors": ["education"]})])

    async def decided(item: dict) -> list:
        return decide(item, subs, BatchLedger(await ledger.fingerprints([item["incident_id"]])))

    first = await decided(incident())
    assert [d.alert["kind"] for d in first] == ["new"]
    await ledger.record([d.ledger_row for d in first])
    assert await decided(incident()) == []
    grown = await decided(incident(affected={"count": 5000, "unit": "件", "text": "5,000件"}))
    assert [d.alert["kind"] for d in grown] == ["update"]
    assert grown[0].alert["alert_id"] != first[0].alert["alert_id"]
    ledger.close()


def test_repeat_within_a_batch_not_yet_recorded_is_silent_and_a_change_an_update() -> None:
    batch = BatchLedger({})
    subs = SubscriptionIndex([parse_subscription({"name": "s", "sectors": ["education"]})])
    first = decide(incident(), subs, batch)
    batch.add(first)
    assert [d.alert["kind"] for d in first] == ["new"]
    assert decide(incident(), subs, batch) == []
    grown = decide(incident(affected={"count": 5000, "unit": "件", "text": "5,000件"}), subs, batch)
    assert [d.alert["kind"] for d in grown] == ["update"]


def test_alert_is_valid_and_its_id_is_deterministic() -> None:
    fp = fingerprint(incident())
    alert = build_alert("s", incident(), [("sector", "education")], "new", fp)
    schemas.validate("alert", alert)
    assert alert["alert_id"] == alert_id("s", "i-1", fp)
    assert alert["incident"]["url"] == "https://x/p"


@pytest.mark.parametrize(("subscribed", "named"), [("NTT Com", "NTTコミュニケーションズ株式会社"), ("NTTコミュニケーションズ", "ＮＴＴ Ｃｏｍ"),
                                                 ("WordPress", "ワードプレス"), ("Office 365", "Microsoft 365")])
def test_vendor_aliases_match_both_ways(subscribed: str, named: str) -> None:
    sub = parse_subscription({"name": "s", "vendors": [subscribed]})
    assert match(sub, incident(vendors=[named])) == [("vendors", subscribed)]


def test_organization_match_ignores_width_and_legal_form() -> None:
    sub = parse_subscription({"name": "s", "organizations": ["静岡市生涯学習センター"]})
    assert match(sub, incident(organization="（株）静岡市生涯学習センター")) is not None


def test_keywords_search_title_and_body_ignoring_width() -> None:
    sub = parse_subscription({"name": "s", "keywords": ["ＶＰＮ", "攻撃"]})
    assert match(sub, incident(title="vpn機器への侵入")) == [("keywords", "ＶＰＮ"), ("keywords", "攻撃")]


def test_types_are_ored_within_the_field() -> None:
    sub = parse_subscription({"name": "s", "incident_types": ["ランサムウェア", "unauthorized_access"]})
    assert match(sub, incident()) == [("incident_types", "unauthorized_access")]


def test_a_name_that_is_only_a_legal_form_is_rejected() -> None:
    with pytest.raises(SubscriptionError, match="empty once legal forms"):
        parse_subscription({"name": "s", "vendors": ["株式会社"]})


def test_unknown_channel_is_rejected() -> None:
    with pytest.raises(SubscriptionError, match="unknown channel 'ops'") as info:
        parse_subscription({"name": "s", "sectors": ["医療"], "channels": ["ops"]}, known_channels=["soc"])
    assert info.value.field == "channels"


def test_unknown_key_error_names_the_key() -> None:
    with pytest.raises(SubscriptionError) as info:
        parse_subscription({"name": "s", "sectors": ["医療"], "vendor": ["x"]})
    assert info.value.field == "vendor"
