"""Organisation names in running text, recognised from gazetteers and kind words."""

from __future__ import annotations

import time

from services.parser.names import find_names


def names(text: str) -> list[str]:
    return [name.text for name in find_names(text) if not name.generic]


def test_a_municipality_from_the_national_list_is_a_name() -> None:
    assert names("つるぎ町は5日、") == ["つるぎ町"]


def test_a_prefecture_before_its_municipality_is_a_place() -> None:
    (name,) = find_names("栃木県小山市は19日、")
    assert (name.text, name.place) == ("小山市", "栃木県")


def test_a_name_ends_in_a_kind_word() -> None:
    assert names("みなと工科大学の教職員") == ["みなと工科大学"]
    assert names("みどり市社会福祉協議会のサーバー") == ["みどり市社会福祉協議会"]


def test_a_kind_word_alone_or_with_descriptions_is_not_a_name() -> None:
    assert names("市立小学校の教諭が") == []
    assert names("同病院によると") == []


def test_a_department_after_a_body_is_left_out() -> None:
    assert names("長与町税務課からメールを送信") == ["長与町"]


def test_a_legal_form_before_or_after_makes_a_name() -> None:
    assert names("委託先の東都ソリューションズ株式会社の社内") == ["東都ソリューションズ株式会社"]
    assert names("株式会社みどり商会において") == ["株式会社みどり商会"]


def test_a_verb_ending_is_not_part_of_a_company_name() -> None:
    assert names("サーバー事業を手がけるアオバ・ジャパン株式会社は") == ["アオバ・ジャパン株式会社"]


def test_a_quoted_name_after_a_word_for_a_company() -> None:
    assert names("製本会社「アサヒドウ」が運用するサーバー") == ["アサヒドウ"]


def test_a_hiragana_name_before_a_kind_word() -> None:
    assert names("調剤薬局のひいらぎ薬局において") == ["ひいらぎ薬局"]
    assert names("県内のある病院で") == []


def test_a_ministry_by_its_full_name() -> None:
    assert names("総務省は4月8日、") == ["総務省"]
    assert names("このことを反省し、") == []


def test_a_name_inside_another_bodys_name_is_not_reported() -> None:
    assert names("みどり市防犯協会の事務局") == ["みどり市防犯協会"]


def test_a_place_word_after_a_municipality_is_not_the_body() -> None:
    assert names("京都市内に本社がある") == []


def test_a_facility_after_the_body_that_runs_it_is_one_name() -> None:
    assert names("東都厚生連合会 みどり総合病院は") == ["東都厚生連合会 みどり総合病院"]


def test_finding_names_is_linear_on_pathological_input() -> None:
    text = "大学" * 200_000 + "株式会社" * 50_000
    started = time.process_time()
    find_names(text)
    assert time.process_time() - started < 2.0


def test_a_count_written_right_before_a_name_is_not_part_of_it() -> None:
    assert [n.text for n in find_names("削除されたアカウントは約1万7000件香川県教育委員会は")] == ["香川県教育委員会"]
    assert [n.text for n in find_names("2020年3月株式会社みなと")] == ["株式会社みなと"]


def test_a_legal_form_then_a_quoted_name() -> None:
    assert [n.text for n in find_names("公益財団法人「史跡みなと墓所保存会」が、不正アクセスを受けた")] == ["公益財団法人史跡みなと墓所保存会"]


def test_a_place_written_with_no_inside_a_name() -> None:
    assert names("お茶の水女子大学は2日、") == ["お茶の水女子大学"]
    assert names("患者は、虎の門病院に転院した。") == ["虎の門病院"]
    assert names("当院の患者様と虎の門病院の患者様") == ["虎の門病院"]
    assert names("職員が母の病院へ") == []
    assert names("大阪市の病院が") == ["大阪市"]
    assert names("、県の病院で") == []
    assert names("、母の病院へ") == []


def test_a_prefecture_before_a_town_whose_name_other_prefectures_share_is_a_place() -> None:
    (name,) = find_names("鳥取県南部町は17日、")
    assert (name.text, name.place) == ("南部町", "鳥取県")
    (name,) = find_names("広島県府中市は17日、")
    assert (name.text, name.place) == ("府中市", "広島県")


def test_the_body_of_a_department() -> None:
    from services.parser.names import body_of_department
    assert body_of_department("神奈川県警サイバー犯罪捜査課") == "神奈川県警"
    assert body_of_department("長与町税務課") == "長与町"
    assert body_of_department("マルカワ電器") == "マルカワ電器"


def test_a_graduate_school_faculty_after_its_university() -> None:
    assert names("北海道大学大学院 情報科学研究院は2日、") == ["北海道大学大学院 情報科学研究院"]


def test_a_name_in_hiragana_after_a_verb_starts_after_the_verb() -> None:
    assert names("旅行商品を販売するみなと通運は") == ["みなと通運"]
    assert names("市が運営しているひまわり保育園で") == ["ひまわり保育園"]
    assert names("日本みなと学会の") == ["日本みなと学会"]


def test_a_place_name_that_starts_like_a_determiner_stays_whole() -> None:
    assert names("別府大学において、メール誤送信により学生情報が流出した。") == ["別府大学"]
    assert names("本庄市役所で") == ["本庄市役所"]
    assert names("別の病院に") == []


def test_a_quoted_service_is_not_a_body() -> None:
    assert names("市のホームページの「災害情報メール」は工事中になっている") == []
    assert names("製本会社「イシクラ」は") == ["イシクラ"]
