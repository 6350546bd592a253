"""The policy document: what the reviewed files say, as typed data.

A document is the whole policy set (every agency's grants). The baseline is
read from `policies/baseline/*.toml`, one file per agency; versions in the
database store the same document as JSON.

Per field, a grant says how the field is released: `"full"`, the name of one
of the field's minimised forms declared in the catalog (e.g. `"birthYear"`),
or `"denied"` (the same as leaving it out, but said out loud for reviewers).
"""

from __future__ import annotations

import enum
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"

FULL = "full"
DENIED = "denied"


class ConsentBasis(enum.StrEnum):
    """Whether the statute suffices or the person's consent is needed."""

    STATUTE = "statute"
    CONSENT = "consent"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TypeGrant(_Strict):
    """The fields of one information type a grant releases, and on what basis."""

    basis: ConsentBasis = ConsentBasis.STATUTE
    fields: dict[str, str]


class Grant(_Strict):
    """What one agency may receive for one purpose."""

    purpose: str
    legal_basis: str = Field(min_length=1)
    max_persons: int = Field(default=100, ge=1, le=1000)
    max_age_days: int = Field(default=30, ge=0)
    suppressed: bool = False
    # How long an access under a suppressed grant stays hidden from the person.
    suppression_days: int = Field(default=180, ge=1, le=3650)
    types: dict[str, TypeGrant]


class AgencyPolicy(_Strict):
    """All grants of one agency."""

    agency: str
    grants: list[Grant]


class PolicyDocument(_Strict):
    """The whole policy set."""

    agencies: list[AgencyPolicy]

    def as_json(self) -> dict[str, Any]:
        """The document as JSON-compatible data (what the database stores)."""
        return self.model_dump(mode="json")


class PolicyFileError(ValueError):
    """A policy file cannot be read as a policy document."""


class EmptyBaseline(PolicyFileError):
    """The baseline directory holds no policy file at all."""


def parse_document(data: Any) -> PolicyDocument:
    """Parse JSON-compatible data into a document, naming the first problem."""
    try:
        return PolicyDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyFileError(f"policy document invalid at {where}: {first['msg']}") from None


def read_baseline(directory: Path | None = None) -> PolicyDocument:
    """The reviewed baseline: every `*.toml` in the directory, one agency each.

    No file at all is refused (EmptyBaseline): it means the files were not
    shipped (a wheel built without its package data), and an empty policy
    would install as version 1 and refuse every agency everything.
    """
    directory = BASELINE_DIR if directory is None else directory
    agencies: list[Any] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            agencies.append(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise PolicyFileError(f"{path.name}: {exc}") from None
    if not agencies:
        raise EmptyBaseline(
            f"the baseline policy has no agency: no *.toml file in {directory} "
            "(is the package installed without its policies/baseline data?)"
        )
    return parse_document({"agencies": agencies})
