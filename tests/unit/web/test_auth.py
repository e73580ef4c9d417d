"""The token rule: loopback needs none, any other address needs one (given or generated)."""

from __future__ import annotations

import pytest

from services.web.auth import is_loopback, matches, required_token


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
                                                ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
                                                ("example.org", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_token_is_generated_only_off_loopback_when_none_is_given() -> None:
    assert required_token("127.0.0.1", None) == (None, False)
    assert required_token("127.0.0.1", "s3cret") == ("s3cret", False)
    assert required_token("0.0.0.0", "s3cret") == ("s3cret", False)
    token, generated = required_token("0.0.0.0", None)
    assert generated and token and len(token) >= 32 and token != required_token("0.0.0.0", None)[0]


def test_matches() -> None:
    assert matches("s3cret", "s3cret")
    assert not matches("s3cre", "s3cret") and not matches(None, "s3cret") and not matches("", "s3cret")
