"""Remembered signatures: faster for a token seen before, never more lenient."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hub.auth import clock
from hub.auth.jwtcheck import VerifiedSignatures
from hub.auth.tokens import InvalidToken, issue_token, verify_token
from hub.keys import load_keys
from hub.settings import Settings


def test_a_remembered_token_still_expires(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    verified = VerifiedSignatures()
    token = issue_token(ring, settings, agency="A", official="o.1", ttl_s=60)
    first = verify_token(ring, settings, token, verified)
    assert verify_token(ring, settings, token, verified) == first
    assert len(verified) == 1
    later = int(time.time()) + 3600
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(ring, settings, token, verified)


def test_a_token_differing_in_one_character_is_verified_afresh(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    verified = VerifiedSignatures()
    token = issue_token(ring, settings, agency="A", official="o.1")
    verify_token(ring, settings, token, verified)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidToken):
        verify_token(ring, settings, flipped, verified)
    assert len(verified) == 1


def test_a_remembered_token_is_checked_against_the_verifiers_settings(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    verified = VerifiedSignatures()
    token = issue_token(ring, settings, agency="A", official="o.1")
    verify_token(ring, settings, token, verified)
    other_audience = Settings(data_dir=data_dir, audience="another-hub")
    with pytest.raises(InvalidToken, match="audience"):
        verify_token(ring, other_audience, token, verified)


def test_the_memory_is_bounded(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    ring = load_keys(settings)
    verified = VerifiedSignatures(max_entries=3)
    tokens = [issue_token(ring, settings, agency="A", official=f"o.{i}") for i in range(5)]
    for token in tokens:
        verify_token(ring, settings, token, verified)
    assert len(verified) == 3
    assert verified.get(tokens[0]) is None and verified.get(tokens[-1]) is not None
