"""GraphiQL served by the hub itself: no CDN, and the user's headers on every request.

Strawberry's page loads React and GraphiQL from unpkg.com, so on a closed
government network it never gets past "Loading...". The same files, at the
same pinned versions, are vendored in `graphiql_assets/` (gzip-compressed;
see its README for where they come from) and served from
`/graphiql-assets/<file>`; the page names them with their subresource
integrity hashes, and the hub checks them against the same hashes before
serving a byte, so a corrupted or swapped file is refused twice.

The page's fetcher sends the headers typed in GraphiQL's header editor with
every request, the schema introspection included, and a change to them
fetches the schema again: every call needs a bearer token, so without this
the first thing a user saw was UNAUTHENTICATED and no schema. The headers
persist in the browser (GraphiQL's `shouldPersistHeaders`); tokens live ten
minutes at most.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from importlib import resources

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

#: Where the page loads the assets from (same origin: a route of the hub's app).
ASSETS_PATH = "/graphiql-assets"


@dataclass(frozen=True)
class Asset:
    """One vendored file: its name, its media type and its pinned SRI hash."""

    name: str
    content_type: str
    integrity: str  # sha384 of the uncompressed file, as in the page's `integrity`

    @property
    def url(self) -> str:
        """The same-origin path the page loads it from."""
        return f"{ASSETS_PATH}/{self.name}"


_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

# The hashes are those unpkg.com serves for these versions (and strawberry's
# own page pins); the files are the npm registry's tarballs' contents.
REACT = Asset(
    "react-18.2.0.production.min.js",
    _JS,
    "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
)
REACT_DOM = Asset(
    "react-dom-18.2.0.production.min.js",
    _JS,
    "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
)
GRAPHIQL_JS = Asset(
    "graphiql-3.8.3.min.js",
    _JS,
    "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
)
GRAPHIQL_CSS = Asset(
    "graphiql-3.8.3.min.css",
    _CSS,
    "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
)
ASSETS: dict[str, Asset] = {a.name: a for a in (REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_CSS)}

#: What the header editor holds until the user changes it: the three headers
#: every request needs, and where a token comes from.
DEFAULT_HEADERS = {
    "Authorization": "Bearer PASTE-A-TOKEN (ssis-hub dev-token --agency ... --official ...)",
    "Hub-Purpose": "basic_livelihood_eligibility",
    "Hub-Case-Ref": "CASE-2026-000123",
}

# No `$`-templates or comments of ours inside: the script is hashed for the
# Content-Security-Policy as it stands.
_SCRIPT = """
const DEFAULT_HEADERS = %(default_headers)s;
const url = window.location.href.split("?")[0].split("#")[0];
const base = GraphiQL.createFetcher({ url: url, enableIncrementalDelivery: false });

function parseHeaders(text) {
  try {
    const value = JSON.parse(text && text.trim() ? text : "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch (error) {
    return null;
  }
}

function storedHeaders() {
  try {
    return window.localStorage.getItem("graphiql:headers");
  } catch (error) {
    return null;
  }
}

function HubGraphiQL() {
  const initial = storedHeaders() || DEFAULT_HEADERS;
  const [headers, setHeaders] = React.useState(parseHeaders(initial) || {});
  const key = JSON.stringify(headers);
  const fetcher = React.useCallback(
    function (params, options) {
      const given = (options && options.headers) || {};
      return base(params, Object.assign({}, options, {
        headers: Object.assign({}, given, headers),
      }));
    },
    [key],
  );
  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: DEFAULT_HEADERS,
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    inputValueDeprecation: true,
    onEditHeaders: function (text) {
      const parsed = parseHeaders(text);
      if (parsed && JSON.stringify(parsed) !== key) {
        setHeaders(parsed);
      }
    },
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(HubGraphiQL),
);
"""

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>SSIS Hub GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body { margin: 0; height: 100%%; width: 100%%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
    </style>
    <link rel="stylesheet" href="%(css_url)s" integrity="%(css_integrity)s" />
    <script src="%(react_url)s" integrity="%(react_integrity)s"></script>
    <script src="%(react_dom_url)s" integrity="%(react_dom_integrity)s"></script>
    <script src="%(graphiql_url)s" integrity="%(graphiql_integrity)s"></script>
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script>%(script)s</script>
  </body>
</html>
"""


def _script() -> str:
    # GraphiQL takes the header editor's text, so the template is a JSON text
    # (a JavaScript string literal holding it).
    text = json.dumps(DEFAULT_HEADERS, indent=2)
    return _SCRIPT % {"default_headers": json.dumps(text)}


def page_html() -> str:
    """The GraphiQL page, naming only same-origin assets with their integrity hashes."""
    return _PAGE % {
        "css_url": GRAPHIQL_CSS.url,
        "css_integrity": GRAPHIQL_CSS.integrity,
        "react_url": REACT.url,
        "react_integrity": REACT.integrity,
        "react_dom_url": REACT_DOM.url,
        "react_dom_integrity": REACT_DOM.integrity,
        "graphiql_url": GRAPHIQL_JS.url,
        "graphiql_integrity": GRAPHIQL_JS.integrity,
        "script": _script(),
    }


def content_security_policy() -> str:
    """The page's policy: scripts, styles and requests from the hub alone."""
    digest = hashlib.sha256(_script().encode()).digest()
    inline = f"'sha256-{base64.b64encode(digest).decode()}'"
    # GraphiQL's editors set inline styles, and its CSS embeds its fonts as data: URIs.
    return (
        "default-src 'none'; "
        f"script-src 'self' {inline}; "
        "style-src 'self' 'unsafe-inline'; "
        "font-src 'self' data:; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def integrity_of(content: bytes) -> str:
    """The SRI value (sha384) of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def read_compressed(name: str) -> bytes:
    """The stored (gzip-compressed) file of asset `name`, from the installed package."""
    return (resources.files("hub.auth") / "graphiql_assets" / f"{name}.gz").read_bytes()


@functools.cache
def asset_bytes(name: str) -> tuple[bytes, bytes]:
    """(gzip-compressed, plain) bytes of a vendored asset, checked against its hash."""
    asset = ASSETS[name]
    compressed = read_compressed(name)
    plain = gzip.decompress(compressed)
    if integrity_of(plain) != asset.integrity:
        # Never serve a file the page's hash would refuse (or, worse, one it
        # would accept because someone also edited the page).
        raise RuntimeError(f"vendored GraphiQL asset {name} does not match its pinned hash")
    return compressed, plain


async def serve_asset(request: Request) -> Response:
    """GET /graphiql-assets/{name}: one vendored file, compressed when the client accepts it."""
    asset = ASSETS.get(request.path_params["name"])
    if asset is None:
        return PlainTextResponse("not found", status_code=404)
    compressed, plain = asset_bytes(asset.name)
    headers = {
        # Versioned names: a file at a name never changes.
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, media_type=asset.content_type, headers=headers)
    return Response(plain, media_type=asset.content_type, headers=headers)
