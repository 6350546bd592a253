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

from graphql import DocumentNode, FieldNode, OperationDefinitionNode, value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from hub.catalog.model import Catalog
from hub.identity.rrn import InvalidRRN, parse_rrn
from schema.context import HubContext
from schema.errors import (
    AgencyNotRegisteredError,
    CaseRefRequiredError,
    PolicyRefusedError,
    PurposeNotDeclaredError,
    PurposeRequiredError,
)
from schema.plan import PlanCache

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
                try:
                    self._decide(ctx)
                except PolicyRefusedError:
                    # Refusals are logged like releases, for every person named.
                    for rrn in named_persons(document, context.operation_name, context.variables):
                        for type_name in plan.fields or {"*": set()}:
                            ctx.access.refused(rrn, type_name, PolicyRefusedError.code)
                    raise
        yield

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
