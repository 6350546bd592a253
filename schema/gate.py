"""The gate every operation passes before any resolver runs.

It computes the field plan from the validated document, counts the persons
the operation names, and hands both to the one decision
(`policies.decision.decide`); the request's context carries the `Decision`
that resolvers and the access log read. Refusing here, not in resolvers,
means no source is ever called for a request that will be refused, and
every person a refused request named gets an access-log entry saying so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    ListValueNode,
    OperationDefinitionNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from hub.catalog.model import Catalog
from hub.identity.rrn import InvalidRRN, parse_rrn
from hub.settings import Settings
from policies.decision import AccessRequest, Decision, Limits, decide
from schema.context import HubContext
from schema.errors import CaseRefRequiredError, HubError, refusal_error
from schema.limits import root_fields
from schema.plan import FieldPlan, PlanCache

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")


@dataclass(frozen=True)
class NamedPersons:
    """Whom an operation names: registration numbers, agency person ids, and the count.

    `count` is every name over all root fields and aliases (one for `person`,
    one per `rrns` or `representations` entry), malformed ones included: the
    person limit bounds what is asked, not what parses. `rrns` are the valid
    numbers and `ids` the `_entities` ids, whose refusals are logged.
    """

    count: int
    rrns: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


def _values(field: FieldNode, argument: str, variables: dict[str, Any] | None) -> list[Any] | None:
    """The argument's values as a list; None when a variable's length is not known yet."""
    for node in field.arguments or ():
        if node.name.value != argument:
            continue
        if variables is None:
            return list(node.value.values) if isinstance(node.value, ListValueNode) else None
        value = value_from_ast_untyped(node.value, variables)
        return value if isinstance(value, list) else [value]
    return []


def named_persons(
    operation: OperationDefinitionNode, document: DocumentNode, variables: dict[str, Any] | None
) -> NamedPersons | None:
    """The persons `operation` names, through fragments and aliases.

    Without `variables` (a document reviewed before any request) a list
    passed as a variable has no length yet: the answer is then None.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    count = 0
    rrns: list[str] = []
    ids: list[str] = []
    for field in root_fields(operation.selection_set, fragments):
        argument = _PERSON_ARGUMENTS.get(field.name.value)
        if argument is None:
            continue
        if field.name.value == "person":
            count += 1
            if variables is None:
                continue
        values = _values(field, argument, variables)
        if values is None:
            return None
        if field.name.value != "person":
            count += len(values)
        if variables is None:
            continue
        for value in values:
            if argument == "representations":
                if isinstance(value, dict) and isinstance(value.get("id"), str):
                    ids.append(value["id"])
                continue
            try:
                rrns.append(parse_rrn(value).digits)
            except (InvalidRRN, TypeError, AttributeError):
                continue
    return NamedPersons(count, tuple(dict.fromkeys(rrns)), tuple(dict.fromkeys(ids)))


_PERSON_ARGUMENTS = {"person": "rrn", "persons": "rrns", "_entities": "representations"}


def chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation that will run: the named one, or the only one."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            return definition
    return None


def limits_for(catalog: Catalog, settings: Settings, agency: str, plan: FieldPlan) -> Limits:
    """The hub's limits for this agency, with the weights of the plan's sources."""
    sources = {
        catalog.info_type(name).source for name in plan.fields if catalog.has_info_type(name)
    }
    return Limits(
        max_persons=settings.max_persons_per_request,
        max_cost=settings.limits_for(agency).max_cost,
        source_cost={code: settings.source_cost(code) for code in sources},
        household_size=settings.assumed_household_size,
    )


def access_request(
    agency: str, purpose: str, plan: FieldPlan, persons: int | None
) -> AccessRequest:
    """The decision's view of a planned operation."""
    return AccessRequest(
        agency=agency,
        purpose=purpose,
        selected=plan.fields,
        persons=persons,
        walks_household=plan.walks_household,
    )


class RequestGate(SchemaExtension):
    """Plans the operation and checks who, why and for which case."""

    def __init__(self, catalog: Catalog, plans: PlanCache) -> None:
        super().__init__()
        self.catalog = catalog
        self.plans = plans

    def on_execute(self) -> Iterator[None]:
        """Runs after validation, before execution."""
        context = self.execution_context
        ctx = context.context
        document = context.graphql_document
        if isinstance(ctx, HubContext) and document is not None:
            plan = self.plans.plan(
                context.schema._schema, document, context.query, context.operation_name
            )
            ctx.plan = plan
            if context.query is not None:
                ctx.query_hash = hashlib.sha256(context.query.encode()).hexdigest()
            if plan.touches_data:
                operation = chosen_operation(document, context.operation_name)
                named = (
                    named_persons(operation, document, context.variables or {})
                    if operation is not None
                    else None
                ) or NamedPersons(0)
                ctx.persons_named = named.count
                try:
                    decision = self._decide(ctx, plan, named)
                    self._check_case(ctx)
                    ctx.decision = decision
                except HubError as exc:
                    # A refusal names persons too: each of them gets an entry.
                    code = str((exc.extensions or {}).get("code", HubError.code))
                    ctx.access.refused_all(named.rrns, named.ids, plan.fields, code)
                    raise
        yield

    def _decide(self, ctx: HubContext, plan: FieldPlan, named: NamedPersons) -> Decision:
        """Call the one decision; a refusal becomes its error."""
        agency = ctx.principal.agency
        settings = ctx.services.settings
        decision = decide(
            self.catalog,
            ctx.policy,
            access_request(agency, ctx.purpose or "", plan, named.count),
            limits_for(self.catalog, settings, agency, plan),
        )
        if decision.refusal is not None:
            raise refusal_error(decision.refusal)
        return decision

    def _check_case(self, ctx: HubContext) -> None:
        """Every data request names its case: accountability, not policy, so not decide()'s."""
        if not ctx.case_ref:
            raise CaseRefRequiredError(
                "the Hub-Case-Ref header must name the case or application number"
            )
        if not CASE_REF.match(ctx.case_ref):
            raise CaseRefRequiredError(
                "Hub-Case-Ref must be 1-128 letters, digits or ._:/- starting "
                "with a letter or digit"
            )
