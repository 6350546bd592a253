"""The source institutions that own the information types the hub shares.

Modelled on the Korean institutions whose records feed the Social Security
Information System. Every source is reached over HTTP except `SSIS`, the
welfare system's own benefit records, which the hub reads as a database.
"""

from __future__ import annotations

from hub.catalog.model import Source, Transport

SOURCES: tuple[Source, ...] = (
    Source(
        "MOIS",
        "Ministry of the Interior and Safety",
        "Resident registration: who lives where and in which household.",
    ),
    Source(
        "SCOURT",
        "National Court Administration (Supreme Court)",
        "Family relations register, death reports, adult guardianship and insolvency cases.",
    ),
    Source(
        "MOJ",
        "Ministry of Justice",
        "Immigration (entry and exit, foreign residents) and correctional institutions.",
    ),
    Source(
        "NTS",
        "National Tax Service",
        "Income tax records: earned, business, financial and rental income.",
    ),
    Source(
        "NPS",
        "National Pension Service",
        "National pension enrolment and benefits; administers the basic pension, the "
        "disability pension and disability assessments on behalf of the welfare ministry.",
    ),
    Source(
        "GEPS",
        "Government Employees Pension Service",
        "Civil service pension benefits.",
    ),
    Source(
        "TP",
        "Korea Teachers' Pension",
        "Pension benefits of private school teachers and staff.",
    ),
    Source(
        "MND",
        "Ministry of National Defense (Military Pension Service)",
        "Armed forces pension benefits.",
    ),
    Source(
        "MMA",
        "Military Manpower Administration",
        "Military service status: enlistment, discharge, exemption and alternative service.",
    ),
    Source(
        "MPVA",
        "Ministry of Patriots and Veterans Affairs",
        "Registration of persons of distinguished service and their compensation.",
    ),
    Source(
        "KEIS",
        "Korea Employment Information Service (for the Ministry of Employment and Labor)",
        "Employment insurance: insured status, unemployment and parental leave benefits.",
    ),
    Source(
        "COMWEL",
        "Korea Workers' Compensation and Welfare Service",
        "Industrial accident compensation insurance benefits.",
    ),
    Source(
        "NHIS",
        "National Health Insurance Service",
        "Health insurance qualification and premiums, long-term care grades and "
        "co-payment exemptions.",
    ),
    Source(
        "MOLIT",
        "Ministry of Land, Infrastructure and Transport",
        "Land and building registers and officially announced housing prices.",
    ),
    Source(
        "TS",
        "Korea Transportation Safety Authority",
        "Motor vehicle register.",
    ),
    Source(
        "HUG",
        "Korea Housing and Urban Guarantee Corporation",
        "Residential lease contracts with a fixed date and lease deposit guarantees.",
    ),
    Source(
        "FSS",
        "Financial institutions (via the Financial Supervisory Service)",
        "Deposits, savings and insurance policies held with banks and insurers.",
    ),
    Source(
        "KSD",
        "Korea Securities Depository",
        "Stocks, bonds and funds held through securities companies.",
    ),
    Source(
        "KCREDIT",
        "Korea Credit Information Services",
        "Loans and other debts reported by credit institutions.",
    ),
    Source(
        "MAFRA",
        "Ministry of Agriculture, Food and Rural Affairs",
        "Farmland register: parcels farmed, owned or leased.",
    ),
    Source(
        "MOF",
        "Ministry of Oceans and Fisheries",
        "Fishing vessel and ship registers.",
    ),
    Source(
        "MOGEF",
        "Ministry of Gender Equality and Family",
        "Certification of single-parent families.",
    ),
    Source(
        "MOE",
        "Ministry of Education (NEIS)",
        "School enrolment records of the National Education Information System.",
    ),
    Source(
        "LH",
        "Korea Land and Housing Corporation",
        "Tenancies of public rental housing.",
    ),
    Source(
        "SSIS",
        "Korea Health and Welfare Information Service",
        "The social security information system's own records: benefit decisions, "
        "means-test results and payments.",
        Transport.SQL,
    ),
)
