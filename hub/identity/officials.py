"""Officials' ids in one canonical form, for deciding whether two ids are one person.

An official id (`[A-Za-z0-9._@-]`, the `sub` of a token) is issued by an
organisation's directory, and directories do not distinguish case:
`PO.FUZZ.ONE` and `po.fuzz.one` are the same officer. Four eyes compare
ids this way, so a proposer cannot approve their own change by asking for
a token spelt differently. Ids are still stored and logged as the token
gave them: the record says what was presented.
"""

from __future__ import annotations


def canonical_official(official: str) -> str:
    """`official` in the form two ids are compared in (surrounding spaces dropped, case folded)."""
    return official.strip().casefold()


def same_official(first: str, second: str) -> bool:
    """Whether two official ids name the same person."""
    return canonical_official(first) == canonical_official(second)
