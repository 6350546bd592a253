"""`myGrants`: an agency asks what it may receive, so its developers never guess."""

from __future__ import annotations

import strawberry

from policies.compiled import CompiledGrant


@strawberry.type(description="One schema field an agency may select, and in which form.")
class FieldGrant:
    field: str = strawberry.field(description="The schema field to select.")
    form: str = strawberry.field(description="full, masked, coarsened, derived or pseudonym.")
    derived_from: str | None = strawberry.field(
        description="The source field a minimised form is computed from."
    )


@strawberry.type(description="The fields of one information type granted for a purpose.")
class InfoTypeGrant:
    info_type: str
    consent_required: bool = strawberry.field(
        description="Whether each person's consent is needed (otherwise the statute suffices)."
    )
    fields: list[FieldGrant]


@strawberry.type(description="What an agency may receive for one purpose.")
class PurposeGrant:
    purpose: str
    legal_basis: str
    max_persons: int = strawberry.field(
        description="Most persons one request may name (over all its fields): the grant's "
        "bound within the hub's own."
    )
    max_age_days: int = strawberry.field(description="How fresh the data must be, in days.")
    policy_version: int
    info_types: list[InfoTypeGrant]


def purpose_grant(grant: CompiledGrant, version: int, max_persons: int) -> PurposeGrant:
    """The GraphQL view of a compiled grant; `max_persons` is what the hub accepts."""
    return PurposeGrant(
        purpose=grant.purpose,
        legal_basis=grant.legal_basis,
        max_persons=max_persons,
        max_age_days=grant.max_age_days,
        policy_version=version,
        info_types=[
            InfoTypeGrant(
                info_type=type_name,
                consent_required=type_name in grant.consent_types,
                fields=[
                    FieldGrant(
                        field=r.schema_field,
                        form=r.form,
                        derived_from=None if r.schema_field == r.source_field else r.source_field,
                    )
                    for r in sorted(releases.values(), key=lambda r: r.schema_field)
                ],
            )
            for type_name, releases in sorted(grant.releases.items())
        ],
    )
