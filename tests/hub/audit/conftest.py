"""Keys shared by the audit tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.audit.heads import load_public_key, public_key_pem
from hub.keys import KeyRing, load_keys
from hub.settings import Settings


@pytest.fixture
def keys(data_dir: Path) -> KeyRing:
    """The hub's development keys in the test's data directory."""
    return load_keys(Settings(data_dir=data_dir))


@pytest.fixture
def public_key(keys: KeyRing) -> Ed25519PublicKey:
    """The audit public key an offline verifier is given."""
    return load_public_key(public_key_pem(keys))
