"""Data types: enumerations of leaked items, their normalisation, and what is not leaked data.

Every fragment below is written for the test in the style of Japanese disclosures.
"""

from __future__ import annotations

from services.parser.fields.data_types import extract_data_types


def kinds(text: str) -> list[str]:
    return extract_data_types(text).value


# --- enumerations: every item, the unknown ones as written -----------------------------

def test_items_in_parentheses_after_personal_information_are_all_reported() -> None:
    text = "サーバ内に保存されていた利用者の個人情報(氏名、電話番号、問い合わせ内容)が閲覧可能な状態でした。"
    assert kinds(text) == ["氏名", "電話番号", "問い合わせ内容"]


def test_items_after_a_label_are_reported_without_their_readings() -> None:
    text = "漏えいした内容:氏名(漢字・カナ)、住所、生年月日、性別、身長"
    assert kinds(text) == ["氏名", "住所", "生年月日", "性別", "身長"]


def test_label_on_the_line_before_anchors_the_list() -> None:
    text = "流出した可能性のある情報:\n契約番号、お客様名、利用明細"
    assert kinds(text) == ["氏名", "契約番号", "利用明細"]


def test_list_in_a_table_cell_is_read() -> None:
    text = ("委託先のサーバから次の個人情報が流出しました。\n区分 | 個人情報 | 人数 |\n"
            "1 軽自動車税のデータ | 住所、氏名、税額 | 30名 |")
    assert kinds(text) == ["氏名", "住所", "税額"]


def test_item_ending_in_a_known_word_is_that_kind() -> None:
    text = "保護者氏名、緊急連絡先電話番号が記載された名簿を紛失しました。"
    assert kinds(text) == ["氏名", "電話番号"]


def test_medical_words_are_medical_information() -> None:
    assert kinds("患者の氏名、傷病名、処方内容などが含まれていました。") == ["氏名", "医療情報"]


def test_identifier_naming_a_record_stays_as_written() -> None:
    assert kinds("氏名、カルテ番号が記録されたUSBメモリを紛失しました。") == ["氏名", "カルテ番号"]


def test_parenthesis_naming_the_known_kind_of_an_item_is_used() -> None:
    assert kinds("ID(メールアドレス)とパスワードが流出した可能性があります。") == ["メールアドレス", "パスワード"]


def test_parenthesis_after_an_item_glosses_it_and_lists_nothing_more() -> None:
    assert kinds("参加者の所属(学校名・会社名等)、氏名が閲覧可能となっていました。") == ["氏名", "所属"]


def test_items_joined_by_middle_dots_are_split_where_one_is_known() -> None:
    text = "ご利用者のカタカナ氏名・ご利用金額・ご利用日時等が漏えいしました。"
    assert kinds(text) == ["氏名", "利用金額", "利用日時"]


def test_item_joined_by_a_middle_dot_with_no_known_part_stays_whole() -> None:
    assert kinds("氏名、住所、手形・小切手の額面金額が記載された帳票を紛失しました。") == [
        "氏名", "住所", "手形・小切手の額面金額"]


def test_relative_clause_after_the_last_item_ends_the_list() -> None:
    assert kinds("氏名、住所、続柄の記載された名簿を紛失しました。") == ["氏名", "住所", "続柄"]


def test_roster_is_a_list_of_names() -> None:
    assert kinds("学生の名簿と成績が入ったUSBメモリを紛失しました。") == ["氏名", "成績"]


# --- enumerations: what is not an item --------------------------------------------------

def test_noun_summing_up_the_items_before_it_is_not_an_item() -> None:
    text = "住所・氏名・生年月日など基本的な識別情報のほか、家族情報等が含まれていました。"
    assert kinds(text) == ["氏名", "住所", "生年月日", "家族情報"]


def test_owner_of_the_first_item_is_not_an_item() -> None:
    assert kinds("世帯主の氏名、所在地、世帯員の数が記載された書類を紛失しました。") == ["氏名", "住所", "世帯員の数"]


def test_owner_named_before_a_possessive_item_is_not_an_item() -> None:
    assert kinds("加入事業所及び担当者のメールアドレスが流出しました。") == ["メールアドレス"]


def test_organisations_own_information_is_not_an_item() -> None:
    assert kinds("顧客の氏名、住所及び当社の経営情報が流出した可能性があります。") == ["氏名", "住所"]


def test_product_name_is_not_an_item() -> None:
    assert kinds("氏名、メールアドレス、MyPortalAccount初期設定情報が流出しました。") == ["氏名", "メールアドレス"]


def test_information_about_no_known_kind_is_not_an_item() -> None:
    text = "氏名、健康診断に関する情報、サービスの利用に係る情報が流出しました。"
    assert kinds(text) == ["氏名", "医療情報"]


def test_total_after_the_list_is_not_an_item() -> None:
    assert kinds("氏名、住所及び医療情報、計3,137名分が漏えいしました。") == ["氏名", "住所", "医療情報"]


def test_noun_modified_by_a_verb_is_not_an_item() -> None:
    text = "全会員の個人情報が流出した可能性、カード情報2万件を含む"
    assert kinds(text) == ["クレジットカード情報"]


# --- not leaked data --------------------------------------------------------------------

def test_denied_list_is_not_reported() -> None:
    assert kinds("なお、口座番号や病歴などの情報は含まれておりません。") == []


def test_denial_after_a_stated_possible_leak_keeps_the_item() -> None:
    assert kinds("氏名が流出した可能性があり、現時点で悪用は確認されていない。") == ["氏名"]


def test_data_not_held_is_not_reported() -> None:
    assert kinds("クレジットカード情報はシステム上に保有しておらず、流出の対象ではない。") == []


def test_list_of_destinations_is_not_data() -> None:
    assert kinds("会員のメールアドレスや掲示板などに脅迫文が送信されたことを確認しました。") == []


def test_guessed_credentials_are_not_leaked_data() -> None:
    assert kinds("職員のIDとパスワードが推測され、迷惑メールの送信に悪用されたことが判明しました。") == []


def test_password_protecting_a_file_is_not_leaked_data() -> None:
    assert kinds("紛失したUSBメモリにはパスワードが設定されており、情報流出の可能性は低いと考えております。") == []


def test_password_used_to_log_in_is_not_leaked_data() -> None:
    assert kinds("第三者が不正に取得したパスワードを使用してログインしたことが判明しました。") == []


def test_data_word_naming_a_system_is_not_data() -> None:
    assert kinds("電子カルテのシステムが停止し、ウイルスに感染した可能性があります。") == []


def test_picture_caption_is_not_data() -> None:
    assert kinds("顧客情報が漏えいした可能性があります。\n[画像のクリックで拡大表示]") == []


def test_trait_of_the_people_affected_is_not_data() -> None:
    text = "購入履歴のあるお客様のクレジットカード情報が流出した可能性があります。"
    assert kinds(text) == ["クレジットカード情報"]


def test_definition_of_an_attack_is_not_a_leak() -> None:
    text = "リスト型攻撃とは、他社から流出したIDとパスワードを使ってログインを試みる攻撃です。"
    assert kinds(text) == []


def test_evidence_quotes_the_list() -> None:
    found = extract_data_types("漏えいした内容:氏名、住所、続柄")
    assert "続柄" in found.evidence.text and found.evidence.rule


def test_bullet_lines_of_items_under_a_leak_heading_are_all_reported() -> None:
    text = "漏えいした可能性のある情報\n- 氏名・ふりがな、生年月日\n- 電話番号\n- 利用施設区分\n\n今後の対応"
    assert kinds(text) == ["氏名", "電話番号", "生年月日", "利用施設区分"]


def test_bullet_lines_under_another_heading_are_not_items() -> None:
    assert kinds("お問い合わせ窓口\n・電話番号\n・受付時間") == []


def test_video_recording_is_an_image() -> None:
    assert kinds("手術の録画映像が保存されたUSBメモリを紛失し、映像には患者の氏名が映っていました。") == ["氏名", "画像"]


def test_surgery_and_anaesthesia_details_are_medical_information() -> None:
    assert kinds("漏えいした情報:氏名、性別、年齢、手術術式、麻酔種別、手術日") == ["氏名", "性別", "年齢", "医療情報"]


def test_whose_data_an_item_is_does_not_make_another_kind() -> None:
    assert kinds("(1)紛失した個人情報\n2学年生徒の氏名・連絡先、保護者の連絡先\n") == ["氏名", "連絡先"]
    assert kinds("教諭が、生徒及び保護者の氏名、住所、電話番号が記載された調査票を紛失した。") == ["氏名", "住所", "電話番号"]


def test_a_kind_followed_by_joho_is_that_kind() -> None:
    assert kinds("流出したのは:メールアドレスとパスワード情報\n") == ["メールアドレス", "パスワード"]


def test_a_persons_name_written_with_whose_it_is_is_a_name() -> None:
    text = "ファイルには、児童名、生年月日、住所、保護者名、アレルギーの有無などが記載されていた。"
    assert kinds(text) == ["氏名", "住所", "生年月日", "アレルギーの有無"]
    assert kinds("紛失した台帳には、加入者名、住所、電話番号が記載されていた。") == ["氏名", "住所", "電話番号"]


def test_the_older_spelling_of_age_is_age() -> None:
    assert kinds("流出した情報は、氏名、年令、住所です。") == ["氏名", "住所", "年齢"]


def test_a_student_number_is_a_student_id() -> None:
    assert kinds("流出したのは、学生番号・生徒の氏名を含むデータです。") == ["氏名", "学籍番号"]


def test_screening_results_and_checkup_figures_are_medical_information() -> None:
    assert kinds("流出したのは、受診者の氏名、生年月日、検診結果です。") == ["氏名", "生年月日", "医療情報"]
    assert kinds("漏えいした情報は、氏名、年齢、血圧、BMI値です。") == ["氏名", "年齢", "医療情報"]


def test_the_name_of_an_establishment_one_works_at_is_the_workplace() -> None:
    assert kinds("漏えいした情報は、氏名、事業所名です。") == ["氏名", "勤務先"]
