"""Reading lines as a person does: furniture, captions, bylines, timestamps."""

from __future__ import annotations

from services.parser.reading import lead, line_role, read_lines


def test_roles_of_page_furniture_captions_bylines_and_timestamps() -> None:
    assert line_role("ここから本文です。") == "furniture"
    assert line_role("画像:みなと大学より引用") == "caption"
    assert line_role("KSB瀬戸内海放送") == "byline"
    assert line_role("2016年11月10日 18:38") == "timestamp"
    assert line_role("令和7年4月10日") == "date"
    assert line_role("個人情報の漏えいについて") == "heading"


def test_the_lead_starts_at_the_running_text() -> None:
    lines = read_lines(["ニュース", "みなと大学で情報漏えい", "みなと大学は2日、不正アクセスがあったと発表した。"])
    assert lead(lines).startswith("みなと大学は2日")


def test_a_sentence_wrapped_over_two_lines_is_read_as_one() -> None:
    lines = read_lines(["株式会社アオバ(本社:東京都、代表取締役:山田太郎)は、", "配送メールの誤送信について発表した。"])
    assert "は、配送メール" in lead(lines)


def test_a_sentence_a_pdf_wrapped_at_its_printed_width_is_read_as_one() -> None:
    lines = read_lines(["県立学校等の教職員及び生徒が使用するグループウェア内において、グループごとに保存しているファ",
                        "イルの一部が、他の県立高校等の教職員及び生徒から閲覧できる状態になっていたことにより、四日市工",
                        "業高等学校の個人情報が漏えいしました。"])
    assert "四日市工業高等学校" in lead(lines)


def test_a_headline_longer_than_a_printed_line_is_not_wrapped_into_the_lead() -> None:
    headline = "みなとHD、子会社のオンラインショップへの不正アクセスで4509件のクレカ情報に漏えいの可能性 情報セキュリティ対策費2800万円を特損に計上"
    lines = read_lines([headline, "みなとホールディングスは、本日、調査結果を公表した。"])
    assert "計上\nみなとホールディングスは" in lead(lines)
