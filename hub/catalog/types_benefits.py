"""Information types of the benefits group.

Most are the social security information system's own records (source `SSIS`,
read as a database); the basic and disability pensions come from the National
Pension Service, which administers them.
"""

from __future__ import annotations

from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity

_G = Group.BENEFITS
_SSIS_BASIS = "Social Security Benefits Act, Art. 23 and Art. 24"
_NBLSA = "National Basic Livelihood Security Act"

PROGRAMMES: tuple[str, ...] = (
    "LIVELIHOOD",
    "MEDICAL_AID",
    "HOUSING",
    "EDUCATION",
    "BASIC_PENSION",
    "DISABILITY_PENSION",
    "CHILD_ALLOWANCE",
    "PARENT_BENEFIT",
    "SINGLE_PARENT",
    "EMERGENCY",
    "ENERGY_VOUCHER",
    "OTHER",
)
"""Codes of the welfare programmes recorded by the social security information system."""

TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="benefitReceiptHistory",
        title="Benefit receipt history",
        group=_G,
        description="Welfare benefit payments made to a person across programmes, from the "
        "social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_SSIS_BASIS}; Personal Information Protection Act, Art. 18(2)2",
        fields=(
            Field(
                "programme", Kind.CODE, "programme the payment was made under", choices=PROGRAMMES
            ),
            Field("amount", Kind.WON, "amount paid", low=10_000, high=3_000_000),
            Field("paidOn", Kind.DATE, "date of payment"),
            Field("agency", Kind.TEXT, "agency that decided the payment"),
            Field("reclaimed", Kind.BOOL, "whether the payment was reclaimed as undue"),
        ),
        many=True,
    ),
    InfoType(
        name="incomeRecognitionAmount",
        title="Income recognition amount",
        group=_G,
        description="A household's assessed monthly income, counting income and the "
        "income equivalent of assets, from the social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_NBLSA}, Art. 6-3; {_SSIS_BASIS}",
        fields=(
            Field("monthlyAmount", Kind.WON, "income recognition amount", low=0, high=15_000_000),
            Field("incomeAssessed", Kind.WON, "assessed monthly income", low=0, high=12_000_000),
            Field(
                "assetsConverted",
                Kind.WON,
                "monthly income equivalent of assets",
                low=0,
                high=8_000_000,
            ),
            Field("householdSize", Kind.INT, "members in the assessed household", low=1, high=8),
            Field(
                "medianIncomeRatio",
                Kind.PERCENT,
                "share of the standard median income",
                low=0,
                high=300,
            ),
            Field("assessedOn", Kind.DATE, "date of the assessment"),
        ),
    ),
    InfoType(
        name="meansTestResult",
        title="Means test result",
        group=_G,
        description="The latest means-test decision on a person's application, from the "
        "social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_NBLSA}, Art. 22 and Art. 26; {_SSIS_BASIS}",
        fields=(
            Field("programme", Kind.CODE, "programme applied for", choices=PROGRAMMES),
            Field("result", Kind.CODE, "decision", choices=("ELIGIBLE", "INELIGIBLE", "PENDING")),
            Field(
                "supportObligorTest",
                Kind.CODE,
                "outcome of the support-obligor test",
                choices=("NOT_APPLICABLE", "PASSED", "FAILED"),
            ),
            Field("decidedOn", Kind.DATE, "date of the decision", optional=True),
            Field("reason", Kind.TEXT, "reason given for an ineligible decision", optional=True),
        ),
    ),
    InfoType(
        name="livelihoodSecurityQualification",
        title="Basic livelihood security qualification",
        group=_G,
        description="Which basic livelihood security benefits a person currently qualifies "
        "for, from the social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_NBLSA}, Art. 7 and Art. 27; {_SSIS_BASIS}",
        fields=(
            Field("livelihoodBenefit", Kind.BOOL, "qualifies for the livelihood benefit"),
            Field("medicalAid", Kind.BOOL, "qualifies for medical aid"),
            Field("housingBenefit", Kind.BOOL, "qualifies for the housing benefit"),
            Field("educationBenefit", Kind.BOOL, "qualifies for the education benefit"),
            Field("qualifiedOn", Kind.DATE, "date the current qualification began"),
            Field("nextReviewOn", Kind.DATE, "date of the next reverification", optional=True),
        ),
    ),
    InfoType(
        name="nearPoorStatus",
        title="Near-poor status",
        group=_G,
        description="Certification of a person's household as near-poor (up to 50% of the "
        "standard median income), from the social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_NBLSA}, Art. 2(10) and Art. 24; {_SSIS_BASIS}",
        fields=(
            Field(
                "certificationType",
                Kind.CODE,
                "kind of near-poor certification",
                choices=("NEAR_POOR_CERTIFICATE", "SELF_SUFFICIENCY", "COPAYMENT_REDUCTION"),
            ),
            Field("certifiedOn", Kind.DATE, "date of certification"),
            Field("validUntil", Kind.DATE, "end of validity"),
            Field(
                "medianIncomeRatio",
                Kind.PERCENT,
                "share of the standard median income",
                low=0,
                high=50,
            ),
        ),
    ),
    InfoType(
        name="emergencyWelfareSupport",
        title="Emergency welfare support",
        group=_G,
        description="Emergency support granted to a person's household in a crisis, from "
        "the social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Emergency Welfare Assistance Act, Art. 8 and Art. 13; {_SSIS_BASIS}",
        fields=(
            Field(
                "supportType",
                Kind.CODE,
                "kind of support",
                choices=("LIVING", "MEDICAL", "HOUSING", "FUEL", "EDUCATION", "FUNERAL"),
            ),
            Field(
                "crisisReason",
                Kind.CODE,
                "crisis that justified the support",
                choices=(
                    "BREADWINNER_LOSS",
                    "SERIOUS_ILLNESS",
                    "ABANDONMENT",
                    "DOMESTIC_VIOLENCE",
                    "FIRE",
                    "BUSINESS_CLOSURE",
                    "UNEMPLOYMENT",
                    "OTHER",
                ),
            ),
            Field("decidedOn", Kind.DATE, "date of the decision"),
            Field("amount", Kind.WON, "amount granted", low=100_000, high=5_000_000),
            Field("followUpDone", Kind.BOOL, "whether the follow-up review was done"),
        ),
        many=True,
    ),
    InfoType(
        name="selfSufficiencyProgramme",
        title="Self-sufficiency programme",
        group=_G,
        description="A person's participation in a self-sufficiency work programme, from "
        "the social security information system (SSIS).",
        source="SSIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"{_NBLSA}, Art. 15 and Art. 18; {_SSIS_BASIS}",
        fields=(
            Field(
                "programmeType",
                Kind.CODE,
                "kind of work programme",
                choices=("MARKET_ENTRY", "SOCIAL_SERVICE", "WORK_EXPERIENCE", "ENTERPRISE"),
            ),
            Field("participatingSince", Kind.DATE, "date participation began"),
            Field("endedOn", Kind.DATE, "date participation ended", optional=True),
            Field(
                "monthlyWage",
                Kind.WON,
                "monthly self-sufficiency wage",
                low=500_000,
                high=2_000_000,
            ),
            Field("assetBuildingAccount", Kind.BOOL, "whether saving in an asset-building account"),
        ),
    ),
    InfoType(
        name="basicPension",
        title="Basic pension",
        group=_G,
        description="The basic pension paid to a person aged 65 or over, administered by "
        "the National Pension Service.",
        source="NPS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Basic Pension Act, Art. 12 and Art. 17; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field("monthlyAmount", Kind.WON, "monthly basic pension", low=30_000, high=350_000),
            Field("decidedOn", Kind.DATE, "date of the decision"),
            Field(
                "reduction",
                Kind.CODE,
                "reason the amount is reduced",
                choices=("NONE", "COUPLE", "INCOME_BRACKET", "NATIONAL_PENSION_LINKED"),
            ),
            Field("suspended", Kind.BOOL, "whether payment is suspended"),
        ),
    ),
    InfoType(
        name="disabilityPension",
        title="Disability pension",
        group=_G,
        description="The disability pension paid to a severely disabled person, "
        "administered by the National Pension Service.",
        source="NPS",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Act on Disability Pension, Art. 10 and Art. 11; "
        "Personal Information Protection Act, Art. 23(1)2",
        fields=(
            Field("basicAmount", Kind.WON, "monthly basic benefit", low=30_000, high=350_000),
            Field("additionalAmount", Kind.WON, "monthly additional benefit", low=0, high=400_000),
            Field("decidedOn", Kind.DATE, "date of the decision"),
            Field("suspended", Kind.BOOL, "whether payment is suspended"),
        ),
    ),
)
