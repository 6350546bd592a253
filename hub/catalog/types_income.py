"""Information types of the income group."""

from __future__ import annotations

from hub.catalog.forms import income_band
from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity

_G = Group.INCOME
_TAX_BASIS = (
    "Framework Act on National Taxes, Art. 81-13(1)3; "
    "National Basic Livelihood Security Act, Art. 22(1) and Art. 23"
)


def _year() -> Field:
    return Field("year", Kind.INT, "tax year the amounts relate to", low=2015, high=2026)


TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="earnedIncome",
        title="Earned income",
        group=_G,
        description="Wages and salaries of the last filed tax year, from the withholding "
        "statements held by the National Tax Service.",
        source="NTS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_TAX_BASIS,
        fields=(
            _year(),
            Field(
                "annualAmount",
                Kind.WON,
                "gross annual wages",
                low=0,
                high=300_000_000,
                forms=(income_band("annualAmountBand", "gross annual wages"),),
            ),
            Field("monthsWorked", Kind.INT, "months with wages in the year", low=0, high=12),
            Field("employerName", Kind.TEXT, "name of the main employer", optional=True),
            Field(
                "employerBusinessNumber",
                Kind.TEXT,
                "main employer's business number",
                optional=True,
            ),
            Field("withheldTax", Kind.WON, "income tax withheld", low=0, high=80_000_000),
        ),
    ),
    InfoType(
        name="businessIncome",
        title="Business income",
        group=_G,
        description="Revenue and net income of a self-employed person's business, from "
        "the comprehensive income tax returns held by the National Tax Service.",
        source="NTS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_TAX_BASIS,
        fields=(
            _year(),
            Field("businessNumber", Kind.TEXT, "business registration number"),
            Field(
                "industry",
                Kind.CODE,
                "industry of the business",
                choices=(
                    "RETAIL",
                    "FOOD_SERVICE",
                    "MANUFACTURING",
                    "SERVICES",
                    "TRANSPORT",
                    "OTHER",
                ),
            ),
            Field("grossRevenue", Kind.WON, "annual revenue", low=0, high=2_000_000_000),
            Field(
                "netIncome",
                Kind.WON,
                "annual net income",
                low=-50_000_000,
                high=500_000_000,
                forms=(income_band("netIncomeBand", "annual net income"),),
            ),
            Field(
                "filingType",
                Kind.CODE,
                "how the income was assessed",
                choices=("BOOKKEEPING", "SIMPLIFIED", "ESTIMATED"),
            ),
        ),
    ),
    InfoType(
        name="financialIncome",
        title="Financial income",
        group=_G,
        description="Interest and dividends paid to a person, from the withholding "
        "statements of financial institutions held by the National Tax Service.",
        source="NTS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_TAX_BASIS,
        fields=(
            _year(),
            Field("interestAmount", Kind.WON, "annual interest income", low=0, high=100_000_000),
            Field("dividendAmount", Kind.WON, "annual dividend income", low=0, high=100_000_000),
            Field("payerCount", Kind.INT, "number of paying institutions", low=0, high=30),
            Field("comprehensivelyTaxed", Kind.BOOL, "whether above the comprehensive threshold"),
        ),
    ),
    InfoType(
        name="rentalIncome",
        title="Rental income",
        group=_G,
        description="Income from letting housing, commercial premises or land, from the "
        "income tax returns held by the National Tax Service.",
        source="NTS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_TAX_BASIS,
        fields=(
            _year(),
            Field("annualAmount", Kind.WON, "annual rental income", low=0, high=300_000_000),
            Field("propertyCount", Kind.INT, "number of properties let", low=1, high=20),
            Field(
                "propertyType",
                Kind.CODE,
                "main kind of property let",
                choices=("HOUSING", "COMMERCIAL", "LAND"),
            ),
            Field("registeredLandlord", Kind.BOOL, "whether a registered rental business"),
        ),
    ),
    InfoType(
        name="nationalPension",
        title="National pension benefit",
        group=_G,
        description="A national pension benefit being paid to a person, from the "
        "National Pension Service.",
        source="NPS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="National Pension Act, Art. 123; Basic Pension Act, Art. 12",
        fields=(
            Field(
                "pensionType",
                Kind.CODE,
                "kind of pension",
                choices=("OLD_AGE", "EARLY_OLD_AGE", "DISABILITY", "SURVIVOR", "DIVIDED"),
            ),
            Field("monthlyAmount", Kind.WON, "monthly benefit", low=100_000, high=3_000_000),
            Field("startedOn", Kind.DATE, "first payment date"),
            Field("suspended", Kind.BOOL, "whether payment is suspended"),
        ),
    ),
    InfoType(
        name="civilServicePension",
        title="Civil service pension",
        group=_G,
        description="A public officials' pension being paid to a person, from the "
        "Government Employees Pension Service.",
        source="GEPS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Public Officials Pension Act, Art. 92; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "pensionType",
                Kind.CODE,
                "kind of pension",
                choices=("RETIREMENT", "EARLY_RETIREMENT", "DISABILITY", "SURVIVOR"),
            ),
            Field("monthlyAmount", Kind.WON, "monthly benefit", low=500_000, high=6_000_000),
            Field("startedOn", Kind.DATE, "first payment date"),
            Field("serviceYears", Kind.INT, "years of service", low=10, high=36),
            Field("suspended", Kind.BOOL, "whether payment is suspended"),
        ),
    ),
    InfoType(
        name="teachersPension",
        title="Teachers' pension",
        group=_G,
        description="A private school teachers' and staff pension being paid to a person, "
        "from the Korea Teachers' Pension.",
        source="TP",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Private School Teachers' Pension Act, Art. 54; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "pensionType",
                Kind.CODE,
                "kind of pension",
                choices=("RETIREMENT", "EARLY_RETIREMENT", "DISABILITY", "SURVIVOR"),
            ),
            Field("monthlyAmount", Kind.WON, "monthly benefit", low=500_000, high=6_000_000),
            Field("startedOn", Kind.DATE, "first payment date"),
            Field("serviceYears", Kind.INT, "years of service", low=10, high=40),
            Field(
                "institutionType",
                Kind.CODE,
                "kind of institution served",
                choices=("KINDERGARTEN", "SCHOOL", "UNIVERSITY"),
            ),
        ),
    ),
    InfoType(
        name="militaryPension",
        title="Military pension",
        group=_G,
        description="An armed forces pension being paid to a person, from the Military "
        "Pension Service of the Ministry of National Defense.",
        source="MND",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Military Pension Act, Art. 15; Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "pensionType",
                Kind.CODE,
                "kind of pension",
                choices=("RETIREMENT", "DISABILITY", "SURVIVOR"),
            ),
            Field("monthlyAmount", Kind.WON, "monthly benefit", low=500_000, high=6_000_000),
            Field("startedOn", Kind.DATE, "first payment date"),
            Field("serviceYears", Kind.INT, "years of service", low=19, high=40),
            Field(
                "rankAtRetirement",
                Kind.CODE,
                "rank group at retirement",
                choices=("NCO", "WARRANT", "COMPANY_GRADE", "FIELD_GRADE", "GENERAL"),
            ),
        ),
    ),
    InfoType(
        name="unemploymentBenefit",
        title="Unemployment benefit",
        group=_G,
        description="Claims for the job-seeking allowance of employment insurance, from "
        "the Korea Employment Information Service.",
        source="KEIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Employment Insurance Act, Art. 40 and Art. 116; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field("claimedOn", Kind.DATE, "date of the claim"),
            Field("dailyAmount", Kind.WON, "daily allowance", low=64_192, high=66_000),
            Field("paidDays", Kind.INT, "days paid so far", low=0, high=270),
            Field("totalPaid", Kind.WON, "amount paid so far", low=0, high=17_820_000),
            Field(
                "status",
                Kind.CODE,
                "state of the claim",
                choices=("RECEIVING", "COMPLETED", "SUSPENDED", "REJECTED"),
            ),
            Field("endsOn", Kind.DATE, "last day of entitlement", optional=True),
        ),
        many=True,
    ),
    InfoType(
        name="veteransCompensation",
        title="Veterans' compensation",
        group=_G,
        description="Compensation and allowances paid to a person of distinguished "
        "service or a bereaved family member, from the Ministry of Patriots and Veterans Affairs.",
        source="MPVA",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Act on the Honorable Treatment of and Support for Persons of "
        "Distinguished Services to the State, Art. 12 and Art. 77",
        fields=(
            Field(
                "compensationType",
                Kind.CODE,
                "kind of payment",
                choices=(
                    "MERIT_ALLOWANCE",
                    "WOUND_COMPENSATION",
                    "BEREAVED_FAMILY",
                    "LIVING_ADJUSTMENT",
                    "PARTICIPATION_ALLOWANCE",
                ),
            ),
            Field("monthlyAmount", Kind.WON, "monthly payment", low=100_000, high=7_000_000),
            Field("startedOn", Kind.DATE, "first payment date"),
            Field("eligibleUntil", Kind.DATE, "end of eligibility", optional=True),
        ),
        many=True,
    ),
)
