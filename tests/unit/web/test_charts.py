"""SVG charts: one linked bar per value, labels escaped, readable axis steps."""

from __future__ import annotations

import re

from services.web.charts import Bar, Column, Segment, horizontal_bars, nice_axis, stacked_columns


def test_stacked_columns_draw_one_linked_rect_per_nonzero_segment() -> None:
    svg = stacked_columns([
        Column("2024-01", (Segment(3, "/incidents?sector=healthcare", "医療: 3", "sector-healthcare"), Segment(0, "/x", "none"))),
        Column("2024-02", (Segment(1, "/incidents?a=1&b=2", "<b>: 1", "sector-other"),)),
    ], "per month")
    assert len(re.findall(r'<a href="[^"]+"><rect class="bar ', svg)) == 2
    assert 'href="/incidents?a=1&amp;b=2"' in svg and "&lt;b&gt;: 1" in svg and "<b>" not in svg
    heights = [float(h) for h in re.findall(r'<rect class="bar[^"]*" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', svg)]
    assert heights[0] == 3 * heights[1]


def test_horizontal_bars_are_proportional_and_long_labels_shortened() -> None:
    svg = horizontal_bars([Bar("国立研究開発法人量子科学技術研究開発機構", 10, "/a"), Bar("<script>", 5, "/b")], "top", "bar-organization")
    widths = [float(w) for w in re.findall(r'<rect class="bar bar-organization" x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    assert "国立研究開発法人量子科学技…" in svg and "&lt;script&gt;" in svg and "<script>" not in svg


def test_no_data_is_a_sentence_not_an_empty_chart() -> None:
    assert "nothing in this period" in horizontal_bars([], "top vendors")
    assert "<svg" not in stacked_columns([], "per month")


def test_axis_tops_are_round() -> None:
    assert [nice_axis(v) for v in (0, 5, 7, 9, 41, 1234)] == [(4, 4), (5, 5), (8, 4), (10, 5), (50, 5), (2000, 4)]
