"""The agencies' root query: persons by registration number."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.identity.rrn import InvalidRRN, parse_rrn
from policies.decision import Limits, person_limit
from schema.context import HubContext
from schema.errors import InvalidRRNError
from schema.grants import PurposeGrant, purpose_grant
from schema.person import PersonTypes


def _parse(text: str, index: int | None = None) -> str:
    try:
        return parse_rrn(text).digits
    except InvalidRRN as exc:
        where = "" if index is None else f" (rrns[{index}])"
        details: dict[str, Any] = {"reason": exc.reason}
        if index is not None:
            details["index"] = index
        raise InvalidRRNError(f"{exc}{where}", **details) from None


def resolve_my_grants(info: strawberry.Info) -> list[PurposeGrant]:
    """The caller's agency's grants under the active policy."""
    ctx: HubContext = info.context
    limits = Limits(max_persons=ctx.services.settings.max_persons_per_request)
    return [
        purpose_grant(g, ctx.policy.version, person_limit(g, limits))
        for g in ctx.policy.grants_of(ctx.principal.agency)
    ]


def build_query(types: PersonTypes) -> type:
    """The Query type over the catalog's Person."""
    person = types.person

    async def resolve_person(info: strawberry.Info, rrn: str) -> Any:
        return await types.known_person(info, _parse(rrn))

    def resolve_persons(info: strawberry.Info, rrns: list[str]) -> Any:
        # The person limit is the decision's (every person the operation
        # names, over all fields); every number is checked before any source
        # is called.
        parsed = [_parse(text, i) for i, text in enumerate(rrns)]
        return types.known_persons(info, parsed)

    namespace: dict[str, Any] = {
        "my_grants": strawberry.field(
            resolver=resolve_my_grants,
            description="What your agency may receive, per purpose: the information "
            "types, each field and the form it comes in, and whether consent is needed.",
        ),
        "person": strawberry.field(
            resolver=resolve_person,
            graphql_type=person | None,
            description="One person by resident registration number (13 digits, hyphen optional).",
        ),
        "persons": strawberry.field(
            resolver=resolve_persons,
            graphql_type=list[person | None],  # type: ignore[valid-type]
            description="Several persons by registration number, in the order "
            "given; an unknown person is null with an error at its index.",
        ),
    }
    return strawberry.type(type("Query", (), namespace))
