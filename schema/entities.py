"""Federation `_entities`: representations checked before strawberry sees them.

strawberry's resolver assumes each representation is an object with a known
`__typename` and exactly the key fields; anything else surfaced raw Python
messages ('str' object has no attribute 'pop', missing arguments …). Here a
malformed representation becomes INVALID_REPRESENTATION at its own index and
the others resolve as usual.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation.schema import FederationAny
from strawberry.types.info import Info

from schema.error_logging import QuietExpectedErrors
from schema.errors import HubError


class InvalidRepresentationError(HubError):
    """An `_entities` representation is not `{__typename: "Person", id: String}`."""

    code = "INVALID_REPRESENTATION"


def representation_problem(representation: Any) -> str | None:
    """Why a representation cannot name a Person, or None when it can."""
    if not isinstance(representation, dict):
        return "a representation must be an object"
    if representation.get("__typename") != "Person":
        return 'a representation must have __typename "Person"'
    if set(representation) != {"__typename", "id"}:
        return "a Person representation has exactly the keys __typename and id"
    if not isinstance(representation["id"], str):
        return "a Person id is a string"
    return None


class HubFederationSchema(QuietExpectedErrors, strawberry.federation.Schema):
    """The federation schema, with representations checked one by one."""

    # The annotations are strawberry's own: it reads them to type `_entities`.
    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Resolve each well-formed representation; name the problem of each other one."""
        results: list[Any] = []
        for index, representation in enumerate(representations):
            problem = representation_problem(representation)
            if problem is None:
                results.extend(super().entities_resolver(info, [representation]))
            else:
                results.append(InvalidRepresentationError(problem, index=index))
        return results
