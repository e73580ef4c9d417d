"""The disclosure's own date, never a timeline date or an article's timestamp. Fragments written for these tests."""

from __future__ import annotations

from datetime import date

from services.parser.fields.disclosed import disclosure_date
from services.parser.reading import lead, read_lines


def disclosed(text: str) -> date | None:
    lines = read_lines(text.split("\n"))
    return disclosure_date(None, "", lines, lead(lines)).value


def test_the_release_date_line_under_the_title() -> None:
    assert disclosed("令和7年4月10日\n個人情報の漏えいについて\n令和7年4月8日、教諭が書類を紛失しました。") == date(2025, 4, 10)


def test_a_bare_date_line_wins_over_page_metadata() -> None:
    text = "掲載日:2025年4月11日\n記者発表資料\n令和7年4月10日\n書類の紛失について\n4月8日、教諭が書類を紛失した。"
    assert disclosed(text) == date(2025, 4, 10)


def test_the_date_the_title_closes_with() -> None:
    assert disclosed("事故の発生につきまして(令和7年10月8日)\n令和7年5月16日、誤って書類を交付した。") == date(2025, 10, 8)


def test_the_date_of_the_announcement_in_a_news_lead() -> None:
    assert disclosed("みなと大学は2024年12月16日、職員のアカウントが乗っ取られたと発表しました。") == date(2024, 12, 16)


def test_a_timeline_date_is_not_the_disclosure_date() -> None:
    assert disclosed("みなと大学によると、2025年3月7日に何者かがネットワークに侵入した。") is None


def test_an_article_timestamp_is_not_the_disclosure_date() -> None:
    assert disclosed("2016年11月10日 18:38\nみなと社は9日、不正アクセスがあったと発表した。") is None


def test_a_day_without_a_year_is_no_date() -> None:
    assert disclosed("みなと市は26日、名簿を誤送付したと発表した。") is None


def test_an_announcement_stamp_in_the_text() -> None:
    text = "誤って宛先欄にメールアドレスを入力して送信したことから、個人情報が漏えいしました。(令和6年12月6日 10時30分発表)"
    assert disclosed(text) == date(2024, 12, 6)


def test_a_posting_stamp_in_a_heading_is_the_disclosure_date() -> None:
    assert disclosed("調査結果の報告(平成27年12月14日掲載)\n\n市職員による個人情報の流出について、お知らせします。") == date(2015, 12, 14)


def test_a_press_release_date_line_with_its_hour() -> None:
    assert disclosed("ここから本文です。\n記者発表日時:2025年12月12日18時\n担当部署名/農政課\n個人情報の漏えいについて") == date(2025, 12, 12)


def test_an_announcement_after_a_subject_and_a_comma() -> None:
    text = "雑貨店を営むみなと商会(以下、同社)が、2023年2月20日に、ECサイトにおけるカード情報の漏洩を公表しました。"
    assert disclosed(text) == date(2023, 2, 20)


def test_revealing_is_announcing() -> None:
    assert disclosed("みなと農業協同組合は2022年10月13日、USBメモリが所在不明になったと明かしました。") == date(2022, 10, 13)


def test_the_date_on_which_the_body_announced_it_where() -> None:
    text = "みなと興業は、会員の個人情報を含むUSBメモリーを紛失したと、2024年4月30日に公式サイトで発表した。"
    assert disclosed(text) == date(2024, 4, 30)
    assert disclosed("4月22日に紛失が発覚した。みなと興業は2024年5月1日に発表した。") == date(2024, 5, 1)


def test_a_page_title_line_above_the_release_date() -> None:
    text = ("メール誤送信についてのお詫び : 飢餓のない世界を創る国際協力NGO ミナト・フリー・ワールド・ジャパン MINATO FREE WORLD JAPAN\n"
            "お知らせ\n2020.02.25\nメール誤送信についてのお詫び\nこのたび、当団体において、メールアドレスが表示されていたことが判明いたしました。\n"
            + "\n".join(f"{n}. 経緯と対応の説明、その{n}。" for n in range(1, 10)))
    assert disclosed(text) == date(2020, 2, 25)


def test_the_labelled_day_it_was_reported() -> None:
    text = ("事故報告\n\n日印産連プライバシーマーク審査会への報告日:2017年1月31日\n\n経過\n\n"
            "顧客Aから実施したアンケートの件数に関する資料を、誤って顧客Bに送信した。2017年1月20日に判明した。")
    assert disclosed(text) == date(2017, 1, 31)


def test_a_dated_signature_above_an_appendix() -> None:
    text = ("改善報告\n\n当園ホームページの保育日記上に、掲載のご承諾をいただいていないお子様の写真を誤って掲載してしまった事象に対する改善報告書を下記に掲載しております。\n"
            "令和7年6月5日\nみなと保育園 解決責任者\n園 長 西 敏昭\n\n"
            + "\n".join(f"{n}. 改善報告書の本文、その{n}。" for n in range(1, 12)))
    assert disclosed(text) == date(2025, 6, 5)
