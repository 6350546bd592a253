"""GraphQL errors the hub reports, each with a stable `extensions.code`."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError

from hub.observability.metrics import count_error
from policies.decision import Refusal, RefusalCode


class HubError(GraphQLError):
    """Base of the hub's errors; subclasses fix the code clients branch on."""

    code: ClassVar[str] = "HUB_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **details})
        count_error(self.code)


class InvalidRRNError(HubError):
    """A registration number is malformed: its shape, birth date or century digit."""

    code = "INVALID_RRN"


class InvalidPersonIdError(HubError):
    """A person id is not one the hub could have issued."""

    code = "INVALID_PERSON_ID"


class PersonNotFoundError(HubError):
    """No source knows the person."""

    code = "PERSON_NOT_FOUND"


class TooManyPersonsError(HubError):
    """A `persons` list is longer than allowed."""

    code = "TOO_MANY_PERSONS"


class SourceFailureError(HubError):
    """A source failed; the code is the source error's (SOURCE_UNAVAILABLE …)."""

    def __init__(self, code: str, source: str, message: str) -> None:
        GraphQLError.__init__(self, message, extensions={"code": code, "source": source})
        count_error(code)


class SourceStaleError(HubError):
    """The source's record is older than the grant's `max_age_days`; it is not released."""

    code = "SOURCE_STALE"


class PurposeRequiredError(HubError):
    """The request names no purpose (`Hub-Purpose`)."""

    code = "PURPOSE_REQUIRED"


class PurposeNotDeclaredError(HubError):
    """The agency has not declared the purpose it names."""

    code = "PURPOSE_NOT_DECLARED"


class CaseRefRequiredError(HubError):
    """The request names no case (`Hub-Case-Ref`) or a malformed one."""

    code = "CASE_REF_REQUIRED"


class AgencyNotRegisteredError(HubError):
    """The token's agency is not one of the catalog's consuming agencies."""

    code = "AGENCY_NOT_REGISTERED"


class PolicyRefusedError(HubError):
    """The operation asks for fields the policy does not grant; nothing ran."""

    code = "POLICY_REFUSED"


class ConsentRequiredError(HubError):
    """The field needs the person's consent, and there is no valid one."""

    code = "CONSENT_REQUIRED"


class ForbiddenRoleError(HubError):
    """The caller's role may not use this endpoint."""

    code = "FORBIDDEN_ROLE"


class QueryTooCostlyError(HubError):
    """The operation's estimated cost is over the agency's limit; nothing ran."""

    code = "QUERY_TOO_COSTLY"


_REFUSALS: dict[RefusalCode, type[HubError]] = {
    RefusalCode.AGENCY_NOT_REGISTERED: AgencyNotRegisteredError,
    RefusalCode.PURPOSE_REQUIRED: PurposeRequiredError,
    RefusalCode.PURPOSE_NOT_DECLARED: PurposeNotDeclaredError,
    RefusalCode.POLICY_REFUSED: PolicyRefusedError,
    RefusalCode.TOO_MANY_PERSONS: TooManyPersonsError,
    RefusalCode.QUERY_TOO_COSTLY: QueryTooCostlyError,
}


def refusal_error(refusal: Refusal) -> HubError:
    """The client-facing error of a decision's refusal, with its details."""
    return _REFUSALS[refusal.code](refusal.message, **refusal.details)
