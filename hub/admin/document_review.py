"""What a registered document reads, and whether the agency's active policy grants it.

A privacy officer approving a document needs to know, per operation,
which information types and fields (in which form) it selects, how many
persons one request names, and under which of the agency's purposes the
active policy would let it run. The plan is the one the agencies' endpoint
computes (`schema.plan.build_plan`), the persons are counted as the gate
counts them, and whether a purpose covers the operation is the one
decision the gate makes (`policies.decision.decide`), so the review cannot
disagree with enforcement.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)

from hub.catalog.model import Catalog
from hub.settings import Settings
from hub.settings.parts import QueryLimits
from policies.compiled import CompiledPolicy
from policies.decision import Limits, decide
from schema.gate import access_request, limits_for, named_persons
from schema.limits import check_selections
from schema.plan import SchemaMap, build_plan
from schema.shape import DocumentShape


@dataclass(frozen=True)
class PurposeRelease:
    """One purpose under which the policy releases a field, and how."""

    purpose: str
    form: str  # "full" or the minimised form
    consent_required: bool


@dataclass(frozen=True)
class FieldReview:
    """One field an operation selects and the purposes that grant it."""

    info_type: str
    field: str
    granted_for: tuple[PurposeRelease, ...]

    @property
    def granted(self) -> bool:
        """Whether any purpose of the agency grants the field."""
        return bool(self.granted_for)


@dataclass(frozen=True)
class OperationReview:
    """One operation of a document, as the hub would plan and decide it."""

    name: str  # "" for an anonymous operation
    touches_data: bool
    persons: int | None  # persons one request names; None when a variable decides
    walks_household: bool
    fields: tuple[FieldReview, ...]
    runnable_for: tuple[str, ...]  # purposes whose grant covers every field
    policy_version: int


@dataclass(frozen=True)
class DocumentReview:
    """Every operation of a document."""

    operations: tuple[OperationReview, ...]

    @property
    def fully_covered(self) -> bool:
        """Whether every operation runs under at least one purpose (or reads no data)."""
        return all(op.runnable_for or not op.touches_data for op in self.operations)


def review_document(
    schema: GraphQLSchema,
    schema_map: SchemaMap,
    policy: CompiledPolicy,
    agency: str,
    body: str,
    *,
    catalog: Catalog,
    settings: Settings | None = None,
) -> DocumentReview:
    """What each operation of `body` reads and which of `agency`'s grants cover it.

    With `settings`, the hub's own limits (persons, cost) apply as at the
    gate; without, only the grants' bounds.
    """
    document = parse(body)
    # A document stored before the hub bounded expanded size could fan out
    # through its fragments: refuse it (TOO_MANY_SELECTIONS) before the
    # planner or the person count walks it.
    shape_limits = settings.limits_for(agency) if settings is not None else QueryLimits()
    check_selections(DocumentShape(document), shape_limits.max_selections)
    grants = policy.grants_of(agency)
    operations: list[OperationReview] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name is not None else ""
        plan = build_plan(schema, document, schema_map, name or None)
        fields: list[FieldReview] = []
        for type_name in sorted(plan.fields):
            for field_name in sorted(plan.fields[type_name]):
                releases = []
                for grant in grants:
                    release = grant.releases.get(type_name, {}).get(field_name)
                    if release is not None:
                        consent = type_name in grant.consent_types
                        releases.append(PurposeRelease(grant.purpose, release.form, consent))
                fields.append(FieldReview(type_name, field_name, tuple(releases)))
        named = named_persons(definition, document, None)
        persons = named.count if named is not None else None
        limits = (
            limits_for(catalog, settings, agency, plan)
            if settings is not None
            else Limits(max_persons=max((g.max_persons for g in grants), default=0))
        )
        runnable = tuple(
            g.purpose
            for g in grants
            if decide(
                catalog, policy, access_request(agency, g.purpose, plan, persons), limits
            ).allowed
        )
        operations.append(
            OperationReview(
                name=name,
                touches_data=plan.touches_data,
                persons=persons,
                walks_household=plan.walks_household,
                fields=tuple(fields),
                runnable_for=runnable if plan.touches_data else tuple(g.purpose for g in grants),
                policy_version=policy.version,
            )
        )
    return DocumentReview(tuple(operations))
