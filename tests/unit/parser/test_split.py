"""The splitter: headers, end markers, press releases, non-incident articles."""

from __future__ import annotations

import functools

from hypothesis import given, settings, strategies as st

from services.common.text import tidy
from services.parser.core import parse_post, split
from tests.unit.parser.conftest import seed_text

POST = "【セキュリティ事件簿#2024-001】株式会社テスト 不正アクセスによる個人情報漏えいのお詫び 2024/05/10\n\n弊社サーバーが不正アクセスを受け、お客様情報1,234件が流出した可能性があることが判明しました。"


@functools.cache
def _blog_posts() -> tuple[str, ...]:
    """The original text of every blog segment (incident posts and articles) in the listing pages."""
    return tuple(segment.text for doc in ("001", "002", "004") for segment in split(seed_text(doc)))


def _key(incident: dict) -> tuple:
    return tuple(str(incident[field]) for field in (
        "incident_id", "case_id", "organization", "title", "disclosed_on", "sector", "incident_types", "affected",
        "data_types", "vendors", "authorities", "iocs", "body"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(23)), min_size=1, max_size=6), st.booleans())
def test_joining_posts_and_splitting_again_returns_the_same_incidents(picks: list[int], tidied: bool) -> None:
    posts = _blog_posts()
    chosen = [posts[i % len(posts)] for i in picks]
    one_by_one = [_key(i) for post in chosen for i in parse_post(post)]
    joined = "\n\n".join(chosen)
    together = [_key(i) for i in parse_post(tidy(joined) if tidied else joined)]
    if tidied:  # tidy changes bodies' blank lines, not the other fields
        one_by_one = [k[:-1] for k in one_by_one]
        together = [k[:-1] for k in together]
    assert together == one_by_one


def test_blog_pool_holds_every_incident_and_article() -> None:
    assert len(_blog_posts()) == 23


def test_case_header_without_number_has_no_case_id() -> None:
    (incident,) = parse_post("【セキュリティ事件簿#2022】大阪急性期・総合医療センター 報告書について 2023年3月28日\n\n当センターはサイバー攻撃を受けました。")
    assert incident["case_id"] is None
    assert incident["disclosed_on"] == "2023-03-28"


def test_header_written_as_a_news_sentence_names_who_it_is_about() -> None:
    (incident,) = parse_post("【セキュリティ事件簿#2023-105】名古屋市消防局の31歳の男性消防士長、ファイルサーバに不正アクセス\n\n本文")
    assert incident["organization"] == "名古屋市消防局"


def test_case_header_splits_even_without_blank_lines() -> None:
    text = POST + "\n" + POST.replace("2024-001", "2024-002").replace("株式会社テスト", "株式会社サンプル")
    assert [i["case_id"] for i in parse_post(text)] == ["2024-001", "2024-002"]


def test_full_width_case_header_is_recognised() -> None:
    (incident,) = parse_post(POST.replace("#2024-001", "＃２０２４－００１"))
    assert incident["case_id"] == "2024-001"


def test_text_after_an_end_marker_is_never_glued_to_the_post() -> None:
    text = POST + "\n\n出典:ニュースサイト\n\nこの記事では便利なツールをご紹介します。お試しください。"
    (incident,) = parse_post(text)
    assert "ご紹介" not in incident["body"]
    kinds = [r["kind"] for r in parse_post(text, include_non_incidents=True)]
    assert kinds == ["incident", "non_incident"]


def test_sub_headings_stay_in_their_post() -> None:
    text = POST + "\n\n再発防止策\n\n当社はセキュリティ対策を強化してまいります。ご迷惑をおかけし申し訳ございません。"
    (incident,) = parse_post(text)
    assert "再発防止策" in incident["body"]


def test_essay_after_a_post_without_end_marker_is_a_separate_segment() -> None:
    essay = "今年のセキュリティトレンド\n\n専門家はランサムウェアが増えると述べています。対策を見直しましょう。2025年までに半数の組織が被害に遭うでしょう。"
    results = parse_post(POST + "\n\n" + essay, include_non_incidents=True)
    assert [r["kind"] for r in results] == ["incident", "non_incident"]
    assert results[1]["title"] == "今年のセキュリティトレンド"
    assert "述べています" not in results[0]["body"]


def test_bare_2022_title_line_starts_a_post() -> None:
    text = "株式会社サンプル 不正アクセスに関するお知らせ 2022年8月1日\n\n当社サーバーが不正アクセスを受けました。"
    (incident,) = parse_post(text)
    assert (incident["organization"], incident["disclosed_on"]) == ("株式会社サンプル", "2022-08-01")


def test_a_timeline_row_ending_in_a_date_is_not_a_header() -> None:
    text = POST + "\n\n・事故報告書届出日 : 2o24 年5 月24 日\n\n以上"
    assert len(parse_post(text)) == 1


def test_stand_alone_press_release_is_one_incident() -> None:
    (incident,) = parse_post(seed_text("000"))
    assert incident["organization"] == "株式会社仕事旅行社"


def test_header_less_essay_alone_is_not_an_incident() -> None:
    essay = "安く旅する方法\n\n旅行はお金持ちである必要はありません。いくつかの方法をご紹介します。ぜひ試してみてください。"
    assert parse_post(essay) == []
    (article,) = parse_post(essay, include_non_incidents=True)
    assert article["kind"] == "non_incident" and article["reason"]


def test_empty_and_blank_text_give_nothing() -> None:
    assert parse_post("") == []
    assert parse_post("\n\n \n") == []


def test_segments_cover_the_original_lines() -> None:
    text = seed_text("002")
    segments = split(text)
    assert [s.kind for s in segments].count("incident") == 7
    assert all(a.end <= b.start for a, b in zip(segments, segments[1:]))


def test_header_without_organisation_takes_it_from_the_body() -> None:
    text = "【セキュリティ事件簿#2024-100】不正アクセスによる個人情報漏えいのお知らせ 2024/1/10\n\n株式会社サンプルは、弊社サーバーが不正アクセスを受けたことを確認しました。"
    (incident,) = parse_post(text)
    assert incident["organization"] == "株式会社サンプル"


def test_header_without_date_takes_the_date_line_under_it() -> None:
    text = "【セキュリティ事件簿#2024-101】株式会社サンプル 不正アクセスについて\n\n2024年1月11日\n\n弊社サーバーが不正アクセスを受けました。"
    (incident,) = parse_post(text)
    assert incident["disclosed_on"] == "2024-01-11"


def test_organisation_unit_written_apart_joins_the_name() -> None:
    text = "【セキュリティ事件簿#2024-102】〇〇市 教育委員会 USBメモリの紛失について 2024/1/12\n\n教諭がUSBメモリを紛失しました。"
    (incident,) = parse_post(text)
    assert (incident["organization"], incident["sector"], incident["incident_types"]) == (
        "〇〇市教育委員会", "government", ["loss_theft"])  # boards of education are local government


def test_a_five_digit_case_number_is_still_a_case_header() -> None:
    (incident,) = parse_post("【セキュリティ事件簿#2025-01234】みどり中央病院 ランサムウェア被害について 2025/4/3\n\n当院のサーバーが暗号化されました。")
    assert (incident["case_id"], incident["organization"]) == ("2025-1234", "みどり中央病院")
