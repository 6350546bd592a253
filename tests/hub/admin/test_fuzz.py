"""Fuzzing both endpoints at their edges: no 5xx, no traceback, no hang.

Two parts. The malformed bodies and the fragment fan-out of issue 10 are
sent to both endpoints. Then schemathesis (through hypothesis-graphql)
generates operations for every root field of the administrative schema,
queries and mutations, and sends them with a token of each role it serves
(privacy officer, auditor, consent manager, citizen portal) and a case
reference, so that generated operations get past the role checks of the
fields they name and into the resolvers. Every reply must pass the
agencies' fuzz test's checks (`check_reply`: below 500, JSON, nothing of
the hub's insides), and every request runs under `no_hang`.

Derandomised and small (`MAX_EXAMPLES` per role) to keep the suite's run
time modest; SQLite only, in a transaction rolled back after each test (a
fuzzer has nothing to say about the backend, and mutations change nothing
that outlives the test).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
import schemathesis.graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from hub.admin.schema import build_admin_schema
from hub.auth.roles import Role
from hub.db.session import Database
from tests.hangs import no_hang
from tests.hub.admin.audit_helpers import auditor_token, portal_token
from tests.hub.admin.conftest import ADMIN_URL, CASE_HEADER, Admin
from tests.hub.admin.test_malformed_bodies import MALFORMED
from tests.hub.admin.test_operation_limits import ADMIN_LEAF, AGENCY_LEAF
from tests.schema.conftest import HubFactory
from tests.schema.test_fuzz import check_reply, sqlite_database  # noqa: F401
from tests.schema.test_shape import fan_out

MAX_EXAMPLES = 25
#: Seconds one generated request may take before it counts as a hang.
HANG_S = 20

_TEXT = st.text(max_size=30)
schemathesis.graphql.scalar(
    "Long",
    st.one_of(
        st.integers(min_value=-(2**60), max_value=2**60),
        st.sampled_from([0, 1, 2**53 - 1, 2**53, -(2**53)]),
    ).map(nodes.Int),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(timezones=st.timezones()).map(lambda d: nodes.String(d.isoformat())),
        st.sampled_from(
            ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "yesterday", ""]
        ).map(nodes.String),
        st.just(nodes.String(dt.datetime.now(dt.UTC).isoformat())),
    ),
)
schemathesis.graphql.scalar(
    "JSON",
    st.one_of(
        _TEXT.map(nodes.String),
        st.integers().map(nodes.Int),
        st.just(nodes.Object([])),
        st.lists(_TEXT.map(nodes.String), max_size=3).map(
            lambda items: nodes.List(list[graphql.ValueNode](items))
        ),
    ),
)


#: The root fields each role is served (docs/architecture.md, "Administration"),
#: so that generated operations reach resolvers instead of FORBIDDEN_ROLE.
FIELDS = {
    "officer": [
        "policyVersions",
        "policyVersion",
        "policyDiff",
        "simulate",
        "consents",
        "trustedDocuments",
        "trustedDocument",
        "proposePolicyVersion",
        "approvePolicyVersion",
        "rejectPolicyVersion",
        "pauseConsent",
        "resumeConsent",
        "revokeConsent",
        "approveTrustedDocument",
        "rejectTrustedDocument",
        "revokeTrustedDocument",
    ],
    "auditor": [
        "auditEntries",
        "officialActivity",
        "latestTreeHead",
        "auditPublicKey",
        "inclusionProof",
        "consistencyProof",
        "exportRange",
        "signTreeHead",
        "auditAccessSeries",
        "auditRefusalSeries",
        "officialActivitySeries",
        "treeHeads",
        "entryInclusion",
    ],
    "desk": ["consents", "recordConsent", "pauseConsent", "resumeConsent", "revokeConsent"],
    "portal": ["accessReport"],
}


def _operations(fields: list[str]) -> st.SearchStrategy[str]:
    """Generated operations over `fields` (queries or mutations) of the administrative schema."""
    introspection = graphql.introspection_from_schema(build_admin_schema()._schema)
    schema = schemathesis.graphql.from_dict(dict(introspection))
    strategies = [
        operation.as_strategy()
        for type_name in ("Query", "Mutation")
        for name, operation in schema[type_name].items()
        if name in fields
    ]
    assert len(strategies) == len(fields), "a field of FIELDS is not in the schema"
    return st.one_of(strategies).map(lambda case: str(case.body))


async def _fuzz(send: Callable[[str], Any], fields: list[str], max_examples: int) -> None:
    """Hypothesis in a worker thread; each request awaited on this loop, under `no_hang`."""
    loop = asyncio.get_running_loop()

    async def guarded(query: str) -> httpx.Response:
        with no_hang(HANG_S):
            response: httpx.Response = await send(query)
        return response

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(query=_operations(fields))
    def run(query: str) -> None:
        response = asyncio.run_coroutine_threadsafe(guarded(query), loop).result(timeout=60)
        check_reply(query, response)

    await asyncio.to_thread(run)


@pytest.mark.parametrize("role", list(FIELDS))
async def test_fuzz_admin_endpoint_per_role(
    sqlite_database: Database,  # noqa: F811
    hub_factory: HubFactory,
    role: str,
) -> None:
    hub = await hub_factory(sqlite_database, policy="database")
    admin = Admin(hub)
    tokens = {
        "officer": admin.token(),
        "auditor": auditor_token(admin),
        "desk": admin.desk_token(),
        "portal": portal_token(admin),
    }
    token = tokens[role]
    headers = {"Authorization": f"Bearer {token}", **CASE_HEADER}

    async def send(query: str) -> httpx.Response:
        return await hub.client.post(ADMIN_URL, json={"query": query}, headers=headers)

    await _fuzz(send, FIELDS[role], MAX_EXAMPLES)


async def test_edges_on_both_endpoints(
    sqlite_database: Database,  # noqa: F811
    hub_factory: HubFactory,
) -> None:
    hub = await hub_factory(sqlite_database, policy="database")
    admin = Admin(hub)
    targets = [
        ("/graphql", hub.headers(), AGENCY_LEAF),
        (ADMIN_URL, {"Authorization": f"Bearer {admin.token()}"}, ADMIN_LEAF),
        (
            ADMIN_URL,
            {"Authorization": f"Bearer {admin.token('auditor.fuzz', Role.AUDITOR)}"},
            "latestTreeHead { size }",
        ),
    ]
    for url, headers, leaf in targets:
        bodies = [body for body, _ in MALFORMED]
        bodies.append(httpx.Request("POST", url, json={"query": fan_out(30, leaf)}).read())
        for body in bodies:
            with no_hang(HANG_S):
                response = await hub.client.post(
                    url, content=body, headers={**headers, "Content-Type": "application/json"}
                )
            check_reply(body[:80].decode("latin-1"), response)
            assert response.status_code in (200, 400), (url, body[:80], response.text)
