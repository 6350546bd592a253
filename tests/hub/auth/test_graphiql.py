"""The hub's GraphiQL page: vendored assets only, and the user's headers on every request."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hub.auth import graphiql

ASSETS_DIR = Path(graphiql.__file__).parent / "graphiql_assets"


class _Page(HTMLParser):
    """The URLs a page loads (with their integrity) and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str, str | None]] = []  # (tag, url, integrity)
        self.inline: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") or values.get("href")
        if tag in {"script", "link", "img", "iframe"} and url is not None:
            self.loads.append((tag, url, values.get("integrity")))
        self._in_inline = tag == "script" and "src" not in values

    def handle_endtag(self, tag: str) -> None:
        self._in_inline = False

    def handle_data(self, data: str) -> None:
        if self._in_inline:
            self.inline.append(data)


def parse(html: str) -> _Page:
    """The page's loads and inline scripts."""
    page = _Page()
    page.feed(html)
    return page


def test_the_page_loads_only_same_origin_assets_with_integrity() -> None:
    page = parse(graphiql.page_html())
    external = [url for _, url, _ in page.loads if not url.startswith("data:")]
    assert sorted(external) == sorted(a.url for a in graphiql.ASSETS.values())
    for _, url, integrity in page.loads:
        if url.startswith("data:"):
            continue
        assert url.startswith("/") and not url.startswith("//"), url
        assert integrity == graphiql.ASSETS[url.rsplit("/", 1)[1]].integrity
    assert "unpkg" not in graphiql.page_html() and "https://" not in graphiql.page_html()


def test_every_vendored_file_matches_its_pinned_hash() -> None:
    for asset in graphiql.ASSETS.values():
        plain = gzip.decompress((ASSETS_DIR / f"{asset.name}.gz").read_bytes())
        assert graphiql.integrity_of(plain) == asset.integrity, asset.name
    # Only what the page uses is committed (and the notices that come with it).
    shipped = {p.name for p in ASSETS_DIR.iterdir()}
    wanted = {f"{name}.gz" for name in graphiql.ASSETS}
    assert shipped == wanted | {"README.md", "LICENSE.graphiql", "LICENSE.react"}


def test_a_tampered_file_is_never_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphiql, "read_compressed", lambda _: gzip.compress(b"alert(1)"))
    graphiql.asset_bytes.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="does not match its pinned hash"):
            graphiql.asset_bytes(graphiql.REACT.name)
    finally:
        graphiql.asset_bytes.cache_clear()


def test_the_policy_allows_exactly_the_inline_script() -> None:
    [script] = parse(graphiql.page_html()).inline
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = graphiql.content_security_policy()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


# The page's script run under node with React, ReactDOM and GraphiQL stubbed:
# what the fetcher it gives GraphiQL sends, for the schema's introspection.
_HARNESS = """
const fs = require("fs");
const vm = require("vm");
const [script, stored, edited] = process.argv.slice(2);
const sent = [];
let state;
let rendered;
const React = {
  useState: (initial) => [state === undefined ? (state = initial) : state, (v) => { state = v; }],
  useCallback: (fn) => fn,
  createElement: (type, props) => ({ type, props }),
};
const GraphiQL = () => null;
GraphiQL.createFetcher = () => (params, options) => {
  sent.push({ operationName: params.operationName, headers: options.headers });
  return Promise.resolve({ data: {} });
};
const context = {
  React,
  GraphiQL,
  ReactDOM: { createRoot: () => ({ render: (element) => { rendered = element; } }) },
  document: { getElementById: () => ({}) },
  window: {
    location: { href: "http://127.0.0.1:8000/graphql?query=x" },
    localStorage: { getItem: () => (stored === "-" ? null : stored) },
  },
  JSON,
  Object,
  Array,
};
vm.runInNewContext(fs.readFileSync(script, "utf8"), context);
const INTROSPECTION = "{ __schema { types { name } } }";
const render = () => rendered.type(rendered.props).props;
let props = render();
props.fetcher({ query: INTROSPECTION, operationName: "IntrospectionQuery" }, {});
if (edited !== "-") {
  props.onEditHeaders(edited);
  props = render();
  props.fetcher({ query: INTROSPECTION, operationName: "IntrospectionQuery" }, {});
}
process.stdout.write(JSON.stringify(sent));
"""

NODE = shutil.which("node")


def _run_page_script(
    tmp_path: Path, stored: str | None, edited: str | None
) -> list[dict[str, object]]:
    [script] = parse(graphiql.page_html()).inline
    (tmp_path / "page.js").write_text(script)
    (tmp_path / "harness.js").write_text(_HARNESS)
    assert NODE is not None
    done = subprocess.run(  # noqa: S603 - node on our own files
        [
            NODE,
            str(tmp_path / "harness.js"),
            str(tmp_path / "page.js"),
            stored or "-",
            edited or "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sent: list[dict[str, object]] = json.loads(done.stdout)
    return sent


@pytest.mark.skipif(NODE is None, reason="node is not installed; the page is checked statically")
def test_introspection_carries_the_headers_the_user_set(tmp_path: Path) -> None:
    token = {"Authorization": "Bearer abc", "Hub-Purpose": "p", "Hub-Case-Ref": "c"}
    # Headers kept from an earlier visit go with the first schema fetch.
    [first] = _run_page_script(tmp_path, json.dumps(token), None)
    assert first == {"operationName": "IntrospectionQuery", "headers": token}
    # With none kept, the template; once edited, the new headers (and a new
    # fetcher, which makes GraphiQL fetch the schema again).
    template, edited = _run_page_script(tmp_path, None, json.dumps({"Authorization": "Bearer x"}))
    assert template["headers"] == graphiql.DEFAULT_HEADERS
    assert edited["headers"] == {"Authorization": "Bearer x"}
    # Half-typed JSON changes nothing.
    _, unchanged = _run_page_script(tmp_path, json.dumps(token), '{"Authorization": "Bea')
    assert unchanged["headers"] == token
