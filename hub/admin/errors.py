"""Domain failures turned into GraphQL errors with a stable `extensions.code`.

Resolvers call the policy and consent services and let their exceptions
rise; this extension maps each to the code clients branch on, in one place.
Anything unexpected is masked whatever HUB_MASK_ERRORS says, in the
agencies' endpoint's words ("Unexpected error.", INTERNAL_ERROR), so an
internal message never reaches a client; the schema's `process_errors`
has logged it with its traceback (`log_admin_errors`), and the expected
ones as one line with their code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from hub.admin.replay import ReplayWindowInvalid
from hub.audit.writer import AuditUnavailable
from hub.identity.rrn import InvalidRRN
from policies.agency_toml import AgencyNotInPolicy, ProposalInvalid
from policies.compiled import PolicyError
from policies.consent import ConsentError, ConsentNotFound
from policies.document import PolicyFileError
from policies.overview import UnknownAgency
from policies.versions import PolicyBaseStale, VersionConflict, VersionError, VersionNotFound
from schema.error_logging import log_graphql_errors
from schema.masking import internal_error


class AdminError(GraphQLError):
    """An error raised by a resolver with its code already set."""

    code: ClassVar[str] = "ADMIN_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **details})


class InvalidArgument(AdminError):
    """An argument out of range or malformed (a page size, a cursor, a tree size)."""

    code = "INVALID_ARGUMENT"


class ForbiddenRole(AdminError):
    """The caller's role may not use this service (outside GraphQL, e.g. the console)."""

    code = "FORBIDDEN_ROLE"


class CaseRefRequired(AdminError):
    """An auditor's read names no inquiry (`Hub-Case-Ref`), or a malformed one."""

    code = "CASE_REF_REQUIRED"


def _extensions(exc: BaseException) -> dict[str, Any] | None:
    """The extensions for a domain exception, or None when it is not one."""
    if isinstance(exc, ProposalInvalid):
        return {
            "code": "POLICY_INVALID",
            "problems": [str(p) for p in exc.problems],
            "located": [
                {"path": p.path, "message": p.message, "line": p.line, "column": p.column}
                for p in exc.problems
            ],
        }
    if isinstance(exc, PolicyError):
        return {
            "code": "POLICY_INVALID",
            "problems": exc.problems,
            "located": [{"path": p.path, "message": p.message} for p in exc.located],
        }
    if isinstance(exc, ReplayWindowInvalid):
        return {"code": "INVALID_ARGUMENT", "argument": "days"}
    if isinstance(exc, UnknownAgency | AgencyNotInPolicy):
        return {"code": "NOT_FOUND"}
    if isinstance(exc, PolicyFileError):
        return {"code": "POLICY_INVALID", "problems": [str(exc)]}
    if isinstance(exc, VersionNotFound | ConsentNotFound):
        return {"code": "NOT_FOUND"}
    if isinstance(exc, PolicyBaseStale):
        return {
            "code": "POLICY_BASE_STALE",
            "version": exc.version,
            "baseVersion": exc.base,
            "activeVersion": exc.active,
        }
    if isinstance(exc, VersionConflict):
        return {"code": "POLICY_VERSION_CONFLICT"}
    if isinstance(exc, VersionError):
        return {"code": "VERSION_ERROR"}
    if isinstance(exc, ConsentError):
        return {"code": "CONSENT_ERROR"}
    if isinstance(exc, InvalidRRN):
        return {"code": "INVALID_RRN", "reason": exc.reason}
    if isinstance(exc, AuditUnavailable):
        return {"code": "AUDIT_UNAVAILABLE"}
    return None


def translate(error: GraphQLError) -> GraphQLError:
    """The error as the client should see it."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error  # validation errors, permission refusals, AdminError: already coded
    extensions = _extensions(original)
    if extensions is None:
        return internal_error(error)
    return GraphQLError(
        str(original),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def log_admin_errors(
    errors: list[GraphQLError], execution_context: ExecutionContext | None
) -> None:
    """Log as the agencies' endpoint does: a domain error is one line with its code.

    strawberry calls this before `DomainErrors` rewrites the result, so a
    domain exception still looks unexpected here; it is translated first,
    and only what has no code keeps its traceback.
    """
    log_graphql_errors(
        [
            error
            if error.original_error is None
            or isinstance(error.original_error, GraphQLError)
            or _extensions(error.original_error) is None
            else translate(error)
            for error in errors
        ],
        execution_context,
    )


class DomainErrors(SchemaExtension):
    """Applies `translate` to every error of the operation's result."""

    def on_operation(self) -> Iterator[None]:
        """After execution, rewrite the result's errors."""
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [translate(e) for e in errors]
