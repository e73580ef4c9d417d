"""Turning typed text into an FTS5 query: folding like subscriptions, never query syntax."""

from __future__ import annotations

from services.archive.search import PAD, fold, indexed, match_expression, phrase, terms


def test_terms_fold_like_subscription_keywords() -> None:
    assert terms("ＡＣＭＡＩＬＥＲ  電子カルテ\u3000ｲｾﾄｰ") == ["acmailer", "電子カルテ", "イセトー"]
    assert terms("a a A") == ["a"]
    assert terms("  \n ") == []


def test_control_characters_never_reach_the_index_query() -> None:
    assert terms("ab" + PAD + "cd") == ["ab", "cd"]
    assert indexed("ＡＢ") == "ab" + PAD
    assert indexed(None) == PAD


def test_phrases_are_literals() -> None:
    assert phrase('a"b') == '"a""b"'
    assert match_expression('NEAR(x y) OR * "q', lambda term: []) is None  # short terms with no trigram: nothing
    assert match_expression("NEAR(x OR \"quoted\"", lambda term: [term + "x"]) == '"near(x" AND ("orx") AND """quoted"""'


def test_short_terms_become_the_trigrams_that_start_with_them() -> None:
    assert match_expression("病院 電子カルテ", lambda term: ["病院で", "病院の"]) == '("病院で" OR "病院の") AND "電子カルテ"'
    assert match_expression("病院", lambda term: []) is None


def test_fold_is_nfkc_casefold() -> None:
    assert fold("Ｗｏｒｄ Ｐｒｅｓｓ") == "word press"
