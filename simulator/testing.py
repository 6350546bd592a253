"""A small catalog for tests that must not depend on the real one's contents.

It has every field kind, single and `many` types, an optional field, the
internal `members` field, two HTTP sources and one SQL source, so code that is
generic over catalogs can be exercised without the 54 real types.
"""

from __future__ import annotations

from hub.catalog.model import (
    Agency,
    Catalog,
    Field,
    Group,
    InfoType,
    Kind,
    Purpose,
    Sensitivity,
    Source,
    Transport,
)

_BASIS = "Test Act, art. 1"


def _type(
    name: str, source: str, group: Group, fields: tuple[Field, ...], *, many: bool = False
) -> InfoType:
    return InfoType(
        name=name,
        title=name,
        group=group,
        description=f"test type {name}",
        source=source,
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_BASIS,
        fields=fields,
        many=many,
    )


def mini_catalog() -> Catalog:
    """Three sources (REG and TAX over HTTP, WELFARE over SQL), six types."""
    identity = Group.IDENTITY_HOUSEHOLD
    types = (
        _type(
            "residentRegistration",
            "REG",
            identity,
            (
                Field("name", Kind.TEXT, "full name"),
                Field("birthDate", Kind.DATE, "date of birth"),
                Field("sex", Kind.CODE, "sex", choices=("MALE", "FEMALE")),
                Field("province", Kind.TEXT, "province"),
                Field("district", Kind.TEXT, "district"),
                Field("address", Kind.TEXT, "address"),
                Field("registrationStatus", Kind.CODE, "status", choices=("ACTIVE", "DECEASED")),
                Field("movedInDate", Kind.DATE, "moved in"),
            ),
        ),
        _type(
            "householdComposition",
            "REG",
            identity,
            (
                Field("householdId", Kind.TEXT, "household"),
                Field("memberCount", Kind.INT, "members", low=1, high=8),
                Field(
                    "relationshipToHead", Kind.CODE, "relation", choices=("HEAD", "SPOUSE", "OTHER")
                ),
                Field("isHead", Kind.BOOL, "is head"),
                Field("members", Kind.MEMBERS, "member keys", exposed=False),
            ),
        ),
        _type("deathRecord", "REG", identity, (Field("dateOfDeath", Kind.DATE, "died on"),)),
        _type(
            "annualIncome",
            "TAX",
            Group.INCOME,
            (
                Field("year", Kind.INT, "tax year", low=2015, high=2026),
                Field("amount", Kind.WON, "income", low=0, high=300_000_000),
                Field("employerName", Kind.TEXT, "employer", optional=True),
                Field("taxRate", Kind.PERCENT, "effective rate", low=0, high=45),
            ),
        ),
        _type(
            "holdings",
            "TAX",
            Group.ASSETS,
            (
                Field("parcelNumber", Kind.TEXT, "parcel"),
                Field("area", Kind.AREA_M2, "area", low=10, high=1000),
                Field("value", Kind.WON, "value", low=1_000_000, high=2_000_000_000),
                Field("category", Kind.CODE, "category", choices=("SITE", "FIELD", "FOREST")),
                Field("acquiredOn", Kind.DATE, "acquired"),
                Field("soldOn", Kind.DATE, "sold", optional=True),
            ),
            many=True,
        ),
        _type(
            "welfarePayment",
            "WELFARE",
            Group.BENEFITS,
            (
                Field("programme", Kind.CODE, "programme", choices=("LIVELIHOOD", "HOUSING")),
                Field("amount", Kind.WON, "amount", low=10_000, high=3_000_000),
                Field("paidOn", Kind.DATE, "paid on"),
                Field("reclaimed", Kind.BOOL, "reclaimed"),
                Field("householdShare", Kind.PERCENT, "share", low=0, high=100),
                Field("roomArea", Kind.AREA_M2, "area", low=5, high=200),
                Field("paidMonths", Kind.INT, "months", low=1, high=12),
                Field("note", Kind.TEXT, "remark", optional=True),
            ),
            many=True,
        ),
    )
    sources = (
        Source("REG", "Registry", "resident registry"),
        Source("TAX", "Tax office", "tax records"),
        Source("WELFARE", "Welfare system", "benefit records", Transport.SQL),
    )
    agencies = (
        Agency("CITY", "City hall", "a municipality", (Purpose("CHECK", "Check", "eligibility"),)),
    )
    return Catalog(info_types=types, sources=sources, agencies=agencies)
