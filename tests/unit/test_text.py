"""HTML to text as a reader sees it, in time linear in the input."""

from __future__ import annotations

import time

from services.common.text import html_to_text, tidy


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
