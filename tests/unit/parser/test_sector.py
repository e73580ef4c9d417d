"""Sector: from what the organisation is, then from what the text says. One behaviour per test."""

from __future__ import annotations

from services.parser.fields.sector import classify_sector


def sector(organization: str | None, title: str = "", body: str = "", lead: str = "") -> str:
    return classify_sector(organization, title, body, lead=lead).value


def test_a_hospital_is_healthcare() -> None:
    assert sector("みどり中央病院") == "healthcare"


def test_a_municipality_from_the_national_list_is_government() -> None:
    assert sector("つるぎ町") == "government"
    assert sector("杉並区") == "government"


def test_a_prefecture_is_government_whatever_the_title_says() -> None:
    # Corpus convention (tests/fixtures/corpus/README.md): the organisation's nature decides, not the school in the title.
    assert sector("東京都", "都立高等学校における個人情報の漏えい", "都立高校の生徒14名が閲覧") == "government"


def test_a_board_of_education_is_government() -> None:
    assert sector("みなと市教育委員会") == "government"


def test_a_university_run_by_a_city_is_education() -> None:
    assert sector("みなと市立大学") == "education"


def test_a_social_welfare_council_is_an_association() -> None:
    assert sector("みなと市社会福祉協議会") == "association"


def test_a_research_unit_of_a_university_is_education() -> None:
    assert sector("東都大学未来研究センター") == "education"


def test_a_national_research_institute_is_research() -> None:
    assert sector("国立研究開発法人みらい科学技術研究開発機構") == "research"


def test_a_legal_form_tells_the_sector_when_the_name_does_not() -> None:
    assert sector("学校法人みどり学舎") == "education"


def test_a_listed_company_takes_its_industry() -> None:
    assert sector("株式会社クボタ") == "manufacturing"


def test_with_no_name_a_self_reference_tells_the_sector() -> None:
    assert sector(None, lead="このたび、当院の電子カルテシステムが停止しました。") == "healthcare"
    assert sector(None, lead="本学の教員が学生の成績を紛失しました。") == "education"


def test_with_no_name_an_unnamed_kind_of_body_tells_the_sector() -> None:
    assert sector(None, lead="みどり町の病院で電子カルテが使えなくなった。") == "healthcare"


def test_a_company_sector_from_its_business_words() -> None:
    assert sector("エン・ジャパン株式会社", "「エン転職」への不正ログイン", "転職情報サイト「エン転職」の求人応募者") == "staffing"


def test_an_unnamed_first_person_site_is_an_individual() -> None:
    assert sector("ひろしプロジェクト", "", "当方が運営するブログ") == "individual"


def test_no_evidence_is_other() -> None:
    assert sector("株式会社ABC", "", "お知らせ") == "other"


def test_the_sector_says_which_rule_decided() -> None:
    found = classify_sector("みどり中央病院", "", "")
    assert found.evidence.rule == "name: kind '病院'"


def test_a_company_whose_customers_order_and_pay_on_its_site_is_a_shop() -> None:
    body = "弊社が運営する公式サイトにおいて、カード決済をご利用いただいたお客様のご注文情報が漏えいしました。"
    assert sector("株式会社アオバ", "", body) == "retail_ecommerce"


def test_a_business_named_before_the_company_through_its_parent() -> None:
    assert sector("アオバテクノ", lead="ソフトバンク子会社である「アオバテクノ」において障害が発生している。") == "telecom_it"


def test_bodies_municipalities_run_together_are_government() -> None:
    assert sector("みなと広域消防組合") == "government"
    assert sector("みなと地区衛生事務組合") == "government"
    assert sector("かずさ広域水道企業団") == "government"
    assert sector("みなと農業協同組合") == "association"


def test_lodging_and_sport_are_other_even_where_members_buy_things() -> None:
    assert sector("南海プロレスリング", "オンラインショップの購入者情報の流出", "ご購入のお客様の決済情報") == "other"
    assert sector("みなとグランドホテル", "予約サイトの決済画面の改ざん", "ご購入の商品とカード決済") == "other"
    assert sector(None, "宿泊予約サイトへの不正アクセス", "ご宿泊のお客様の情報。宿泊者の氏名。決済情報。") == "other"


def test_a_place_before_a_name_says_nothing_of_its_business() -> None:
    lead = "2025年9月8日、静岡県の沼津みなとホテルが予約システムへの不正アクセスを受けました。"
    assert sector("沼津みなとホテル", lead=lead) == "other"
    assert sector("マルカワ電器", lead="家電量販店のマルカワ電器は3日、通販サイトに不正アクセスがあったと発表した。") == "retail_ecommerce"


def test_a_name_is_what_it_ends_with() -> None:
    assert sector("みなと工業大") == "education"
    assert sector("南海工業") == "manufacturing"


def test_a_subsidiary_in_a_business_of_its_own_is_not_its_parents() -> None:
    lead = "南海ハウス工業の子会社でフィットネスクラブ事業を手掛けるスポーツクラブMINATO(東京都港区)は6月16日、発表した。"
    assert sector("スポーツクラブMINATO", lead=lead) == "other"
