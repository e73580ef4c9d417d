"""Field extractors on small texts: one behaviour per test."""

from __future__ import annotations

from services.parser.fields.authorities import extract_authorities
from services.parser.fields.data_types import extract_data_types
from services.parser.fields.iocs import extract_iocs, refang
from services.parser.fields.organization import org_from_top_lines, split_header
from services.parser.fields.types import classify_types, literal_prefix
from services.parser.fields.vendors import extract_vendors
from services.parser.normalize import normalize


# --- normalisation ---------------------------------------------------------

def test_kangxi_radicals_become_ideographs() -> None:
    assert normalize("⽇⽉⼈") == "日月人"


def test_full_width_digits_become_ascii() -> None:
    assert normalize("２０２４年５月") == "2024年5月"


def test_circled_numbers_become_bullets_not_digits() -> None:
    assert normalize("②3378件") == "・3378件"


def test_normalisation_keeps_the_line_count() -> None:
    text = "a\n⽇\r\n①\n\u200b\n"
    assert normalize(text).count("\n") == text.count("\n")


# --- organisation ----------------------------------------------------------

def test_header_organisation_is_the_first_token() -> None:
    assert split_header("住友不動産株式会社 「住友不動産のふれあい+S」システムへの第三者によるアクセスについて") == (
        "住友不動産株式会社", "「住友不動産のふれあい+S」システムへの第三者によるアクセスについて")


def test_legal_form_written_apart_joins_the_name() -> None:
    assert split_header("株式会社 サンプル 不正アクセスについて")[0] == "株式会社サンプル"


def test_header_without_space_names_the_leading_organisation() -> None:
    assert split_header("東京大学未来ビジョン研究センターへの不正アクセスによる情報流出について")[0] == "東京大学未来ビジョン研究センター"


def test_title_like_first_token_is_not_an_organisation() -> None:
    org, _ = split_header("不正アクセスによる 個人情報漏えいのお知らせ")
    assert org != "不正アクセスによる"


def test_press_release_organisation_skips_address_and_title() -> None:
    top = ["東京都港区新橋5-1-3新正堂第一ビル5階", "株式会社仕事旅行社", "## 不正アクセスに関するご報告(顛末書)"]
    assert org_from_top_lines(top) == "株式会社仕事旅行社"


def test_press_release_organisation_drops_the_officer() -> None:
    assert org_from_top_lines(["各位", "株式会社サンプル 代表取締役社長 山田太郎"]) == "株式会社サンプル"


# --- incident types --------------------------------------------------------

def test_negated_cue_is_not_a_type() -> None:
    assert classify_types("サーバへの不正アクセス及び個人情報を含む情報の漏洩は確認されていません。").value == ["other"]


def test_warning_is_not_a_type() -> None:
    assert classify_types("ウイルス感染や不正アクセス等の危険がありますので、ご注意ください。").value == ["other"]


def test_ransomware_with_a_stated_intrusion_is_also_unauthorized_access() -> None:
    text = "第三者が社内ネットワークに侵入し、サーバーがランサムウェアに感染しました。"
    assert classify_types(text).value == ["unauthorized_access", "ransomware"]


def test_ransomware_called_a_cyber_attack_is_not_unauthorized_access() -> None:
    # Corpus README (labelling rules): 不正アクセス beside ransomware only when an intrusion is stated.
    assert classify_types("サイバー攻撃によりランサムウェアに感染しました。").value == ["ransomware"]


def test_zero_day_is_vulnerability_exploit() -> None:
    assert "vulnerability_exploit" in classify_types("ゼロデイ攻撃による不正アクセスが発生しました。").value


def test_mis_sent_mail_is_misdelivery() -> None:
    assert classify_types("メールをBCCで送信すべきところTOで送信しました。").value == ["misdelivery"]


def test_lost_laptop_is_loss_theft() -> None:
    assert classify_types("社員がノートPCを紛失しました。").value == ["loss_theft"]


def test_every_cue_starts_with_literal_text() -> None:
    assert literal_prefix("設定(?:の|に)?不備") == "設定"
    assert literal_prefix("アクセス権(?:限)?の設定") == "アクセス権"
    assert literal_prefix("サーバー?に") == "サーバ"


# --- data types ------------------------------------------------------------

def test_listed_items_are_data_types() -> None:
    assert extract_data_types("漏えいした情報:氏名、住所、電話番号、メールアドレス").value == ["氏名", "住所", "電話番号", "メールアドレス"]


def test_denied_item_is_not_a_data_type() -> None:
    assert extract_data_types("そのため、クレジットカード情報等の流出はございません。").value == []


def test_advice_is_not_a_data_type() -> None:
    assert extract_data_types("パスワードの変更をお願いいたします。").value == []


def test_synonyms_map_to_the_vocabulary() -> None:
    text = "流出した項目:お届け先氏名、Eメールアドレス、ログインパスワード、カード番号、銀行口座"
    assert extract_data_types(text).value == ["氏名", "メールアドレス", "クレジットカード情報", "パスワード", "口座情報"]


def test_spaced_item_is_read() -> None:
    assert "FAX番号" in extract_data_types("個人情報の内容:氏名、FAX 番号").value


def test_bullet_item_under_a_leak_heading_is_a_data_type() -> None:
    assert extract_data_types("漏えいした可能性のある情報は以下のとおりです。\n\n・氏名\n\n・生年月日").value == ["氏名", "生年月日"]


# --- vendors ---------------------------------------------------------------

def test_breached_product_is_a_vendor() -> None:
    text = "悪意のある者がサーバーに侵入し、サーバー設置型メーラー「acmailer」 のフォルダにマルウェアを設置した。"
    assert extract_vendors(text).value == ["acmailer"]


def test_countermeasure_product_is_not_a_vendor() -> None:
    text = "不正アクセスを受けた。再発防止のため新たなセキュリティシステム 「Acronis Cyber Protect」 を導入しました。"
    assert extract_vendors(text).value == []


def test_scanning_tool_is_not_a_vendor() -> None:
    assert extract_vendors("社内でのOWASPZAP(脆弱性診断ツール)での定期的な診断").value == []


def test_entrusted_operator_is_a_vendor() -> None:
    text = "当法人がウェブサイト管理を委託している株式会社静岡情報処理センター(以下「SIC」)より、不正アクセス攻撃を受けたとの報告を受けました。"
    assert extract_vendors(text).value == ["株式会社静岡情報処理センター"]


def test_product_named_after_its_kind_is_a_vendor() -> None:
    assert extract_vendors("不正アクセスの被害にあったレイアウトシステム WebLAYLA について").value == ["WebLAYLA"]


def test_product_in_a_countermeasure_section_is_not_a_vendor() -> None:
    text = "WordPressの管理者パスワードを変更しました。"
    start = 0
    assert extract_vendors(text, None, {start}).value == []


def test_organisation_itself_is_not_a_vendor() -> None:
    assert extract_vendors("株式会社サンプルが運営するサービスが不正アクセスを受けました。", "株式会社サンプル").value == []


# --- authorities -----------------------------------------------------------

def test_reported_authorities_are_listed() -> None:
    text = "所轄の警察署及び個人情報保護委員会に報告し、独立行政法人情報処理推進機構 (IPA) へ届け出ました。JPCERT/CCにも連絡。"
    assert extract_authorities(text) == ["警察", "個人情報保護委員会", "IPA", "JPCERT/CC"]


def test_advice_to_call_the_police_is_not_a_report() -> None:
    assert extract_authorities("不審な電話はお近くの警察署にご連絡ください。") == []


def test_latin_alias_must_be_a_whole_word() -> None:
    assert extract_authorities("PIPAの規定") == []


# --- indicators ------------------------------------------------------------

def test_defanged_indicators_are_refanged() -> None:
    assert refang("hxxps://evil[.]example[.]com") == "https://evil.example.com"
    assert extract_iocs("接続先 evil[.]example[.]ru と 203.0.113[.]5") == [
        {"type": "domain", "value": "evil.example.ru"}, {"type": "ipv4", "value": "203.0.113.5"}]


def test_every_indicator_kind_is_recognised() -> None:
    text = ("2001:db8::1 d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 "
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq "
            "mail@evil.example.com http://evil.example.com/x.php")
    assert [i["type"] for i in extract_iocs(text)] == ["ipv6", "md5", "sha1", "sha256", "bitcoin", "email", "url"]


def test_ip_with_country_in_brackets() -> None:
    assert extract_iocs("8/10 138.197.199.81(アメリカ)から") == [{"type": "ipv4", "value": "138.197.199.81"}]


def test_invalid_ip_and_times_are_not_indicators() -> None:
    assert extract_iocs("999.1.1.1 と 10:00:00 と 2024.5.10") == []
