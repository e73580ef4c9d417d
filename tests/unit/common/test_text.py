"""HTML to text as a reader sees it, in time linear in the input."""

from __future__ import annotations

import time

import pytest

from services.common.text import MAX_DEPTH, html_to_text, looks_like_html, nesting_exceeds, tidy, to_text


def test_table_cells_stay_apart() -> None:
    html = "<table><tr><th>区分</th><th>件数</th></tr><tr><td>2</td><td>100件</td></tr></table>"
    text = html_to_text(html)
    assert "2100件" not in text
    assert "2 | 100件" in text


def test_paragraphs_become_lines() -> None:
    assert html_to_text("<p>一行目</p><p>二行目</p>").split("\n\n") == ["一行目", "二行目"]


def test_trailing_spaces_go_and_words_stay() -> None:
    assert tidy("漏えい  \n\n\n\n対象 \u3000\nです") == "漏えい\n\n対象\nです"


def test_a_long_run_of_spaces_is_cleaned_in_linear_time() -> None:
    text = "見出し" + " " * 400_000 + "本文"
    started = time.process_time()
    assert tidy(text) == text
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("html", [
    "<div>" * 64_000 + "本文" + "</div>" * 64_000,
    "<span>" * 40_000 + "</div>" * 40_000,  # end tags that look down a deep stack
    "<font>" * 40_000 + "</p>" * 40_000,
    "<section><ul>" * 30_000 + "本文",
], ids=["divs", "spans-then-div-ends", "fonts-then-p-ends", "unclosed-blocks"])
def test_deeply_nested_html_renders_in_linear_time(html: str) -> None:
    started = time.process_time()
    text = html_to_text(html)
    assert time.process_time() - started < 1.0  # lexbor alone: 10 s for the 64,000 divs
    assert "<" not in text


def test_the_flat_renderer_reads_like_the_tree_renderer() -> None:
    body = ("<div><p>氏名&amp;住所</p><table><tr><td>2</td><td>100件</td></tr></table>"
            "一行目<br>二行目<script>alert(1)</script><style>p{}</style><h2>見出し</h2></div>")
    deep = "<span>" * (MAX_DEPTH + 1) + body
    assert nesting_exceeds(deep, MAX_DEPTH) and not nesting_exceeds(body, MAX_DEPTH)
    assert html_to_text(deep) == html_to_text(body) == "氏名&住所\n\n2 | 100件 |\n\n一行目\n二行目\n\n見出し"


def test_pages_with_many_paragraphs_and_cells_are_not_deep() -> None:
    sloppy = "<p>段落" * 5000 + "<table>" + "<tr><td>1<td>2" * 5000 + "</table>" + "<li>項目" * 5000
    assert not nesting_exceeds(sloppy, MAX_DEPTH)


@pytest.mark.parametrize("text", ["<p" * 200_000, "< " * 200_000, "<div " + "a=1 " * 200_000])
def test_telling_html_from_text_is_linear(text: str) -> None:
    started = time.process_time()
    looks_like_html(text)
    to_text(text)
    assert time.process_time() - started < 1.0
