"""DIN 31635:2011 transliteration of the Arabic alphabet.

Source: Deutsches Institut für Normung, DIN 31635 "Information und
Dokumentation - Umschrift des arabischen Alphabets für die Sprachen Arabisch,
Osmanisch-Türkisch, Persisch, Kurdisch, Urdu und Paschtu" (2011), letter table.
ṯ ث, ǧ ج, ḥ ح, ḫ خ, ḏ ذ, š ش, ṣ ص, ḍ ض, ṭ ط, ẓ ظ, ʿ ع, ġ غ, q ق, w و, y ي,
ʾ hamza; vowels a, i, u; long ā, ī, ū; diphthongs aw, ay; tāʾ marbūṭa -a.
The Persian letters پ چ ژ گ are written p, č, ž, g as in the 2011 edition's
Persian extension. Arabic value w (not v) for consonantal و.
"""

CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "ṯ",
    "ج": "ǧ",
    "چ": "č",
    "ح": "ḥ",
    "خ": "ḫ",
    "د": "d",
    "ذ": "ḏ",
    "ر": "r",
    "ز": "z",
    "ژ": "ž",
    "س": "s",
    "ش": "š",
    "ص": "ṣ",
    "ض": "ḍ",
    "ط": "ṭ",
    "ظ": "ẓ",
    "ع": "ʿ",
    "غ": "ġ",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "w",
    "ه": "h",
    "ی": "y",
    "ء": "ʾ",
    "ئ": "ʾ",
    "أ": "ʾ",
    "ؤ": "ʾ",
    "إ": "ʾ",
}
LONG = {"ا": "ā", "آ": "ā", "و": "ū", "ی": "ī"}
SHORT = {"a": "a", "e": "i", "o": "u"}
DIPHTHONG = {"و": "aw", "ی": "ay"}
FINAL_HE = "a"
ALEF_MAQSURA = "ā"
TEH_MARBUTA = "a"
