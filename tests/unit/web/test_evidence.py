"""Evidence quotes located in the body as the parser quoted them (normalised), and the body cut around them."""

from __future__ import annotations

from services.web.evidence import pieces, quotes


def test_quotes_are_found_through_nfkc_and_line_breaks() -> None:
    body = "株式会社ＡＢＣ\n（お知らせ）\n個⼈情報 3,137名分が\n漏えいしました。"
    evidence = {
        "organization": {"rule": "signature", "text": "株式会社ABC"},
        "affected": {"rule": "stated total", "text": "個人情報 3,137名分が漏えい"},
        "vendors": {"rule": "none named", "text": ""},
        "data_types": {"rule": "list", "text": "どこにもない文"},
    }
    found = {q.field: q for q in quotes(body, evidence)}
    organization, affected = found["organization"], found["affected"]
    assert body[organization.start:organization.end] == "株式会社ＡＢＣ"
    assert body[affected.start:affected.end] == "個⼈情報 3,137名分が\n漏えい"
    assert found["vendors"].start is None and found["data_types"].start is None


def test_overlapping_quotes_cut_the_body_into_pieces_that_carry_every_field() -> None:
    body = "前置き。株式会社テストが不正アクセスを受けました。以上。"
    located = quotes(body, {"organization": {"rule": "r", "text": "株式会社テスト"},
                            "incident_types": {"rule": "r", "text": "テストが不正アクセス"}})
    cut = pieces(body, located)
    assert "".join(p.text for p in cut) == body
    assert [(p.text, p.fields) for p in cut] == [
        ("前置き。", ()), ("株式会社", ("organization",)), ("テスト", ("organization", "incident_types")),
        ("が不正アクセス", ("incident_types",)), ("を受けました。以上。", ())]


def test_a_body_without_evidence_is_one_plain_piece() -> None:
    assert [(p.text, p.fields) for p in pieces("本文", quotes("本文", {}))] == [("本文", ())]
