"""Information types of the status and qualification group."""

from __future__ import annotations

from hub.catalog.model import Field, Form, FormKind, Group, InfoType, Kind, Sensitivity

_G = Group.STATUS_QUALIFICATION
_SENSITIVE_BASIS = "Personal Information Protection Act, Art. 23(1)2"

DISABILITY_TYPES: tuple[str, ...] = (
    "PHYSICAL",
    "BRAIN_LESION",
    "VISUAL",
    "HEARING",
    "SPEECH",
    "INTELLECTUAL",
    "AUTISM",
    "MENTAL",
    "KIDNEY",
    "HEART",
    "RESPIRATORY",
    "LIVER",
    "FACIAL",
    "STOMA",
    "EPILEPSY",
)
"""The fifteen disability types of the Act on Welfare of Persons with Disabilities."""

TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="disabilityRegistration",
        title="Disability registration",
        group=_G,
        description="A person's registered disability and its degree, as assessed by the "
        "National Pension Service for the Ministry of Health and Welfare.",
        source="NPS",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Act on Welfare of Persons with Disabilities, Art. 32 and Art. 32-6; "
        f"{_SENSITIVE_BASIS}",
        fields=(
            Field("disabilityType", Kind.CODE, "main type of disability", choices=DISABILITY_TYPES),
            Field(
                "severity",
                Kind.CODE,
                "degree of disability",
                choices=("SEVERE", "MILD"),
                forms=(
                    Form(
                        "hasSevereDisability",
                        FormKind.DERIVED,
                        "is_severe",
                        Kind.BOOL,
                        "whether the registered disability is severe",
                    ),
                ),
            ),
            Field("registeredOn", Kind.DATE, "date of registration"),
            Field("reassessmentDue", Kind.DATE, "date of the next reassessment", optional=True),
            Field("multipleDisabilities", Kind.BOOL, "whether several disabilities are registered"),
        ),
    ),
    InfoType(
        name="veteranStatus",
        title="Veteran status",
        group=_G,
        description="Registration as a person of distinguished service to the state or as a "
        "bereaved family member, from the Ministry of Patriots and Veterans Affairs.",
        source="MPVA",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Act on the Honorable Treatment of and Support for Persons of "
        f"Distinguished Services to the State, Art. 6 and Art. 77; {_SENSITIVE_BASIS}",
        fields=(
            Field(
                "category",
                Kind.CODE,
                "category of distinguished service",
                choices=(
                    "INDEPENDENCE_PATRIOT",
                    "NATIONAL_MERIT",
                    "WOUNDED_VETERAN",
                    "WAR_VETERAN",
                    "DEMOCRACY_MERIT",
                    "SPECIAL_MISSION",
                ),
            ),
            Field("registeredOn", Kind.DATE, "date of registration"),
            Field("bereavedFamily", Kind.BOOL, "whether registered as a bereaved family member"),
            Field(
                "woundGrade",
                Kind.CODE,
                "wound grade of a wounded veteran",
                choices=("1", "2", "3", "4", "5", "6", "7"),
                optional=True,
            ),
        ),
    ),
    InfoType(
        name="singleParentFamily",
        title="Single-parent family",
        group=_G,
        description="Certification of a person's household as a single-parent family, from "
        "the Ministry of Gender Equality and Family.",
        source="MOGEF",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Single-Parent Family Support Act, Art. 5 and Art. 12-3",
        fields=(
            Field(
                "familyType",
                Kind.CODE,
                "kind of single-parent family",
                choices=("MOTHER_CHILD", "FATHER_CHILD", "GRANDPARENT_GRANDCHILD", "YOUTH_PARENT"),
            ),
            Field("certifiedOn", Kind.DATE, "date of certification"),
            Field("validUntil", Kind.DATE, "end of validity"),
            Field("childrenCount", Kind.INT, "number of children supported", low=1, high=6),
            Field("youngestChildBirthDate", Kind.DATE, "date of birth of the youngest child"),
        ),
    ),
    InfoType(
        name="schoolEnrolment",
        title="School enrolment",
        group=_G,
        description="A pupil's enrolment in primary or secondary school, from the National "
        "Education Information System of the Ministry of Education.",
        source="MOE",
        sensitivity=Sensitivity.INTERNAL,
        legal_basis="Elementary and Secondary Education Act, Art. 30-4 and Art. 30-6; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "schoolLevel",
                Kind.CODE,
                "level of school",
                choices=("ELEMENTARY", "MIDDLE", "HIGH", "SPECIAL"),
            ),
            Field("schoolName", Kind.TEXT, "name of the school"),
            Field("schoolYear", Kind.INT, "year of study", low=1, high=6),
            Field(
                "enrolmentStatus",
                Kind.CODE,
                "state of enrolment",
                choices=("ENROLLED", "ON_LEAVE", "TRANSFERRED", "DROPPED_OUT", "GRADUATED"),
            ),
            Field("statusChangedOn", Kind.DATE, "date of the last status change", optional=True),
        ),
    ),
    InfoType(
        name="publicRentalHousing",
        title="Public rental housing tenancy",
        group=_G,
        description="A person's tenancy of public rental housing, from the Korea Land and "
        "Housing Corporation.",
        source="LH",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Special Act on Public Housing, Art. 48-6; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "rentalType",
                Kind.CODE,
                "kind of public rental housing",
                choices=("PERMANENT", "NATIONAL", "HAPPY_HOUSE", "LONG_TERM_JEONSE", "PURCHASED"),
            ),
            Field("complexName", Kind.TEXT, "name of the housing complex"),
            Field("movedInOn", Kind.DATE, "date of moving in"),
            Field("deposit", Kind.WON, "rental deposit", low=2_000_000, high=200_000_000),
            Field("monthlyRent", Kind.WON, "monthly rent", low=40_000, high=800_000),
            Field("contractEnd", Kind.DATE, "end of the current contract"),
        ),
    ),
    InfoType(
        name="militaryService",
        title="Military service",
        group=_G,
        description="A person's military service status, from the Military Manpower "
        "Administration; a conscript's household may qualify for support.",
        source="MMA",
        sensitivity=Sensitivity.INTERNAL,
        legal_basis="Military Service Act, Art. 11-2 and Art. 82-2; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "serviceStatus",
                Kind.CODE,
                "state of military service",
                choices=("NOT_YET", "SERVING", "COMPLETED", "EXEMPT", "ALTERNATIVE"),
            ),
            Field(
                "branch",
                Kind.CODE,
                "branch of service",
                choices=("ARMY", "NAVY", "AIR_FORCE", "MARINES", "SOCIAL_SERVICE"),
                optional=True,
            ),
            Field("enlistedOn", Kind.DATE, "date of enlistment", optional=True),
            Field("dischargedOn", Kind.DATE, "date of discharge", optional=True),
        ),
    ),
    InfoType(
        name="bankruptcy",
        title="Bankruptcy and rehabilitation",
        group=_G,
        description="Personal bankruptcy or individual rehabilitation proceedings of a "
        "person, from the courts (SCOURT).",
        source="SCOURT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Debtor Rehabilitation and Bankruptcy Act, Art. 9; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "procedureType",
                Kind.CODE,
                "kind of proceeding",
                choices=("BANKRUPTCY", "INDIVIDUAL_REHABILITATION"),
            ),
            Field("caseNumber", Kind.TEXT, "court case number"),
            Field("filedOn", Kind.DATE, "date of filing"),
            Field(
                "status",
                Kind.CODE,
                "state of the proceeding",
                choices=("FILED", "DECLARED", "PLAN_APPROVED", "DISCHARGED", "DISMISSED"),
            ),
            Field("dischargedOn", Kind.DATE, "date of discharge", optional=True),
        ),
        many=True,
    ),
    InfoType(
        name="incarceration",
        title="Incarceration",
        group=_G,
        description="A person's detention in a correctional institution, from the Ministry "
        "of Justice; inmates are not counted in the household for benefits.",
        source="MOJ",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Administration and Treatment of Correctional Institution Inmates Act, "
        f"Art. 126-2; National Basic Livelihood Security Act, Art. 22; {_SENSITIVE_BASIS}",
        fields=(
            Field("facilityName", Kind.TEXT, "name of the correctional institution"),
            Field(
                "custodyStatus",
                Kind.CODE,
                "legal status of the inmate",
                choices=("UNSENTENCED", "SENTENCED", "PROTECTIVE_CUSTODY", "RELEASED"),
            ),
            Field("admittedOn", Kind.DATE, "date of admission"),
            Field("expectedReleaseOn", Kind.DATE, "expected date of release", optional=True),
            Field("releasedOn", Kind.DATE, "date of release", optional=True),
        ),
    ),
)
