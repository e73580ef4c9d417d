"""Counts: the phrase parser and the choice of the headline count."""

from __future__ import annotations

from hypothesis import given, strategies as st

from services.parser.core import parse_count
from services.parser.fields.counts import UNITS, _matches, headline_count
from services.parser.normalize import normalize


def test_reads_man_notation_with_spaces() -> None:
    assert parse_count("漏えい等のおそれ7万 4238 件") == (74238, "件", "7万4238件")


def test_keeps_the_approximately_prefix() -> None:
    assert parse_count("約140万通") == (1_400_000, "通", "約140万通")


def test_reads_people_with_bun_suffix() -> None:
    assert parse_count("255,765名分のWeb履歴書") == (255765, "名", "255,765名分")


def test_reads_companies() -> None:
    assert parse_count("17,891社") == (17891, "社", "17,891社")


def test_ordinal_mail_is_not_a_count() -> None:
    assert parse_count("3通目のメール") is None


def test_circled_number_is_not_part_of_the_count() -> None:
    assert headline_count(normalize("本件事態に伴い、②3378件の個人情報")).value.value == 3378


def test_headline_prefers_the_count_of_personal_records() -> None:
    text = "総データ件数:8987件\n\n内個人情報を含むデータ件数:2851件(メールアドレスによる一意:2121件)"
    assert headline_count(text).value.value == 2851


def test_headline_takes_the_largest_of_nested_counts() -> None:
    text = "お客様のクレジットカード情報4,387件および個人情報最大16,347件が漏えいした可能性"
    assert headline_count(text).value.value == 16347


def test_headline_reads_a_figure_under_its_label() -> None:
    assert headline_count("情報流出した可能性のあるお客さま数:\n17,891社").value.value == 17891


def test_devices_are_not_affected_people() -> None:
    assert headline_count("計2,000台以上のサーバーおよび端末を初期化").value is None


def _man(value: int) -> str:
    oku, rest = divmod(value, 100_000_000)
    man, ones = divmod(rest, 10_000)
    text = (f"{oku}億" if oku else "") + (f"{man}万" if man else "") + (str(ones) if ones else "")
    return text or "0"


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(UNITS))
def test_plain_count_round_trips(value: int, unit: str) -> None:
    assert parse_count(f"{value}{unit}")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(["件", "名", "通", "社", "アカウント"]))
def test_comma_count_round_trips(value: int, unit: str) -> None:
    assert parse_count(f"計 {value:,} {unit}の情報")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(["件", "名", "通"]), st.sampled_from(["", " "]))
def test_man_oku_count_round_trips(value: int, unit: str, space: str) -> None:
    assert parse_count(f"約{_man(value)}{space}{unit}")[:2] == (value, unit)


@given(st.integers(min_value=1, max_value=10**9))
def test_bun_suffix_counts_people(value: int) -> None:
    count, unit, text = parse_count(f"{value:,}名分")
    assert (count, unit) == (value, "名") and text.endswith("名分")


@given(st.text(alphabet="0123456789,.万億千約件名通社分目 ", max_size=40))
def test_parse_count_never_raises(text: str) -> None:
    result = parse_count(text)
    assert result is None or (isinstance(result[0], int) and result[0] >= 0)


# --- reading numbers ---------------------------------------------------------------------------

def test_reads_thousands_with_a_space_after_the_comma() -> None:
    assert parse_count("踏み台として 32, 255件送信") == (32255, "件", "32,255件")


def test_kanji_thousand_after_digits_is_not_a_second_count() -> None:
    assert [match.group(0) for match in _matches("取引約2万4千件の記録")] == ["2万4千件"]


@given(st.integers(min_value=1_000, max_value=10**9), st.sampled_from(["件", "名", "通"]))
def test_comma_space_count_round_trips(value: int, unit: str) -> None:
    assert parse_count(f"約{value:,}{unit}".replace(",", ", "))[:2] == (value, unit)


# --- what is not an affected count ---------------------------------------------------------------

def _value(text: str) -> int | None:
    found = headline_count(text).value
    return found.value if found else None


def test_schools_are_not_affected_counts() -> None:
    assert _value("ホームページが改ざんされ、市内の小中学校13校でも更新を停止した。") is None


def test_posts_written_by_an_intruder_are_not_affected_records() -> None:
    assert _value("不正アクセスにより記事の書き込みが3件確認された。") is None


def test_access_counts_are_not_affected_records() -> None:
    assert _value("サーバーへの不正アクセスは約2万件に及び、顧客30名の情報が閲覧された。") == 30


def test_sheets_give_way_to_a_count_of_people() -> None:
    assert _value("拾われたものと合わせて42枚の書類を回収した。書類には7人分の個人情報が記載されていた。") == 7


def test_sheets_are_the_count_when_no_other_figure_is_stated() -> None:
    assert _value("申込書12枚を紛失したことが判明しました。") == 12


def test_files_that_did_not_leak_are_not_a_count() -> None:
    assert _value("ランサムウェアにより社内のファイル 5,000件が暗号化された。") is None


def test_bounce_mails_are_not_the_affected_count() -> None:
    assert _value("午前9時までに約300件の送信エラーメールを受信した。") is None


def test_mails_sent_outrank_the_bounces() -> None:
    text = "迷惑メールが少なくとも1,200件送信された。1,350件のメールが届いていないという返信があった。"
    assert _value(text) == 1200


def test_spam_sent_outranks_the_hijacked_account_holder() -> None:
    assert _value("職員1人のメールアカウントが不正利用され、迷惑メール約4,000件が送信された。") == 4000


# --- recipients ----------------------------------------------------------------------------------

def test_recipients_of_a_misaddressed_letter_are_not_affected() -> None:
    text = "案内状を対象外の市民350人に誤って送付した。案内状に他人の個人情報は含まれていない。"
    assert _value(text) is None


def test_recipient_addresses_are_not_affected() -> None:
    assert _value("問い合わせ内容が登録済みの2,400件の宛先に送信されていた。") is None


def test_recipients_give_way_to_the_person_whose_data_was_sent() -> None:
    assert _value("児童1名の検査結果を、誤って保護者(120名)宛に一斉送信した。") == 1


def test_recipients_are_affected_when_their_addresses_were_exposed() -> None:
    assert _value("BCCで送るべきところを宛先欄に入力し、受講者84名に送信した。") == 84


def test_people_sent_an_apology_are_the_affected() -> None:
    assert _value("個人情報が流出した2,000人に対し、お詫びの書面を送付しました。") == 2000


def test_a_count_reached_is_not_a_recipient() -> None:
    assert _value("誤送信による影響は6世帯におよんでおり、誤送信された文書には氏名が記載されていた。") == 6


# --- totals, labels, vague figures -----------------------------------------------------------

def test_stated_total_outranks_a_count_of_people() -> None:
    assert _value("職員が住民約5000人分の住基データなど計約2万件を持ち出した。") == 20000


def test_stated_total_beats_a_figure_under_a_label() -> None:
    assert _value("3.漏えいした個人情報\n患者 300名\n職員 50名\n合計 350名") == 350


def test_subtotals_do_not_beat_a_larger_headline() -> None:
    text = "顧客の取引約3万件の記録が所在不明。A支店の帳票の計約1万2千件、B支店の計約1万8千件。"
    assert _value(text) == 30000


def test_amount_reached_is_a_stated_total() -> None:
    assert _value("各地の情報流出は40万件超に上る。県は約12万件の個人情報の流出を発表した。") == 400000


def test_figure_under_a_heading_wins_over_a_larger_mailing_list() -> None:
    text = ("メールを対象者900件に送信する際、1回目の500件をTOで送信した。\n"
            "3.漏えいした個人情報\n事業所のメールアドレス 500件")
    assert _value(text) == 500


def test_figure_in_brackets_after_a_labelled_figure_shares_its_label() -> None:
    text = "発送データ全体は2千件。\n2.漏えいした個人情報\n会員 120名分(135件)"
    assert _value(text) == 135


def test_vague_headline_gives_no_count() -> None:
    assert _value("数万人分の個人情報が流出した可能性があり、うち1,234件はカード情報だという。") is None


def test_vague_staff_count_does_not_hide_the_leak_count() -> None:
    assert _value("数十人の職員で対応したが、顧客情報150件が流出した。") == 150


# --- disjoint and nested sub-counts --------------------------------------------------------

def test_disjoint_list_items_with_no_total_give_no_count() -> None:
    text = "【流出した可能性のある情報】\n1 患者様の情報 最大3,000件\n  氏名、住所\n2 職員の情報 最大200件\n  氏名"
    assert _value(text) is None


def test_list_items_with_a_stated_total_take_the_total() -> None:
    text = "・代表者の住所 120件\n・管理者の住所 80件\n・担当者の氏名 40件 計240件"
    assert _value(text) == 240


def test_disjoint_groups_side_by_side_give_no_count() -> None:
    assert _value("個人5,120件、法人87件の顧客情報が漏えいした可能性がある。") is None


def test_side_by_side_groups_with_their_total_take_the_total() -> None:
    assert _value("個人情報約1,000名分が流出。内訳は顧客約900名と、従業員約100名。") == 1000


def test_data_kinds_side_by_side_nest() -> None:
    assert _value("お客様の個人情報(5,000件)、クレジットカード情報(1,200件)が漏えいした可能性") == 5000


def test_list_of_people_groups_nested_in_a_stated_figure_takes_it() -> None:
    text = "273件(901名分〔学生436名、職員67名、その他398名〕)"
    assert _value(text) == 901


def test_evidence_names_the_rule() -> None:
    assert headline_count("個人5,120件、法人87件の顧客情報").evidence.rule == "disjoint sub-counts with no stated total"
    assert headline_count("漏洩した件数:646件").evidence.rule == "the figure stated under its label"


def test_list_of_one_field_per_item_counts_the_same_people() -> None:
    assert _value("漏えいした項目と件数\n・氏名 500名\n・住所 500名\n・電話番号 320名") == 500


def test_list_of_data_sets_for_different_people_gives_no_count() -> None:
    assert _value("- (1)氏名、性別、生年月日、住所 25名分\n- (2)氏名 34名分") is None


def test_people_who_acted_or_were_punished_are_not_the_affected() -> None:
    assert _value("処分の内容:停職1名、訓告1名。個人情報が漏えいした。") is None
    assert _value("個人情報が漏えいした。校長ら3名で同日に児童宅を訪問し、謝罪した。") is None
    assert _value("顧客データが持ち出された事件で、代表と社員2名、元社員1名の計4名を、容疑で逮捕した。") is None
    assert _value("顧客1万人分の情報を持ち出したとして、元社員を逮捕した。") == 10000


def test_a_number_in_a_product_name_is_no_count() -> None:
    assert _value("本学のMicrosoft 365 アカウントにおいて、外部から不正にログインされた。") is None


def test_incidents_programs_and_the_admonished_are_not_counts_of_the_affected() -> None:
    assert _value("2016年に起こった情報流出事故を31件ピックアップして紹介する。") is None
    assert _value("不正なプログラムが2件見つかった。") is None
    assert _value("職員を懲戒処分とし、監督者3人に対し文書による注意を行った。個人情報が漏えいした。") is None


def test_staff_whose_account_was_used_or_who_slipped_are_not_the_affected() -> None:
    assert _value("本学事務職員1名の Microsoft 365 アカウントが不正ログインを受けた。") is None
    assert _value("当社従業員1名のメールアカウントが第三者に不正使用され、個人情報が漏えいした。") is None
    assert _value("当団体職員 1 名の端末がマルウェアに感染した。個人情報が漏えいしたおそれ。") is None
    assert _value("職員1名が誤って個人情報を含むファイルを送信した。") is None
    assert _value("従業員1,200名の個人情報が漏えいした。") == 1200
    assert _value("社員3,000名のメールアドレスが流出した。") == 3000


def test_the_matter_is_no_count() -> None:
    assert _value("今回の一件で掲載された方々へ多大なご迷惑をおかけした。個人情報が漏えいした。") is None
    assert parse_count("この一件") is None
    assert parse_count("一千件") == (1000, "件", "一千件")


def test_those_a_file_was_sent_to_are_not_the_affected() -> None:
    text = "財団の職員が、488社に対し、匿名加工が施されていない受講者56名の個人情報が含まれた事務局用ファイルをメールで送信。"
    assert _value(text) == 56
    assert _value("対象となる1,000名に対し、お詫びの文書を送付しました。個人情報が漏えいした。") == 1000


def test_a_count_of_requests_however_large_is_not_of_the_affected() -> None:
    text = ("9月24日、市の職員が公式ホームページの問い合わせフォームが利用できないことに気づきました。\n\n"
            "市が調べたところ、複数のIPアドレスから市のホームページに対して約106万件にも上る大量の不正アクセスがあったことが"
            "判明した。\n\n市によると、個人情報の流出などは確認されていません。")
    assert headline_count(normalize(text)).value is None
