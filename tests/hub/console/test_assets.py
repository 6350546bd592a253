"""The console's assets: vendored files match the recorded hashes; templates load nothing inline."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from hub.console.app import STATIC_DIR

TEMPLATES = STATIC_DIR.parent / "templates"


def _recorded_sha256(readme: Path, name: str) -> str:
    row = next(line for line in readme.read_text().splitlines() if line.startswith(f"| `{name}`"))
    found = re.search(r"`([0-9a-f]{64})`", row)
    assert found, row
    return found.group(1)


def test_vendored_htmx_is_the_recorded_release() -> None:
    name = "htmx-2.0.11.min.js"
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()
    assert digest == _recorded_sha256(STATIC_DIR / "README.md", name)
    assert (STATIC_DIR / "LICENSE-htmx.txt").exists()


def test_vendored_axe_is_the_recorded_release() -> None:
    vendor = Path(__file__).parent / "browser" / "vendor"
    name = "axe-4.14.1.min.js"
    digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
    assert digest == _recorded_sha256(vendor / "README.md", name)


def test_templates_have_no_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        # Every <script> has a src; no <style> element, no style= or on*= attribute.
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert "<style" not in text, template.name
        assert not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert not re.search(r"(src|href)=\"(https?:)?//", text), template.name
