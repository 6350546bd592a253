"""Information types of the identity and household group."""

from __future__ import annotations

from hub.catalog.forms import AGE_YEARS, BIRTH_YEAR, RRN_MASKED
from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity

_G = Group.IDENTITY_HOUSEHOLD

RELATIONSHIPS: tuple[str, ...] = (
    "HEAD",
    "SPOUSE",
    "CHILD",
    "PARENT",
    "SIBLING",
    "GRANDCHILD",
    "OTHER",
)
"""Codes of a member's relationship to the head of household."""

TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="residentRegistration",
        title="Resident registration",
        group=_G,
        description="A person's registered identity and address, from the resident "
        "register kept by the Ministry of the Interior and Safety.",
        source="MOIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Resident Registration Act, Art. 29(2)4 and Art. 30; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "registrationNumber",
                Kind.TEXT,
                "resident registration number",
                forms=(RRN_MASKED,),
            ),
            Field("name", Kind.TEXT, "full name as registered"),
            Field("birthDate", Kind.DATE, "date of birth", forms=(BIRTH_YEAR, AGE_YEARS)),
            Field("sex", Kind.CODE, "sex as registered", choices=("M", "F")),
            Field("province", Kind.TEXT, "metropolitan city or province of the address"),
            Field("district", Kind.TEXT, "city, county or district of the address"),
            Field("address", Kind.TEXT, "registered address"),
            Field(
                "registrationStatus",
                Kind.CODE,
                "status of the registration",
                choices=("REGISTERED", "MISSING", "DECEASED", "EMIGRATED", "CANCELLED"),
            ),
            Field("movedInDate", Kind.DATE, "date the person moved in at the address"),
        ),
    ),
    InfoType(
        name="householdComposition",
        title="Household composition",
        group=_G,
        description="The registered household a person belongs to and their place in "
        "it, from the resident register (MOIS).",
        source="MOIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Resident Registration Act, Art. 29(2)4; "
        "National Basic Livelihood Security Act, Art. 22(1)",
        fields=(
            Field("householdId", Kind.TEXT, "household number in the resident register"),
            Field("memberCount", Kind.INT, "number of registered members", low=1, high=8),
            Field(
                "relationshipToHead",
                Kind.CODE,
                "relationship to the head of household",
                choices=RELATIONSHIPS,
            ),
            Field("isHead", Kind.BOOL, "whether the person is the head of household"),
            Field(
                "members",
                Kind.MEMBERS,
                "household members' registration numbers and relationships (internal)",
                exposed=False,
            ),
        ),
    ),
    InfoType(
        name="addressHistory",
        title="Address history",
        group=_G,
        description="Previous registered addresses of a person, from the resident "
        "register (MOIS); used to check residence requirements.",
        source="MOIS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Resident Registration Act, Art. 29(2)4; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field("address", Kind.TEXT, "registered address"),
            Field("district", Kind.TEXT, "city, county or district of the address"),
            Field("movedInOn", Kind.DATE, "date of moving in"),
            Field("movedOutOn", Kind.DATE, "date of moving out", optional=True),
            Field(
                "reason",
                Kind.CODE,
                "reason for the registration",
                choices=("BIRTH", "MOVE_IN", "RETURN_FROM_ABROAD", "CORRECTION"),
            ),
        ),
        many=True,
    ),
    InfoType(
        name="deathRecord",
        title="Death record",
        group=_G,
        description="The registered death of a person, from the family relations register "
        "kept by the courts (SCOURT); a living person has no record.",
        source="SCOURT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Act on the Registration, etc. of Family Relationships, Art. 14 and "
        "Art. 84; Social Security Benefits Act, Art. 19",
        fields=(
            Field("dateOfDeath", Kind.DATE, "date of death"),
            Field(
                "placeOfDeath",
                Kind.CODE,
                "kind of place of death",
                choices=("HOME", "HOSPITAL", "CARE_FACILITY", "OTHER"),
            ),
            Field("reportedOn", Kind.DATE, "date the death was reported"),
            Field(
                "reportedBy",
                Kind.CODE,
                "who reported the death",
                choices=("RELATIVE", "COHABITANT", "FACILITY_HEAD", "OFFICIAL"),
            ),
            Field("declaredByCourt", Kind.BOOL, "whether a court declared the disappearance"),
        ),
    ),
    InfoType(
        name="familyRelations",
        title="Family relations",
        group=_G,
        description="Marital status and close relatives of a person, from the family "
        "relations register kept by the courts (SCOURT).",
        source="SCOURT",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Act on the Registration, etc. of Family Relationships, Art. 14(1); "
        "Personal Information Protection Act, Art. 18(2)2",
        fields=(
            Field(
                "maritalStatus",
                Kind.CODE,
                "marital status",
                choices=("SINGLE", "MARRIED", "DIVORCED", "WIDOWED"),
            ),
            Field("childrenCount", Kind.INT, "number of registered children", low=0, high=8),
            Field("livingParents", Kind.INT, "number of living parents", low=0, high=2),
            Field("adopted", Kind.BOOL, "whether an adoption is registered"),
            Field("lastChangedOn", Kind.DATE, "date of the last registered change", optional=True),
        ),
    ),
    InfoType(
        name="adultGuardianship",
        title="Adult guardianship",
        group=_G,
        description="An adult guardianship ordered by a family court, from the guardianship "
        "register (SCOURT); absent when no guardian is appointed.",
        source="SCOURT",
        sensitivity=Sensitivity.SENSITIVE,
        legal_basis="Civil Act, Art. 9 to Art. 14-3; Act on the Registration of Guardianship, "
        "Art. 15; Personal Information Protection Act, Art. 23(1)2",
        fields=(
            Field(
                "guardianshipType",
                Kind.CODE,
                "kind of guardianship",
                choices=("FULL", "LIMITED", "SPECIFIC", "VOLUNTARY"),
            ),
            Field("caseNumber", Kind.TEXT, "family court case number"),
            Field("commencedOn", Kind.DATE, "date the guardianship began"),
            Field("endedOn", Kind.DATE, "date the guardianship ended", optional=True),
            Field("guardianIsRelative", Kind.BOOL, "whether the guardian is a relative"),
        ),
    ),
    InfoType(
        name="entryExit",
        title="Entry and exit records",
        group=_G,
        description="Border crossings of a person, from the immigration records of the "
        "Ministry of Justice; long stays abroad suspend several benefits.",
        source="MOJ",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Immigration Act, Art. 3 and Art. 6; "
        "National Basic Livelihood Security Act, Art. 22(1)",
        fields=(
            Field("direction", Kind.CODE, "departure or arrival", choices=("DEPARTURE", "ARRIVAL")),
            Field("crossedOn", Kind.DATE, "date of the crossing"),
            Field("portName", Kind.TEXT, "airport or seaport of the crossing"),
            Field(
                "country",
                Kind.CODE,
                "country of destination or origin",
                choices=("CN", "JP", "US", "VN", "PH", "TH", "OTHER"),
            ),
        ),
        many=True,
    ),
    InfoType(
        name="foreignResident",
        title="Foreign resident status",
        group=_G,
        description="Registration and status of stay of a foreign resident, from the "
        "immigration records of the Ministry of Justice.",
        source="MOJ",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Immigration Act, Art. 31 and Art. 34; "
        "Social Security Benefits Act, Art. 12(1)",
        fields=(
            Field(
                "statusOfStay",
                Kind.CODE,
                "visa category",
                choices=("F-2", "F-4", "F-5", "F-6", "E-9", "H-2", "D-2", "OTHER"),
            ),
            Field(
                "nationality",
                Kind.CODE,
                "nationality",
                choices=("CN", "VN", "PH", "TH", "UZ", "US", "OTHER"),
            ),
            Field("registeredOn", Kind.DATE, "date of foreign resident registration"),
            Field("permittedUntil", Kind.DATE, "end of the permitted stay", optional=True),
            Field("marriageMigrant", Kind.BOOL, "whether the person is a marriage migrant"),
        ),
    ),
)
