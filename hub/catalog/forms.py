"""Minimised forms shared by several fields, and the bands they coarsen to.

A form is declared on the field it derives from (see `Field.forms`); the
transforms that compute them live in `policies.transforms`.
"""

from __future__ import annotations

from hub.catalog.model import Form, FormKind, Kind

INCOME_BANDS = (
    "NONE",
    "UNDER_10M",
    "10M_30M",
    "30M_50M",
    "50M_100M",
    "100M_AND_OVER",
)
ASSET_BANDS = ("NONE", "UNDER_10M", "10M_50M", "50M_100M", "100M_500M", "500M_AND_OVER")


def income_band(name: str, what: str) -> Form:
    """An annual-income band instead of the amount."""
    return Form(
        name, FormKind.COARSENED, "income_band", Kind.CODE, f"{what}, as a band", INCOME_BANDS
    )


def asset_band(name: str, what: str) -> Form:
    """An asset-value band instead of the amount."""
    return Form(
        name, FormKind.COARSENED, "asset_band", Kind.CODE, f"{what}, as a band", ASSET_BANDS
    )


BIRTH_YEAR = Form("birthYear", FormKind.COARSENED, "year", Kind.INT, "year of birth only")
AGE_YEARS = Form("ageYears", FormKind.COARSENED, "age_years", Kind.INT, "age in whole years today")
RRN_MASKED = Form(
    "registrationNumberMasked",
    FormKind.MASKED,
    "rrn_mask",
    Kind.TEXT,
    "registration number with all but birth date and sex digit hidden (YYMMDD-G******)",
)


def pseudonym(name: str, what: str) -> Form:
    """An agency-specific keyed pseudonym instead of an identifier."""
    return Form(
        name,
        FormKind.PSEUDONYM,
        "agency_pseudonym",
        Kind.TEXT,
        f"{what}, as a pseudonym stable for one agency and unlinkable across agencies",
    )
