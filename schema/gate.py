"""The gate every operation passes before any resolver runs.

It computes the field plan from the validated document and refuses an
operation that reads data without a registered agency, a declared purpose
and a case reference. Refusing here, not in resolvers, means no source is
ever called for a request that will be refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
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
from schema.context import HubContext
from schema.errors import (
    AgencyNotRegisteredError,
    CaseRefRequiredError,
    PolicyRefusedError,
    PurposeNotDeclaredError,
    PurposeRequiredError,
    QueryTooCostlyError,
)
from schema.limits import root_fields
from schema.plan import FieldPlan, PlanCache

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")


def named_persons(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> list[str]:
    """The valid registration numbers the operation's root fields name (`rrn`, `rrns`)."""
    texts: list[Any] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (
            definition.name is None or definition.name.value != operation_name
        ):
            continue
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            for argument in selection.arguments or ():
                if argument.name.value in ("rrn", "rrns"):
                    value = value_from_ast_untyped(argument.value, variables)
                    texts.extend(value if isinstance(value, list) else [value])
    found = []
    for text in texts:
        try:
            found.append(parse_rrn(text).digits)
        except (InvalidRRN, TypeError, AttributeError):
            continue
    return found


def estimated_persons(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> int:
    """How many persons the operation's root fields name, from arguments and variables.

    `person` names one, `persons` the length of `rrns`, `_entities` the length of
    `representations`; root fields reading no person count nothing.
    """
    operation = _chosen_operation(document, operation_name)
    if operation is None:
        return 0
    found = persons_of(operation, document, variables or {})
    assert found is not None  # with variables, every list has a length
    return found


def persons_of(
    operation: OperationDefinitionNode, document: DocumentNode, variables: dict[str, Any] | None
) -> int | None:
    """The persons `operation` names (see estimated_persons).

    Without `variables` (a document reviewed before any request) a list
    passed as a variable has no length yet: the answer is then None.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    total = 0
    for field in root_fields(operation.selection_set, fragments):
        name = field.name.value
        if name == "person":
            total += 1
        elif name in ("persons", "_entities"):
            argument = "rrns" if name == "persons" else "representations"
            for node in field.arguments or ():
                if node.name.value != argument:
                    continue
                if variables is None and not isinstance(node.value, ListValueNode):
                    return None
                value = value_from_ast_untyped(node.value, variables)
                total += len(value) if isinstance(value, list) else 1
    return total


def estimated_cost(catalog: Catalog, settings: Settings, plan: FieldPlan, persons: int) -> int:
    """Persons x the plan's information types, each weighted by its source's cost.

    A household walk reaches further persons: it multiplies the persons by the
    assumed household size.
    """
    weight = sum(
        settings.source_cost(catalog.info_type(name).source)
        for name in plan.fields
        if catalog.has_info_type(name)
    )
    if plan.walks_household:
        persons *= settings.assumed_household_size
    return persons * max(weight, 1)


def _chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            return definition
    return None


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
                self._check(ctx)
                self._check_cost(ctx, document, context.operation_name, context.variables)
                try:
                    self._decide(ctx)
                except PolicyRefusedError:
                    # Refusals are logged like releases, for every person named.
                    for rrn in named_persons(document, context.operation_name, context.variables):
                        for type_name in plan.fields or {"*": set()}:
                            ctx.access.refused(rrn, type_name, PolicyRefusedError.code)
                    raise
        yield

    def _check_cost(
        self,
        ctx: HubContext,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> None:
        """Refuse an operation whose estimated cost is over the agency's limit."""
        settings = ctx.services.settings
        limit = settings.limits_for(ctx.principal.agency).max_cost
        estimate = estimated_cost(
            self.catalog,
            settings,
            ctx.plan,
            estimated_persons(document, operation_name, variables),
        )
        if estimate > limit:
            raise QueryTooCostlyError(
                f"the operation's estimated cost is {estimate}, over the limit of {limit} "
                "(persons x information types, weighted by source); ask for fewer persons "
                "or types per request",
                estimate=estimate,
                limit=limit,
            )

    def _decide(self, ctx: HubContext) -> None:
        """Refuse the whole operation if it asks for anything the policy does not grant."""
        agency, purpose = ctx.principal.agency, ctx.purpose or ""
        policy = ctx.policy
        grant = policy.grant(agency, purpose)
        selected = ctx.plan.fields
        if grant is None:
            everything = sorted(f"{t}.{f}" for t, names in selected.items() for f in names)
            raise PolicyRefusedError(
                f"no policy (version {policy.version}) grants {agency} anything for {purpose}",
                fields=everything,
                policyVersion=policy.version,
            )
        refused = grant.refused(selected)
        if refused:
            raise PolicyRefusedError(
                f"the policy (version {policy.version}) for {agency}/{purpose} does not grant "
                f"{', '.join(refused)}; ask only for what you may (see myGrants)",
                fields=refused,
                policyVersion=policy.version,
            )
        ctx.grant = grant

    def _check(self, ctx: HubContext) -> None:
        agency = self.catalog.agency(ctx.principal.agency)
        if agency is None:
            raise AgencyNotRegisteredError(
                f"agency {ctx.principal.agency!r} is not a registered consuming agency"
            )
        if not ctx.purpose:
            raise PurposeRequiredError(
                "the Hub-Purpose header must name the purpose of this request"
            )
        if agency.purpose(ctx.purpose) is None:
            declared = ", ".join(p.code for p in agency.purposes)
            raise PurposeNotDeclaredError(
                f"agency {agency.code} has not declared purpose {ctx.purpose!r} "
                f"(declared: {declared})"
            )
        if not ctx.case_ref:
            raise CaseRefRequiredError(
                "the Hub-Case-Ref header must name the case or application number"
            )
        if not CASE_REF.match(ctx.case_ref):
            raise CaseRefRequiredError(
                "Hub-Case-Ref must be 1-128 letters, digits or ._:/- starting "
                "with a letter or digit"
            )
