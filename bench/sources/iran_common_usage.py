"""Iranian common-usage ("passport") spelling of Persian names.

No single published standard: this is the everyday convention seen in Iranian
passports and civil-registration Latin fields, as described for names in the
"common usage" columns of the ALA-LC and BGN/PCGN notes and in the
``name-variants`` package's "common Iranian diaspora spellings": letters that
sound alike collapse (ث س ص -> s; ذ ز ض ظ -> z; ت ط -> t; ح ه -> h; غ ق -> gh),
ع is dropped, long u is "ou", long i is "i", diphthong ey is "ei", final
silent he is "eh", short vowels a, e, o.
"""

CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "gh",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "v",
    "ه": "h",
    "ی": "y",
    "ء": "",
    "ئ": "",
    "أ": "",
    "ؤ": "",
    "إ": "",
}
LONG = {"ا": "a", "آ": "a", "و": "ou", "ی": "i"}
SHORT = {"a": "a", "e": "e", "o": "o"}
DIPHTHONG = {"و": "o", "ی": "ei"}
FINAL_HE = "eh"
ALEF_MAQSURA = "a"
TEH_MARBUTA = "eh"
