"""Policies for tests and benchmarks that exercise the hub's data path, not the policy."""

from __future__ import annotations

from hub.catalog.model import Catalog, Kind
from policies.compiled import CompiledPolicy, compile_policy
from policies.document import FULL, parse_document


def grant_everything(
    catalog: Catalog, agency: str, purpose: str, *others: tuple[str, str]
) -> CompiledPolicy:
    """A policy granting (agency, purpose) and any `others` every field of every type, however old.

    Never installed in a database: tests of connectors, batching and errors
    use it so that they are not coupled to the baseline's choices.
    """
    types = {
        t.name: {"fields": {f.name: FULL for f in t.fields if f.exposed or f.kind is Kind.MEMBERS}}
        for t in catalog.info_types
    }
    grants: dict[str, list[dict[str, object]]] = {}
    for code, declared in ((agency, purpose), *others):
        grants.setdefault(code, []).append(
            {
                "purpose": declared,
                "legal_basis": "test: every field",
                "max_persons": 1000,
                # Data of any age: freshness is a policy choice too.
                "max_age_days": 36_500,
                "types": types,
            }
        )
    document = parse_document(
        {"agencies": [{"agency": code, "grants": listed} for code, listed in grants.items()]}
    )
    return compile_policy(document, catalog, version=0)
