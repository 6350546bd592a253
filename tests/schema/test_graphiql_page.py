"""GraphiQL as the hub serves it: the page and every asset it loads come from the hub."""

from __future__ import annotations

import pytest

from hub.auth import graphiql
from hub.db.session import Database
from tests.hub.auth.test_graphiql import parse
from tests.schema.conftest import Hub, HubFactory

MEDIA_TYPES = {"js": "text/javascript", "css": "text/css"}


@pytest.mark.parametrize("endpoint", ["/graphql", "/admin/graphql"])
async def test_the_page_and_its_assets_are_served_by_the_hub(hub: Hub, endpoint: str) -> None:
    page = await hub.client.get(endpoint, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    loads = [(url, integrity) for _, url, integrity in parse(page.text).loads]
    assert loads, "the page loads its scripts and styles"
    for url, integrity in loads:
        if url.startswith("data:"):
            continue
        # Same origin: a path on the hub, never another host.
        assert url.startswith("/") and not url.startswith("//"), url
        plain = await hub.client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert "content-encoding" not in plain.headers
        kind = url.rsplit(".", 1)[1]
        assert plain.headers["content-type"].split(";")[0] == MEDIA_TYPES[kind]
        assert plain.headers["x-content-type-options"] == "nosniff"
        assert graphiql.integrity_of(plain.content) == integrity, url
        packed = await hub.client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        # httpx decodes it: what the browser hashes is the same file.
        assert packed.content == plain.content
        assert int(packed.headers["content-length"]) < len(plain.content)


async def test_an_unknown_asset_is_not_found(hub: Hub) -> None:
    response = await hub.client.get(f"{graphiql.ASSETS_PATH}/../../pyproject.toml")
    assert response.status_code == 404
    response = await hub.client.get(f"{graphiql.ASSETS_PATH}/react.js")
    assert response.status_code == 404


async def test_no_assets_where_graphiql_is_off(database: Database, hub_factory: HubFactory) -> None:
    hub = await hub_factory(database, graphiql=False)
    response = await hub.client.get(graphiql.REACT.url)
    assert response.status_code == 404
