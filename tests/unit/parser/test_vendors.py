"""Vendors: products and operators where the breach happened, as written; one behaviour per test.

The fragments are written for these tests in the style of disclosures.
"""

from __future__ import annotations

from services.parser.fields.vendors import extract_vendors


def vendors(text: str, organization: str | None = None) -> list[str]:
    return extract_vendors(text, organization).value


# --- products --------------------------------------------------------------

def test_product_is_reported_as_written() -> None:
    assert vendors("サイト作成に使っていたワードプレスの脆弱性を悪用され、ページが改ざんされました。") == ["ワードプレス"]


def test_product_alias_is_reported_as_written_not_canonical() -> None:
    assert vendors("職員が利用する「Office365」のアカウントに不正ログインがありました。") == ["Office365"]


def test_product_written_twice_is_reported_once() -> None:
    text = "ソフトウエア「ワードプレス」が古く、脆弱性を悪用された。ワードプレスの更新を怠っていた。"
    assert vendors(text) == ["ワードプレス"]


def test_product_in_a_list_item_after_the_breach_item_is_a_vendor() -> None:
    text = "経緯\n・11月2日に不正なファイルが設置された\n・これによりWordPressが正常に動作しなくなった"
    assert vendors(text) == ["WordPress"]


def test_quoted_product_after_its_kind_is_a_vendor_without_marks() -> None:
    assert vendors("予約システム「らくらく予約®」に外部から不正アクセスがありました。") == ["らくらく予約"]


def test_product_named_in_related_articles_is_not_a_vendor() -> None:
    text = "書類を誤って廃棄した可能性があります。\n\n関連記事\n\n複数のFortiGate製品に脆弱性、悪用も"
    assert vendors(text) == []


# --- operators named after their role or the entrusting verb ----------------

def test_quoted_company_after_the_entrusting_verb_is_a_vendor() -> None:
    assert vendors("県は、発送業務を委託していた「みどり印刷」がランサムウェアに感染したと発表した。") == ["みどり印刷"]


def test_latin_katakana_company_after_a_role_word_is_a_vendor() -> None:
    assert vendors("職員が障害に気付き、委託先のABCネットソリューションズに対応を依頼した。") == ["ABCネットソリューションズ"]


def test_company_under_a_role_heading_is_a_vendor() -> None:
    text = "(1)委託事業者\n株式会社みなと印刷東支店(住所:港市1-2-3)\n(2)事案の概要\nサーバがランサムウェアの攻撃を受けた。"
    assert vendors(text) == ["株式会社みなと印刷東支店"]


def test_companies_listed_after_a_secretariat_colon_are_vendors() -> None:
    text = ("県の委託事業の事務局が作成したサイトが外部から閲覧可能な状態でした。\n"
            "(注)事務局:株式会社アルファ企画、ベータ広告株式会社")
    assert vendors(text) == ["株式会社アルファ企画", "ベータ広告株式会社"]


def test_legal_name_after_a_verb_phrase_is_read_from_the_cue() -> None:
    text = "本学がネットワーク管理を委託している山川システム株式会社の社内ネットワークに不正アクセスがありました。"
    assert vendors(text) == ["山川システム株式会社"]


def test_legal_prefix_name_after_the_entrusting_verb_is_a_vendor() -> None:
    text = "区の事業を受託している社会福祉法人さくら会が運用するサーバーがランサムウェアに感染しました。"
    assert vendors(text) == ["社会福祉法人さくら会"]


def test_contractor_and_its_subcontractor_are_both_vendors() -> None:
    text = "委託契約を締結しているNPO法人Sample.の再委託先である川辺ウェブ株式会社の設定ミスにより閲覧可能となりました。"
    assert vendors(text) == ["NPO法人Sample.", "川辺ウェブ株式会社"]


def test_generic_contractor_word_is_not_a_vendor() -> None:
    assert vendors("委託している事業者のサーバーが不正アクセスを受けました。") == []


def test_common_katakana_word_after_a_role_is_not_a_vendor() -> None:
    assert vendors("原因は、再委託先であるホームページ制作会社の設定ミスでした。") == []


def test_investigation_firm_entrusted_afterwards_is_not_a_vendor() -> None:
    text = "不正アクセスを受け、原因の調査を委託している株式会社サンプルフォレンジックから報告を受けました。"
    assert vendors(text) == []


def test_organisation_itself_after_a_role_word_is_not_a_vendor() -> None:
    text = "自治体から業務を委託されている株式会社みどり印刷のサーバーがランサムウェアに感染しました。"
    assert vendors(text, "株式会社みどり印刷") == []


# --- operators named before the predicate ----------------------------------

def test_company_before_entrusting_is_a_vendor() -> None:
    text = "本省は調査研究を山里プランニング株式会社に業務委託している。同社のサーバがランサムウェアの被害を受けた。"
    assert vendors(text) == ["山里プランニング株式会社"]


def test_place_before_ni_and_a_verb_is_not_entrusting() -> None:
    text = "当社はオフショップにおける決済を全て外部委託しております。第三者による不正ログインが発生しました。"
    assert vendors(text) == []


def test_quoted_company_that_runs_the_breached_server_is_a_vendor() -> None:
    assert vendors("市は、製本会社「ミドリ製本」が運用するサーバーへの不正アクセスで情報が漏えいした恐れがあると発表した。") \
        == ["ミドリ製本"]


def test_product_and_its_provider_are_both_vendors() -> None:
    text = "当サイトが利用するECシステム「サンプルEC」(株式会社テスト商会が提供)において、外部からの不正アクセスがありました。"
    assert vendors(text) == ["サンプルEC", "株式会社テスト商会"]


def test_provider_named_outside_the_breach_is_not_a_vendor() -> None:
    text = "当社設備への不正アクセスが判明しました。\n*株式会社サンプルモバイルが提供する法人向け契約は対象外です。"
    assert vendors(text) == []


def test_contractor_that_took_on_the_work_is_a_vendor_without_its_branch() -> None:
    text = "ABCDソリューションズ関西支社は市から給付金の支給事務を受託していた。同社の協力会社社員がUSBメモリーを紛失した。"
    assert vendors(text) == ["ABCDソリューションズ"]


def test_short_name_in_brackets_is_the_same_vendor() -> None:
    text = ("配送業務を委託しているエービーシー・ロジ(ABCロジ、東京都港区)が不正アクセスを受けた。"
            "当社がABCロジに委託している配送業務も停止した。")
    assert vendors(text) == ["エービーシー・ロジ"]


def test_polite_entrusting_verb_is_a_cue() -> None:
    text = "当会がシステムの保守を委託しています株式会社サンプル情報のサーバーに不正アクセスがありました。"
    assert vendors(text) == ["株式会社サンプル情報"]


def test_kanji_company_entrusted_with_part_of_the_work_is_a_vendor() -> None:
    text = "当社より配送業務を委託している株式会社ハコブ。同社より山海運輸へ配達業務の一部を再委託。メールが誤送信されました。"
    assert vendors(text) == ["株式会社ハコブ", "山海運輸"]


def test_kanji_kind_word_entrusted_is_not_a_vendor() -> None:
    assert vendors("台帳の印刷・製本を外部の印刷業者に委託しております。USBメモリを紛失しました。") == []


def test_company_said_to_be_unrelated_is_not_a_vendor() -> None:
    text = "配送業務は株式会社サンプル便に委託しておりますが、今回の不正アクセスとは関係ありません。"
    assert vendors(text) == []


def test_subsidiary_running_the_site_is_not_a_vendor() -> None:
    text = "当社の子会社である株式会社サンプルカードが運営するサイトが不正アクセスを受けました。"
    assert vendors(text) == []


def test_company_profile_after_a_colon_is_not_a_vendor() -> None:
    text = "当サイトへの不正アクセスについてお詫びします。\n【会社概要】\n運営会社:株式会社サンプルリテール"
    assert vendors(text) == []


def test_short_name_of_the_organisation_is_not_a_vendor() -> None:
    text = "エービーシー・ロジ(ABCロジ、東京都港区)は、不正アクセスを受けたと発表した。ABCロジが運用するサーバーが被害を受けた。"
    assert vendors(text, "エービーシー・ロジ") == []


def test_name_ends_before_yori() -> None:
    text = "出荷業務を委託している株式会社ハコブより山海運輸へ再委託していた配達で、メールが誤送信されました。"
    assert vendors(text) == ["株式会社ハコブ", "山海運輸"]


def test_the_provider_of_the_breached_service_is_a_vendor() -> None:
    text = ("画面表示を最適化するサービスを提供する株式会社アオバテック(東京都港区)より、"
            "同社のシステムが不正アクセスによる改ざんを受けた旨の公表がありました。")
    assert vendors(text) == ["株式会社アオバテック"]


def test_a_provider_in_parentheses_after_the_service_is_a_vendor() -> None:
    text = "当社サイトに導入していた表示変換サービス(株式会社アオバテック提供)に対して第三者による不正アクセスがありました。"
    assert vendors(text) == ["株式会社アオバテック"]


def test_the_service_company_the_organisation_uses_is_a_vendor_where_the_leak_happened() -> None:
    text = "この度、当事務局が利用しております決済サービス会社株式会社ミドリペイにて、個人情報の流出が発生しました。"
    assert vendors(text) == ["株式会社ミドリペイ"]


def test_a_provider_named_without_a_breach_is_not_a_vendor() -> None:
    assert vendors("決済サービスを提供する株式会社ミドリペイと提携し、新しい支払い方法を導入しました。") == []


def test_the_longest_product_name_at_one_place_is_the_one_reported() -> None:
    assert vendors("職員のMicrosoft Exchange Onlineのアカウントに不正ログインがありました。") == ["Microsoft Exchange Online"]
    assert vendors("職員のMicrosoft365アカウントに不正ログインがありました。") == ["Microsoft365"]


def test_a_short_name_given_after_the_location_is_the_same_vendor() -> None:
    text = ("運用保守業務の委託先であるミナトエンジニアリング株式会社(東京都港区。以下、「MES」)から、お客様情報が"
            "外部からの不正アクセスにより閲覧できる可能性があったとの報告を受けました。\n"
            "MESが「ネットワークに外部から不正アクセスを受け、MESに業務委託をした事業者のお客様情報が閲覧できる可能性があった」"
            "ことを公表しました。")
    assert vendors(text) == ["ミナトエンジニアリング株式会社"]


def test_a_contractor_mentioned_after_a_time_is_not_named_by_it() -> None:
    text = "同月21日から22日にかけて行われた店舗のリフォーム工事時に委託業者が端末を一時退避したが、見当たらないことに気がついた。"
    assert vendors(text) == []
