"""Policy versions as plain services: the fields of /admin/graphql and the console call these.

Each function applies the fields' permission (`OfficersOnly`) itself with
`require_permission`, so a caller outside GraphQL (the console's officer
pages) meets the same refusal, and lets the policy services' exceptions
rise (`VersionNotFound`, `VersionError`, `PolicyBaseStale`, `PolicyError`,
...): the endpoint gives them their codes (`hub.admin.errors`), the
console its messages.
"""

from __future__ import annotations

import logging

from hub.admin.context import AdminContext
from hub.admin.permissions import OfficersOnly, require_permission
from policies import versions
from policies.compiled import CompiledPolicy, compile_policy
from policies.diff import describe_changes
from policies.document import PolicyDocument
from policies.versions import VersionInfo

log = logging.getLogger("hub.admin")


async def list_policy_versions(ctx: AdminContext) -> list[VersionInfo]:
    """Every version, newest first (`policyVersions`)."""
    await require_permission(OfficersOnly, ctx, {})
    return await versions.list_versions(ctx.services.database)


async def get_policy_version(ctx: AdminContext, version: int) -> VersionInfo:
    """One version (`policyVersion`); VersionNotFound when there is none."""
    await require_permission(OfficersOnly, ctx, {})
    return await versions.get_version(ctx.services.database, version)


async def active_policy_version(ctx: AdminContext) -> VersionInfo | None:
    """The active version read from the database (None before any is installed)."""
    await require_permission(OfficersOnly, ctx, {})
    return await versions.active_version(ctx.services.database)


async def compiled_policy(ctx: AdminContext, version: int | None = None) -> CompiledPolicy:
    """Version `version` compiled, or the active one.

    The database's active version, not this process's cached copy: an
    approval in another process is visible at once.
    """
    await require_permission(OfficersOnly, ctx, {})
    services = ctx.services
    if version is None:
        return await versions.load_active(services.database, services.catalog)
    info = await versions.get_version(services.database, version)
    return compile_policy(info.document, services.catalog, info.version)


async def policy_diff(ctx: AdminContext, from_version: int, to_version: int) -> list[str]:
    """What changes from `from_version` to `to_version`, one plain sentence each (`policyDiff`)."""
    await require_permission(OfficersOnly, ctx, {})
    services = ctx.services
    old = await versions.get_version(services.database, from_version)
    new = await versions.get_version(services.database, to_version)
    return describe_changes(old.document, new.document, services.catalog)


async def propose_policy_version(
    ctx: AdminContext, document: PolicyDocument, reason: str, base_version: int
) -> int:
    """Validate `document` and record it as proposed on `base_version`; its number.

    `proposePolicyVersion`: PolicyError lists every problem, PolicyBaseStale
    when `base_version` is not the active version any more.
    """
    await require_permission(OfficersOnly, ctx, {})
    services = ctx.services
    version = await versions.propose(
        services.database, services.catalog, document, ctx.actor, reason, base_version=base_version
    )
    log.info("%s proposed policy version %d on top of %d", ctx.actor, version, base_version)
    return version


async def decide_policy_version(ctx: AdminContext, version: int, *, approve: bool) -> VersionInfo:
    """Approve (activate) or reject another officer's proposal (`approve`/`rejectPolicyVersion`).

    The proposer cannot decide their own (VersionError); an approval whose
    base is no longer active is refused (PolicyBaseStale). An approval
    invalidates this process's policy store, so the agencies' endpoint
    enforces the new version from the next request.
    """
    await require_permission(OfficersOnly, ctx, {})
    decided = await versions.decide(ctx.services.database, version, ctx.actor, approve=approve)
    if approve:
        ctx.services.policies.invalidate()
    log.info("%s %s policy version %d", ctx.actor, "approved" if approve else "rejected", version)
    return decided
