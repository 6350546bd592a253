"""Information types of the assets group: real estate, movables, money and debts."""

from __future__ import annotations

from hub.catalog.forms import asset_band, pseudonym
from hub.catalog.model import Field, Group, InfoType, Kind, Sensitivity

_G = Group.ASSETS
_MEANS_TEST = "National Basic Livelihood Security Act, Art. 22(1) and Art. 23"
_FINANCIAL_BASIS = (
    "Act on Real Name Financial Transactions and Confidentiality, Art. 4(1)2; "
    "National Basic Livelihood Security Act, Art. 21(3) and Art. 23-2"
)


def _share() -> Field:
    return Field("ownershipShare", Kind.PERCENT, "the person's share of ownership", low=1, high=100)


TYPES: tuple[InfoType, ...] = (
    InfoType(
        name="land",
        title="Land",
        group=_G,
        description="Land parcels a person owns, from the cadastral and land registers "
        "of the Ministry of Land, Infrastructure and Transport.",
        source="MOLIT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Act on the Establishment, Management, etc. of Spatial Data, Art. 76; "
        f"{_MEANS_TEST}",
        fields=(
            Field("parcelNumber", Kind.TEXT, "parcel number (lot number)"),
            Field("address", Kind.TEXT, "location of the parcel"),
            Field(
                "landCategory",
                Kind.CODE,
                "land category in the cadastre",
                choices=("PADDY", "FIELD", "SITE", "FOREST", "ROAD", "OTHER"),
            ),
            Field("area", Kind.AREA_M2, "area of the parcel", low=30, high=50_000),
            Field(
                "officialPrice",
                Kind.WON,
                "officially assessed value",
                low=1_000_000,
                high=5_000_000_000,
            ),
            _share(),
            Field("acquiredOn", Kind.DATE, "date of acquisition"),
        ),
        many=True,
    ),
    InfoType(
        name="buildings",
        title="Buildings",
        group=_G,
        description="Non-residential and residential buildings a person owns, from the "
        "building register of the Ministry of Land, Infrastructure and Transport.",
        source="MOLIT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Building Act, Art. 38; {_MEANS_TEST}",
        fields=(
            Field("buildingId", Kind.TEXT, "building register number"),
            Field("address", Kind.TEXT, "location of the building"),
            Field(
                "use",
                Kind.CODE,
                "main use of the building",
                choices=("HOUSING", "COMMERCIAL", "OFFICE", "FACTORY", "WAREHOUSE", "OTHER"),
            ),
            Field("floorArea", Kind.AREA_M2, "gross floor area", low=20, high=5_000),
            Field(
                "standardValue",
                Kind.WON,
                "standard value for taxation",
                low=5_000_000,
                high=3_000_000_000,
            ),
            _share(),
            Field("completedOn", Kind.DATE, "date of completion", optional=True),
        ),
        many=True,
    ),
    InfoType(
        name="housing",
        title="Housing owned",
        group=_G,
        description="Dwellings a person owns with their officially announced prices, "
        "from the Ministry of Land, Infrastructure and Transport.",
        source="MOLIT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Act on the Public Announcement of Real Estate Values, Art. 16 and Art. 17; "
        f"{_MEANS_TEST}",
        fields=(
            Field(
                "housingType",
                Kind.CODE,
                "kind of dwelling",
                choices=("APARTMENT", "ROW_HOUSE", "MULTIPLEX", "DETACHED", "OFFICETEL"),
            ),
            Field("address", Kind.TEXT, "address of the dwelling"),
            Field("exclusiveArea", Kind.AREA_M2, "exclusive floor area", low=15, high=250),
            Field(
                "announcedPrice",
                Kind.WON,
                "officially announced price",
                low=20_000_000,
                high=3_000_000_000,
            ),
            _share(),
            Field("isResidence", Kind.BOOL, "whether the owner lives in it"),
        ),
        many=True,
    ),
    InfoType(
        name="vehicles",
        title="Vehicles",
        group=_G,
        description="Motor vehicles registered to a person, from the vehicle register "
        "kept by the Korea Transportation Safety Authority.",
        source="TS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Motor Vehicle Management Act, Art. 7(4) and Art. 69; {_MEANS_TEST}",
        fields=(
            Field(
                "registrationNumber",
                Kind.TEXT,
                "vehicle registration number",
                forms=(pseudonym("registrationNumberPseudonym", "vehicle registration number"),),
            ),
            Field("model", Kind.TEXT, "make and model"),
            Field("modelYear", Kind.INT, "model year", low=1995, high=2026),
            Field("engineCc", Kind.INT, "engine displacement (0 for electric)", low=0, high=5_000),
            Field(
                "vehicleType",
                Kind.CODE,
                "kind of vehicle",
                choices=("PASSENGER", "VAN", "TRUCK", "SPECIAL", "MOTORCYCLE"),
            ),
            Field(
                "standardValue",
                Kind.WON,
                "standard value for the means test",
                low=500_000,
                high=150_000_000,
            ),
            Field(
                "livelihoodUse", Kind.BOOL, "whether used for livelihood or by a disabled person"
            ),
        ),
        many=True,
    ),
    InfoType(
        name="leaseDeposits",
        title="Lease deposits",
        group=_G,
        description="Residential leases with a confirmed date, as tenant or landlord, and "
        "their deposits, from the Korea Housing and Urban Guarantee Corporation.",
        source="HUG",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Housing Lease Protection Act, Art. 3-6; {_MEANS_TEST}",
        fields=(
            Field("address", Kind.TEXT, "address of the leased dwelling"),
            Field(
                "role", Kind.CODE, "the person's side of the lease", choices=("TENANT", "LANDLORD")
            ),
            Field("leaseType", Kind.CODE, "kind of lease", choices=("JEONSE", "MONTHLY_RENT")),
            Field("deposit", Kind.WON, "lease deposit", low=0, high=1_500_000_000),
            Field("monthlyRent", Kind.WON, "monthly rent", low=0, high=5_000_000),
            Field("contractStart", Kind.DATE, "start of the lease"),
            Field("contractEnd", Kind.DATE, "end of the lease"),
        ),
        many=True,
    ),
    InfoType(
        name="financialAssets",
        title="Financial assets",
        group=_G,
        description="Deposit and savings accounts a person holds, reported by banks and "
        "other financial institutions through the Financial Supervisory Service.",
        source="FSS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_FINANCIAL_BASIS,
        fields=(
            Field("institutionName", Kind.TEXT, "name of the financial institution"),
            Field(
                "accountType",
                Kind.CODE,
                "kind of account",
                choices=("DEMAND_DEPOSIT", "TIME_DEPOSIT", "INSTALLMENT_SAVINGS", "TRUST", "OTHER"),
            ),
            Field(
                "balance",
                Kind.WON,
                "balance on the reference date",
                low=0,
                high=2_000_000_000,
                forms=(asset_band("balanceBand", "balance on the reference date"),),
            ),
            Field(
                "averageBalance",
                Kind.WON,
                "average balance over three months",
                low=0,
                high=2_000_000_000,
            ),
            Field("asOf", Kind.DATE, "reference date of the balance"),
            Field("jointAccount", Kind.BOOL, "whether the account is held jointly"),
        ),
        many=True,
    ),
    InfoType(
        name="insurancePolicies",
        title="Insurance policies",
        group=_G,
        description="Private insurance policies a person holds and their surrender "
        "values, reported by insurers through the Financial Supervisory Service.",
        source="FSS",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=_FINANCIAL_BASIS,
        fields=(
            Field("insurerName", Kind.TEXT, "name of the insurer"),
            Field(
                "policyType",
                Kind.CODE,
                "kind of policy",
                choices=("WHOLE_LIFE", "TERM", "ANNUITY", "SAVINGS", "HEALTH", "OTHER"),
            ),
            Field("surrenderValue", Kind.WON, "surrender value", low=0, high=500_000_000),
            Field("monthlyPremium", Kind.WON, "monthly premium", low=10_000, high=3_000_000),
            Field("contractedOn", Kind.DATE, "date of the contract"),
            Field("maturesOn", Kind.DATE, "date of maturity", optional=True),
        ),
        many=True,
    ),
    InfoType(
        name="securities",
        title="Securities",
        group=_G,
        description="Stocks, bonds and fund units a person holds, from the Korea "
        "Securities Depository.",
        source="KSD",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Financial Investment Services and Capital Markets Act, Art. 315; "
        f"{_FINANCIAL_BASIS}",
        fields=(
            Field("brokerageName", Kind.TEXT, "name of the securities company"),
            Field(
                "securityType",
                Kind.CODE,
                "kind of security",
                choices=("STOCK", "BOND", "FUND", "ETF", "OTHER"),
            ),
            Field("quantity", Kind.INT, "number of units held", low=1, high=100_000),
            Field("marketValue", Kind.WON, "market value", low=10_000, high=2_000_000_000),
            Field("valuedOn", Kind.DATE, "date of valuation"),
        ),
        many=True,
    ),
    InfoType(
        name="debts",
        title="Debts",
        group=_G,
        description="Loans a person owes, reported by creditors to the Korea Credit "
        "Information Services; deducted from assets in the means test.",
        source="KCREDIT",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis="Credit Information Use and Protection Act, Art. 32(6)9; "
        "National Basic Livelihood Security Act, Art. 21(3)",
        fields=(
            Field("creditorName", Kind.TEXT, "name of the creditor"),
            Field(
                "debtType",
                Kind.CODE,
                "kind of debt",
                choices=(
                    "MORTGAGE",
                    "LEASE_LOAN",
                    "CREDIT_LOAN",
                    "CARD_LOAN",
                    "STUDENT_LOAN",
                    "OTHER",
                ),
            ),
            Field("principal", Kind.WON, "amount borrowed", low=1_000_000, high=1_000_000_000),
            Field("outstanding", Kind.WON, "amount still owed", low=0, high=1_000_000_000),
            Field("borrowedOn", Kind.DATE, "date of the loan"),
            Field("inArrears", Kind.BOOL, "whether repayments are in arrears"),
        ),
        many=True,
    ),
    InfoType(
        name="farmland",
        title="Farmland",
        group=_G,
        description="Parcels a person farms, owned or leased, from the farmland register "
        "of the Ministry of Agriculture, Food and Rural Affairs.",
        source="MAFRA",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Farmland Act, Art. 49; {_MEANS_TEST}",
        fields=(
            Field("parcelNumber", Kind.TEXT, "parcel number (lot number)"),
            Field("area", Kind.AREA_M2, "area farmed", low=100, high=100_000),
            Field(
                "cropType",
                Kind.CODE,
                "main use",
                choices=("RICE", "FIELD_CROPS", "ORCHARD", "GREENHOUSE", "LIVESTOCK", "FALLOW"),
            ),
            Field("tenure", Kind.CODE, "owned or leased", choices=("OWNED", "LEASED")),
            Field("registeredOn", Kind.DATE, "date of registration"),
        ),
        many=True,
    ),
    InfoType(
        name="ships",
        title="Ships and fishing vessels",
        group=_G,
        description="Fishing vessels and other ships registered to a person, from the "
        "Ministry of Oceans and Fisheries.",
        source="MOF",
        sensitivity=Sensitivity.PERSONAL,
        legal_basis=f"Fishing Vessels Act, Art. 13; Ship Act, Art. 8; {_MEANS_TEST}",
        fields=(
            Field("shipNumber", Kind.TEXT, "ship or fishing vessel registration number"),
            Field(
                "vesselType",
                Kind.CODE,
                "kind of vessel",
                choices=("FISHING", "CARGO", "PASSENGER", "LEISURE"),
            ),
            Field("grossTonnage", Kind.INT, "gross tonnage", low=1, high=500),
            Field("builtYear", Kind.INT, "year built", low=1970, high=2026),
            Field("value", Kind.WON, "assessed value", low=1_000_000, high=3_000_000_000),
            Field("livelihoodUse", Kind.BOOL, "whether used for the owner's livelihood"),
        ),
        many=True,
    ),
)
