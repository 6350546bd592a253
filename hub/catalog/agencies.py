"""The consuming agencies and the purposes of use they may declare.

The purpose vocabulary is declared once, in `PURPOSES`; agencies refer to it
by code so that the same purpose means the same thing wherever it is declared.
"""

from __future__ import annotations

from hub.catalog.model import Agency, Purpose

_PURPOSE_LIST: tuple[Purpose, ...] = (
    Purpose(
        "basic_livelihood_eligibility",
        "Basic livelihood security eligibility",
        "Means test of an applicant household for livelihood, medical, housing or "
        "education benefits under the National Basic Livelihood Security Act.",
    ),
    Purpose(
        "near_poor_eligibility",
        "Near-poor certification",
        "Certification of near-poor status and the co-payment reductions that go with it.",
    ),
    Purpose(
        "emergency_welfare_support",
        "Emergency welfare support",
        "Rapid assessment of a household in crisis for emergency living, medical or "
        "housing support.",
    ),
    Purpose(
        "application_intake",
        "Benefit application intake",
        "Pre-filling and checking a one-stop application for several benefits at once.",
    ),
    Purpose(
        "blind_spot_outreach",
        "Welfare blind-spot outreach",
        "Finding people in need who have not applied, from crisis indicators such as "
        "arrears and loss of employment.",
    ),
    Purpose(
        "periodic_reverification",
        "Periodic reverification",
        "Scheduled review of whether current recipients still qualify and at which amount.",
    ),
    Purpose(
        "overpayment_recovery",
        "Overpayment recovery",
        "Establishing the facts of an overpayment or undue receipt and recovering it.",
    ),
    Purpose(
        "duplicate_benefit_detection",
        "Duplicate benefit detection",
        "Detecting overlapping benefits paid by several programmes for the same need.",
    ),
    Purpose(
        "programme_evaluation",
        "Programme evaluation",
        "Evaluating welfare programmes on pseudonymised data for policy design.",
    ),
    Purpose(
        "employment_support_eligibility",
        "Employment support eligibility",
        "Income test for the National Employment Support Programme's job-seeking allowance.",
    ),
    Purpose(
        "unemployment_benefit_eligibility",
        "Unemployment benefit eligibility",
        "Checking the conditions for and concurrent income during unemployment benefit.",
    ),
    Purpose(
        "single_parent_support_eligibility",
        "Single-parent family support eligibility",
        "Income and asset test for child-rearing allowances to single-parent families.",
    ),
    Purpose(
        "childcare_service_eligibility",
        "Childcare service eligibility",
        "Income bracket of a household applying for subsidised childcare services.",
    ),
    Purpose(
        "housing_benefit_eligibility",
        "Housing benefit eligibility",
        "Income, asset and tenancy test for the housing benefit (rent or repair support).",
    ),
    Purpose(
        "public_rental_housing_eligibility",
        "Public rental housing eligibility",
        "Income, asset and homelessness test of applicants for public rental housing.",
    ),
    Purpose(
        "veterans_benefit_eligibility",
        "Veterans' benefit eligibility",
        "Assessment of compensation and living support for persons of distinguished "
        "service and their families.",
    ),
    Purpose(
        "basic_pension_eligibility",
        "Basic pension eligibility",
        "Income recognition amount of an older person applying for the basic pension.",
    ),
    Purpose(
        "disability_pension_eligibility",
        "Disability pension eligibility",
        "Income and disability test of a person applying for the disability pension.",
    ),
    Purpose(
        "premium_reduction_eligibility",
        "Health insurance premium reduction",
        "Deciding premium reductions and arrears relief for low-income insured persons.",
    ),
    Purpose(
        "long_term_care_eligibility",
        "Long-term care eligibility",
        "Co-payment reductions for long-term care of low-income beneficiaries.",
    ),
    Purpose(
        "student_aid_eligibility",
        "Student aid eligibility",
        "Income bracket of a student's household for national scholarships and loans.",
    ),
    Purpose(
        "education_benefit_eligibility",
        "Education benefit eligibility",
        "Eligibility for education benefits and education cost support of pupils.",
    ),
    Purpose(
        "workers_compensation_review",
        "Workers' compensation review",
        "Checking concurrent income and status while industrial accident benefits are paid.",
    ),
    Purpose(
        "disaster_relief_eligibility",
        "Disaster relief eligibility",
        "Eligibility for disaster relief and local support payments.",
    ),
    Purpose(
        "energy_voucher_eligibility",
        "Energy voucher eligibility",
        "Eligibility of vulnerable households for energy vouchers.",
    ),
    Purpose(
        "local_welfare_eligibility",
        "Local welfare eligibility",
        "Eligibility for a local government's own supplementary livelihood programme.",
    ),
    Purpose(
        "audit_inspection",
        "Audit and inspection",
        "Audit of benefit decisions by the supreme audit institution.",
    ),
)

PURPOSES: dict[str, Purpose] = {p.code: p for p in _PURPOSE_LIST}
"""The purpose vocabulary, by code; every agency's purposes come from here."""


def _purposes(*codes: str) -> tuple[Purpose, ...]:
    return tuple(PURPOSES[code] for code in codes)


AGENCIES: tuple[Agency, ...] = (
    Agency(
        "LOCAL_WELFARE",
        "Local governments' welfare offices (city, county, district)",
        "Decide and pay the basic livelihood, near-poor and emergency benefits.",
        _purposes(
            "basic_livelihood_eligibility",
            "near_poor_eligibility",
            "emergency_welfare_support",
            "periodic_reverification",
            "overpayment_recovery",
        ),
    ),
    Agency(
        "COMMUNITY_CENTRE",
        "Community service centres (eup, myeon, dong)",
        "Take benefit applications and reach out to households in crisis.",
        _purposes("application_intake", "blind_spot_outreach", "emergency_welfare_support"),
    ),
    Agency(
        "MOHW",
        "Ministry of Health and Welfare",
        "Designs welfare programmes and supervises their delivery.",
        _purposes("duplicate_benefit_detection", "programme_evaluation", "blind_spot_outreach"),
    ),
    Agency(
        "MOEL",
        "Ministry of Employment and Labor",
        "Runs the National Employment Support Programme.",
        _purposes("employment_support_eligibility", "duplicate_benefit_detection"),
    ),
    Agency(
        "KEIS",
        "Employment centres (Korea Employment Information Service)",
        "Decide unemployment benefits for the Ministry of Employment and Labor.",
        _purposes("unemployment_benefit_eligibility", "overpayment_recovery"),
    ),
    Agency(
        "MOGEF",
        "Ministry of Gender Equality and Family",
        "Supports single-parent families and subsidised childcare services.",
        _purposes(
            "single_parent_support_eligibility",
            "childcare_service_eligibility",
            "periodic_reverification",
        ),
    ),
    Agency(
        "MOLIT",
        "Ministry of Land, Infrastructure and Transport",
        "Runs the housing benefit with local governments.",
        _purposes("housing_benefit_eligibility", "periodic_reverification"),
    ),
    Agency(
        "LH",
        "Korea Land and Housing Corporation",
        "Selects and reverifies tenants of public rental housing.",
        _purposes(
            "public_rental_housing_eligibility",
            "housing_benefit_eligibility",
            "periodic_reverification",
        ),
    ),
    Agency(
        "MPVA",
        "Ministry of Patriots and Veterans Affairs",
        "Pays compensation and living support to veterans and bereaved families.",
        _purposes(
            "veterans_benefit_eligibility", "periodic_reverification", "overpayment_recovery"
        ),
    ),
    Agency(
        "NPS",
        "National Pension Service",
        "Assesses applications for the basic pension and the disability pension.",
        _purposes(
            "basic_pension_eligibility",
            "disability_pension_eligibility",
            "periodic_reverification",
            "overpayment_recovery",
        ),
    ),
    Agency(
        "NHIS",
        "National Health Insurance Service",
        "Reduces premiums and long-term care co-payments of low-income insured persons.",
        _purposes("premium_reduction_eligibility", "long_term_care_eligibility"),
    ),
    Agency(
        "KOSAF",
        "Korea Student Aid Foundation",
        "Awards national scholarships and student loans by income bracket.",
        _purposes("student_aid_eligibility", "periodic_reverification"),
    ),
    Agency(
        "MOE",
        "Ministry of Education and offices of education",
        "Pays education benefits and education cost support to pupils.",
        _purposes("education_benefit_eligibility", "periodic_reverification"),
    ),
    Agency(
        "COMWEL",
        "Korea Workers' Compensation and Welfare Service",
        "Pays industrial accident compensation.",
        _purposes("workers_compensation_review", "overpayment_recovery"),
    ),
    Agency(
        "MOIS",
        "Ministry of the Interior and Safety",
        "Coordinates disaster relief and local support payments.",
        _purposes("disaster_relief_eligibility", "duplicate_benefit_detection"),
    ),
    Agency(
        "KEA",
        "Korea Energy Agency",
        "Issues energy vouchers to vulnerable households.",
        _purposes("energy_voucher_eligibility", "periodic_reverification"),
    ),
    Agency(
        "SEOUL",
        "Seoul Metropolitan Government",
        "Runs the Seoul-type basic security programme for households outside the national scheme.",
        _purposes("local_welfare_eligibility", "periodic_reverification", "overpayment_recovery"),
    ),
    Agency(
        "BAI",
        "Board of Audit and Inspection",
        "Audits benefit decisions of ministries and local governments.",
        _purposes("audit_inspection", "overpayment_recovery"),
    ),
)
