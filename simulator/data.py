"""Static vocabularies the synthetic population draws from.

Korean names and places are romanised (Revised Romanisation) so every value
stays ASCII; the weights are rough shares of the real population so that the
most common surnames and the largest provinces dominate as they do in Korea.
"""

from __future__ import annotations

from typing import Final

# Surnames with approximate shares (percent) of the population.
FAMILY_NAMES: Final = (
    ("Kim", 21.5),
    ("Lee", 14.7),
    ("Park", 8.4),
    ("Choi", 4.7),
    ("Jung", 4.4),
    ("Kang", 2.3),
    ("Cho", 2.1),
    ("Yoon", 2.1),
    ("Jang", 2.0),
    ("Lim", 1.7),
    ("Han", 1.5),
    ("Oh", 1.5),
    ("Seo", 1.5),
    ("Shin", 1.4),
    ("Kwon", 1.4),
    ("Hwang", 1.4),
    ("Ahn", 1.3),
    ("Song", 1.3),
    ("Jeon", 1.1),
    ("Hong", 1.1),
    ("Yoo", 1.1),
    ("Ko", 0.9),
    ("Moon", 0.9),
    ("Yang", 0.9),
    ("Son", 0.9),
    ("Bae", 0.8),
    ("Baek", 0.8),
    ("Heo", 0.6),
    ("Nam", 0.6),
    ("Noh", 0.5),
)

MALE_GIVEN: Final = (
    "Minjun", "Seojun", "Doyun", "Yejun", "Siwoo", "Hajun", "Jiho", "Junseo",
    "Junwoo", "Hyunwoo", "Jihoon", "Dohyun", "Gunwoo", "Woojin", "Sunwoo",
    "Minjae", "Hyunjun", "Yeonwoo", "Yujun", "Jungwoo", "Seungwoo", "Seunghyun",
    "Sangwoo", "Youngsoo", "Youngho", "Younghwan", "Sungho", "Kwangsoo",
    "Jaehyun", "Dongwook", "Myungsoo", "Chulsoo",
)  # fmt: skip

FEMALE_GIVEN: Final = (
    "Seoyeon", "Seoyun", "Jiwoo", "Seohyun", "Minseo", "Haeun", "Hayoon",
    "Yoonseo", "Jiyoo", "Chaewon", "Jimin", "Soyeon", "Subin", "Yerin", "Eunji",
    "Jiyeon", "Hyejin", "Mijin", "Eunjung", "Younghee", "Sookja", "Myungja",
    "Okja", "Soonja", "Kyungja", "Mikyung", "Jungsook", "Eunhee", "Sunyoung",
    "Hyunjoo", "Jieun", "Sujin",
)  # fmt: skip

# (province, two-digit RRN region prefix, population share, districts).
# The prefixes follow the historical issuing-office blocks of the RRN.
PROVINCES: Final = (
    ("Seoul", 1, 18.2, ("Jongno-gu", "Jung-gu", "Yongsan-gu", "Seongdong-gu",
                       "Mapo-gu", "Gangnam-gu", "Songpa-gu", "Nowon-gu",
                       "Gwanak-gu", "Eunpyeong-gu")),
    ("Busan", 10, 6.4, ("Haeundae-gu", "Busanjin-gu", "Saha-gu", "Dongnae-gu",
                       "Nam-gu", "Suyeong-gu")),
    ("Daegu", 67, 4.6, ("Suseong-gu", "Dalseo-gu", "Buk-gu", "Jung-gu")),
    ("Incheon", 13, 5.8, ("Namdong-gu", "Bupyeong-gu", "Yeonsu-gu", "Seo-gu",
                         "Michuhol-gu")),
    ("Gwangju", 55, 2.8, ("Buk-gu", "Gwangsan-gu", "Seo-gu", "Nam-gu")),
    ("Daejeon", 40, 2.8, ("Yuseong-gu", "Seo-gu", "Jung-gu", "Daedeok-gu")),
    ("Ulsan", 85, 2.1, ("Nam-gu", "Jung-gu", "Buk-gu", "Ulju-gun")),
    ("Sejong", 44, 0.7, ("Sejong-si",)),
    ("Gyeonggi-do", 16, 26.3, ("Suwon-si", "Seongnam-si", "Goyang-si",
                               "Yongin-si", "Bucheon-si", "Ansan-si",
                               "Hwaseong-si", "Namyangju-si", "Anyang-si",
                               "Pyeongtaek-si")),
    ("Gangwon-do", 26, 3.0, ("Chuncheon-si", "Wonju-si", "Gangneung-si",
                             "Sokcho-si")),
    ("Chungcheongbuk-do", 35, 3.1, ("Cheongju-si", "Chungju-si", "Jecheon-si")),
    ("Chungcheongnam-do", 41, 4.1, ("Cheonan-si", "Asan-si", "Seosan-si",
                                    "Gongju-si")),
    ("Jeollabuk-do", 48, 3.4, ("Jeonju-si", "Iksan-si", "Gunsan-si",
                               "Namwon-si")),
    ("Jeollanam-do", 57, 3.5, ("Mokpo-si", "Yeosu-si", "Suncheon-si",
                               "Naju-si")),
    ("Gyeongsangbuk-do", 70, 5.0, ("Pohang-si", "Gumi-si", "Gyeongju-si",
                                   "Andong-si", "Gimcheon-si")),
    ("Gyeongsangnam-do", 82, 6.4, ("Changwon-si", "Gimhae-si", "Jinju-si",
                                   "Yangsan-si", "Geoje-si")),
    ("Jeju-do", 93, 1.3, ("Jeju-si", "Seogwipo-si")),
)  # fmt: skip

STREETS: Final = (
    "Sejong-daero", "Teheran-ro", "Jong-ro", "Eulji-ro", "Dosan-daero",
    "Hannam-daero", "Olympic-ro", "Jungang-ro", "Haean-ro", "Munhwa-ro",
    "Hwarang-ro", "Gongdan-ro", "Sinchon-ro", "Hyoja-ro", "Baekje-ro",
    "Gaya-ro", "Chungjang-ro", "Dongil-ro", "Songdo-ro", "Saemaeul-ro",
)  # fmt: skip

CAR_MODELS: Final = (
    "Avante", "Sonata", "Grandeur", "Morning", "Ray", "K3", "K5", "K8",
    "Tucson", "Santa Fe", "Sorento", "Carnival", "Porter", "Bongo", "Spark",
    "Casper", "Palisade", "Genesis G80", "Kona", "Seltos",
)  # fmt: skip

# Hangul syllables used on Korean number plates, romanised.
PLATE_SYLLABLES: Final = (
    "GA", "NA", "DA", "RA", "MA", "GEO", "NEO", "DEO", "REO", "MEO",
    "BEO", "SEO", "EO", "JEO", "GO", "NO", "DO", "RO", "MO", "BO",
    "SO", "O", "JO", "GU", "NU", "DU", "RU", "MU", "BU", "SU", "U", "JU",
)  # fmt: skip

ORG_WORDS: Final = (
    "Hanbit", "Saemaeul", "Mirae", "Hanul", "Daehan", "Samil", "Pureun",
    "Hanguk", "Nuri", "Areum", "Hanmaeum", "Seoul", "Jungang", "Dongbang",
)  # fmt: skip

# Suffixes for generated organisation names, keyed by a hint in the field or
# type name; the first hint found wins.
ORG_SUFFIXES: Final = (
    ("school", ("Elementary School", "Middle School", "High School")),
    ("port", ("Port", "International Airport")),
    ("complex", ("Apartments", "Happy Town", "Village")),
    ("incarcer", ("Correctional Institution", "Detention Center")),
    ("broker", ("Securities", "Investment & Securities")),
    ("creditor", ("Bank", "Capital", "Card", "Savings Bank")),
    ("insur", ("Life Insurance", "Fire & Marine Insurance")),
    ("bank", ("Bank", "Savings Bank", "Credit Union")),
    ("financial", ("Bank", "Savings Bank", "Credit Union", "Securities")),
    ("hospital", ("Hospital", "Clinic", "Medical Center")),
    ("employer", ("Co., Ltd.", "Corporation", "Industries", "Logistics")),
    ("facility", ("Care Center", "Welfare Center", "Nursing Home")),
    ("agency", ("District Office", "Community Service Center", "Welfare Center")),
)
DEFAULT_ORG_SUFFIXES: Final = ("Co., Ltd.", "Center", "Association", "Foundation")

# Text fields that name an organisation without ending in "Name".
ORGANISATION_FIELDS: Final = frozenset(
    ("agency", "institution", "employer", "insurer", "creditor", "bank", "facility")
)

# Short free-text remarks, as caseworkers write them.
REMARKS: Final = (
    "income above threshold",
    "assets above threshold",
    "support obligor has sufficient means",
    "documents incomplete",
    "household composition changed",
    "eligible after review",
    "moved out of jurisdiction",
)
