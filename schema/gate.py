"""The gate every operation passes before any resolver runs.

It computes the field plan from the validated document and refuses an
operation that reads data without a registered agency, a declared purpose
and a case reference. Refusing here, not in resolvers, means no source is
ever called for a request that will be refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from hub.catalog.model import Catalog
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
            if plan.touches_data:
                self._check(ctx)
                self._decide(ctx)
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
