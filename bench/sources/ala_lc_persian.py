"""ALA-LC romanization table for Persian (Library of Congress, 2012 revision).

Source: Library of Congress / American Library Association, "ALA-LC
Romanization Tables: Persian", letter table and rules (vowels and diphthongs,
notes on ه and ی). Classical vowel values: fatha a, kasra i, damma u; long
ā, ī, ū; diphthongs aw, ay; final silent he -ah. Dotted and underlined
letters distinguish homophones: s̱ ث, ḥ ح, z̲ ذ, ṣ ص, z̤ ض, ṭ ط, ẓ ظ,
ʻ ع, ʼ ء.
"""

CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "s̱",
    "ج": "j",
    "چ": "ch",
    "ح": "ḥ",
    "خ": "kh",
    "د": "d",
    "ذ": "z̲",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "ṣ",
    "ض": "z̤",
    "ط": "ṭ",
    "ظ": "ẓ",
    "ع": "ʻ",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "v",
    "ه": "h",
    "ی": "y",
    "ء": "ʼ",
    "ئ": "ʼ",
    "أ": "ʼ",
    "ؤ": "ʼ",
    "إ": "ʼ",
}
LONG = {"ا": "ā", "آ": "ā", "و": "ū", "ی": "ī"}
SHORT = {"a": "a", "e": "i", "o": "u"}
DIPHTHONG = {"و": "aw", "ی": "ay"}
FINAL_HE = "ah"
ALEF_MAQSURA = "á"
TEH_MARBUTA = "ah"
