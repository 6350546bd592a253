"""Information types of the social insurance group."""

from __future__ import annotations

from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity

_G = Group.SOCIAL_INSURANCE
_NHIS_BASIS = "National Health Insurance Act, Art. 96(1); Social Security Benefits Act, Art. 12(1)"
_SENSITIVE_BASIS = "Personal Information Protection Act, Art. 23(1)2"

TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="healthInsuranceQualification",
        title="Health insurance qualification",
        group=_G,
        description="How a person is covered by national health insurance or medical aid, "
        "from the National Health Insurance Service.",
        source="NHIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_NHIS_BASIS,
        fields=(
            Field(
                "qualificationType",
                Kind.CODE,
                "kind of coverage",
                choices=("EMPLOYEE", "REGIONAL", "DEPENDENT", "MEDICAL_AID_1", "MEDICAL_AID_2"),
            ),
            Field("acquiredOn", Kind.DATE, "date the coverage began"),
            Field("lostOn", Kind.DATE, "date the coverage ended", optional=True),
            Field("employerName", Kind.TEXT, "employer of an employee subscriber", optional=True),
            Field("dependentsCount", Kind.INT, "number of dependants covered", low=0, high=8),
        ),
    ),
    InfoType(
        name="healthInsurancePremium",
        title="Health insurance premium",
        group=_G,
        description="A person's monthly health insurance premium and any arrears, from the "
        "National Health Insurance Service; arrears are a crisis indicator.",
        source="NHIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_NHIS_BASIS,
        fields=(
            Field("monthlyPremium", Kind.WON, "monthly premium", low=0, high=4_500_000),
            Field(
                "premiumBasis",
                Kind.CODE,
                "what the premium is assessed on",
                choices=("WAGE", "INCOME_AND_PROPERTY"),
            ),
            Field("assessedOn", Kind.DATE, "date of the latest assessment"),
            Field("arrearsMonths", Kind.INT, "months of unpaid premiums", low=0, high=120),
            Field("arrearsAmount", Kind.WON, "unpaid premiums", low=0, high=30_000_000),
            Field("reductionApplied", Kind.BOOL, "whether a premium reduction applies"),
        ),
    ),
    InfoType(
        name="longTermCareGrade",
        title="Long-term care grade",
        group=_G,
        description="A person's long-term care grade and where care is provided, from the "
        "National Health Insurance Service; absent when no grade was awarded.",
        source="NHIS",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Act on Long-Term Care Insurance for Older Persons, Art. 15 and Art. 62; "
        f"{_SENSITIVE_BASIS}",
        fields=(
            Field(
                "grade",
                Kind.CODE,
                "care grade (COGNITIVE: cognitive support grade)",
                choices=("1", "2", "3", "4", "5", "COGNITIVE"),
            ),
            Field("validFrom", Kind.DATE, "start of validity"),
            Field("validUntil", Kind.DATE, "end of validity"),
            Field("careSetting", Kind.CODE, "where care is provided", choices=("HOME", "FACILITY")),
            Field("copaymentRate", Kind.PERCENT, "co-payment rate", low=0, high=20),
        ),
    ),
    InfoType(
        name="rareDiseaseExemption",
        title="Rare and severe disease co-payment exemption",
        group=_G,
        description="Registration for reduced co-payments because of a rare, intractable "
        "or severe disease, from the National Health Insurance Service.",
        source="NHIS",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis=f"National Health Insurance Act, Art. 44; {_SENSITIVE_BASIS}",
        fields=(
            Field(
                "diseaseCategory",
                Kind.CODE,
                "category of the registered disease",
                choices=("RARE", "INTRACTABLE", "CANCER", "CARDIO_CEREBRO", "SEVERE_BURN"),
            ),
            Field("registeredOn", Kind.DATE, "date of registration"),
            Field("validUntil", Kind.DATE, "end of validity"),
            Field("copaymentRate", Kind.PERCENT, "co-payment rate", low=0, high=10),
        ),
    ),
    InfoType(
        name="nationalPensionEnrolment",
        title="National pension enrolment",
        group=_G,
        description="A person's national pension subscription and contribution record, "
        "from the National Pension Service.",
        source="NPS",
        sensitivity=Sensitivity.INTERNAL,
        legal_basis="National Pension Act, Art. 123; Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "subscriberType",
                Kind.CODE,
                "kind of subscription",
                choices=("WORKPLACE", "INDIVIDUAL", "VOLUNTARY", "VOLUNTARY_CONTINUED", "NONE"),
            ),
            Field("enrolledOn", Kind.DATE, "date of the current subscription", optional=True),
            Field("contributionMonths", Kind.INT, "months of contributions", low=0, high=540),
            Field(
                "standardMonthlyIncome",
                Kind.WON,
                "standard monthly income",
                low=390_000,
                high=6_170_000,
            ),
            Field("contributionExempt", Kind.BOOL, "whether contributions are exempted"),
            Field("arrearsMonths", Kind.INT, "months of unpaid contributions", low=0, high=120),
        ),
    ),
    InfoType(
        name="employmentInsuranceQualification",
        title="Employment insurance qualification",
        group=_G,
        description="A person's current or last insured employment, from the Korea "
        "Employment Information Service.",
        source="KEIS",
        sensitivity=Sensitivity.INTERNAL,
        legal_basis="Employment Insurance Act, Art. 15 and Art. 116; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field("insured", Kind.BOOL, "whether currently insured"),
            Field("employerName", Kind.TEXT, "current or last employer"),
            Field("acquiredOn", Kind.DATE, "date the insured employment began"),
            Field("lostOn", Kind.DATE, "date the insured employment ended", optional=True),
            Field(
                "lossReason",
                Kind.CODE,
                "why the insured employment ended",
                choices=("RESIGNATION", "DISMISSAL", "CONTRACT_END", "BUSINESS_CLOSURE", "OTHER"),
                optional=True,
            ),
            Field("monthlyWage", Kind.WON, "reported monthly wage", low=1_000_000, high=15_000_000),
        ),
    ),
    InfoType(
        name="parentalBenefit",
        title="Parental leave benefits",
        group=_G,
        description="Maternity, paternity and parental leave benefits paid to a person by "
        "employment insurance, from the Korea Employment Information Service.",
        source="KEIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Employment Insurance Act, Art. 70, Art. 75 and Art. 116",
        fields=(
            Field(
                "benefitType",
                Kind.CODE,
                "kind of leave",
                choices=("MATERNITY", "PATERNITY", "PARENTAL", "REDUCED_HOURS"),
            ),
            Field("startedOn", Kind.DATE, "first day of leave"),
            Field("endedOn", Kind.DATE, "last day of leave", optional=True),
            Field("monthlyAmount", Kind.WON, "monthly benefit", low=700_000, high=2_500_000),
            Field("totalPaid", Kind.WON, "amount paid so far", low=0, high=30_000_000),
        ),
        many=True,
    ),
    InfoType(
        name="industrialAccidentCompensation",
        title="Industrial accident compensation",
        group=_G,
        description="Benefits paid to a person for an occupational injury or disease, from "
        "the Korea Workers' Compensation and Welfare Service.",
        source="COMWEL",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Industrial Accident Compensation Insurance Act, Art. 36 and Art. 114; "
        f"{_SENSITIVE_BASIS}",
        fields=(
            Field(
                "benefitType",
                Kind.CODE,
                "kind of benefit",
                choices=(
                    "MEDICAL_CARE",
                    "TEMPORARY_DISABILITY",
                    "DISABILITY_PENSION",
                    "DISABILITY_LUMP_SUM",
                    "INJURY_DISEASE_PENSION",
                    "SURVIVOR_PENSION",
                ),
            ),
            Field("approvedOn", Kind.DATE, "date the claim was approved"),
            Field(
                "monthlyAmount", Kind.WON, "monthly payment", low=0, high=9_000_000, optional=True
            ),
            Field(
                "disabilityGrade",
                Kind.CODE,
                "disability grade awarded",
                choices=tuple(str(g) for g in range(1, 15)),
                optional=True,
            ),
            Field("receiving", Kind.BOOL, "whether payments are ongoing"),
        ),
        many=True,
    ),
)
