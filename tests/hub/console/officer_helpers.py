"""Seeding what the officers' pages show: proposals, trusted documents, consents."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from typing import Any

import tomli_w

from hub.catalog.model import Catalog
from hub.db.session import Database
from hub.keys import KeyRing
from policies import versions
from policies.consent import ConsentChannel, ConsentRequest, ConsentUsage, record_consent
from policies.document import parse_document

AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
#: The field the journey removes, and the sentence the diff says it in.
REMOVED_TYPE, REMOVED_FIELD = "earnedIncome", "annualAmount"
REMOVAL = f"{AGENCY} loses {REMOVED_TYPE}.{REMOVED_FIELD} for {PURPOSE}"
EARNED = f"query($r: String!) {{ person(rrn: $r) {{ {REMOVED_TYPE} {{ {REMOVED_FIELD} }} }} }}"
#: Consent-based for LOCAL_WELFARE's means test in the baseline.
CONSENTED = "financialAssets"
ASSETS = f"query($r: String!) {{ person(rrn: $r) {{ {CONSENTED} {{ balance }} }} }}"
CASE = "PRIV-2026-0031"


def without_field(
    document: dict[str, Any],
    agency: str = AGENCY,
    purpose: str = PURPOSE,
    info_type: str = REMOVED_TYPE,
    field: str = REMOVED_FIELD,
) -> dict[str, Any]:
    """`document` (JSON) with one field taken out of one grant."""
    changed = copy.deepcopy(document)
    for policy in changed["agencies"]:
        if policy["agency"] != agency:
            continue
        for grant in policy["grants"]:
            if grant["purpose"] == purpose:
                del grant["types"][info_type]["fields"][field]
                return changed
    raise AssertionError(f"no grant {agency}/{purpose}")


async def propose_removal(database: Database, catalog: Catalog, officer: str) -> int:
    """`officer` proposes, on the active version, to take the journey's field away."""
    active = await versions.active_version(database)
    assert active is not None
    document = parse_document(without_field(active.document.as_json()))
    return await versions.propose(
        database, catalog, document, officer, "data minimisation", base_version=active.version
    )


async def give_consent(database: Database, keys: KeyRing, catalog: Catalog, rrn: str) -> str:
    """A periodic consent of `rrn` to the agency for the consent-based type; its id."""
    request = ConsentRequest(
        rrn=rrn,
        agency=AGENCY,
        purpose=PURPOSE,
        info_types=[CONSENTED],
        valid_from=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
        valid_until=dt.datetime(2099, 12, 31, tzinfo=dt.UTC),
        usage=ConsentUsage.PERIODIC,
        channel=ConsentChannel.IN_PERSON,
        evidence=None,
    )
    recorded = await record_consent(database, keys, catalog, request, "consent-desk:lee.02")
    return recorded.id


def toml_without_field(
    text: str,
    purpose: str = PURPOSE,
    info_type: str = REMOVED_TYPE,
    field: str = REMOVED_FIELD,
) -> str:
    """An agency's TOML file (as the editor shows it) with one field taken out of one grant."""
    data = tomllib.loads(text)
    [grant] = [g for g in data["grants"] if g["purpose"] == purpose]
    del grant["types"][info_type]["fields"][field]
    return tomli_w.dumps(data)
