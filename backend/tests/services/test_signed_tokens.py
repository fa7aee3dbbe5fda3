"""Signed e-mail tokens: bound to a purpose, expiring on the application's clock, refused when
altered, and single-use through the fingerprint of the state they may change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.services import signed_tokens
from app.services.signed_tokens import RESET_PASSWORD, VERIFY_EMAIL, fingerprint, make_token, read_token


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def test_a_token_reads_back_its_user_and_the_fingerprint_of_its_state(ctx: None, clock: Any) -> None:
    token = make_token(VERIFY_EMAIL, 42, "verify:ada@example.com:None")

    assert read_token(VERIFY_EMAIL, token) == (42, fingerprint("verify:ada@example.com:None"))


def test_the_fingerprint_is_a_short_stable_digest_that_changes_with_the_state() -> None:
    assert fingerprint("reset:hash-1") == fingerprint("reset:hash-1")
    assert len(fingerprint("reset:hash-1")) == 16
    assert fingerprint("reset:hash-1") != fingerprint("reset:hash-2")


def test_a_token_of_one_purpose_is_refused_for_another(ctx: None, clock: Any) -> None:
    verify = make_token(VERIFY_EMAIL, 1, "state")
    reset = make_token(RESET_PASSWORD, 1, "state")

    assert read_token(RESET_PASSWORD, verify) is None
    assert read_token(VERIFY_EMAIL, reset) is None


@pytest.mark.parametrize(("purpose", "max_age"), [(VERIFY_EMAIL, 24 * 3600), (RESET_PASSWORD, 3600)])
def test_a_token_expires_after_its_purposes_max_age_on_the_app_clock(
    ctx: None, clock: Any, purpose: str, max_age: int
) -> None:
    token = make_token(purpose, 7, "state")

    clock.advance(seconds=max_age)
    assert read_token(purpose, token) == (7, fingerprint("state"))

    clock.advance(seconds=1)
    assert read_token(purpose, token) is None


def test_a_token_dated_after_the_clock_is_refused(ctx: None, clock: Any) -> None:
    token = make_token(RESET_PASSWORD, 3, "state")
    clock.advance(seconds=-1)

    assert read_token(RESET_PASSWORD, token) is None


def test_an_altered_token_is_refused(ctx: None, clock: Any) -> None:
    token = make_token(VERIFY_EMAIL, 5, "state")
    payload, timestamp, signature = token.split(".")
    # The first character (the last one may only carry padding bits that decode the same).
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    other_user = make_token(VERIFY_EMAIL, 6, "state").split(".")[0]

    assert read_token(VERIFY_EMAIL, f"{payload}.{timestamp}.{flipped}") is None
    assert read_token(VERIFY_EMAIL, f"{other_user}.{timestamp}.{signature}") is None
    assert read_token(VERIFY_EMAIL, f"{payload}.{signature}") is None
    assert read_token(VERIFY_EMAIL, "") is None
    assert read_token(VERIFY_EMAIL, "not-a-token") is None


def test_a_token_signed_with_another_secret_is_refused(app: Flask, make_app: Any, clock: Any) -> None:
    other = make_app(SECRET_KEY="another-secret-key-that-is-long-enough-9876543210")
    with other.app_context():
        token = make_token(VERIFY_EMAIL, 1, "state")
    with app.app_context():
        assert read_token(VERIFY_EMAIL, token) is None


def test_a_signed_payload_of_the_wrong_shape_is_refused(ctx: None, clock: Any) -> None:
    serializer = signed_tokens._serializer(VERIFY_EMAIL)

    assert read_token(VERIFY_EMAIL, serializer.dumps([1, "f"])) is None
    assert read_token(VERIFY_EMAIL, serializer.dumps({"u": "1", "f": "f"})) is None
    assert read_token(VERIFY_EMAIL, serializer.dumps({"u": 1})) is None


def test_single_use_comes_from_the_state_fingerprint(ctx: None, clock: Any) -> None:
    """Once the state changes (a new password hash), the token's fingerprint no longer matches it."""
    token = make_token(RESET_PASSWORD, 9, "reset:old-hash")
    user_id, mark = read_token(RESET_PASSWORD, token) or (0, "")

    assert (user_id, mark == fingerprint("reset:old-hash")) == (9, True)
    assert mark != fingerprint("reset:new-hash")
