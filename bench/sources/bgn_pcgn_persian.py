"""BGN/PCGN 1958 romanization system for Persian.

Source: United States Board on Geographic Names and Permanent Committee on
Geographical Names for British Official Use, "Romanization of Persian
(BGN/PCGN 1958 System)", letter table and notes (also adopted as the
UN-recommended system for Persian geographical names in the 1960s-2012).
Consonants with dots/bars below/above mark letters that sound alike in
Persian (s̄ for ث, ş for ص, ḩ for ح, z̄ for ذ, ẕ for ض, ţ for ط, z̧ for ظ).
Vowels: fatha a, kasra e, damma o; long ā, ū, ī; diphthongs ow, ey;
final silent he written -eh.
"""

CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "s̄",
    "ج": "j",
    "چ": "ch",
    "ح": "ḩ",
    "خ": "kh",
    "د": "d",
    "ذ": "z̄",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "ş",
    "ض": "ẕ",
    "ط": "ţ",
    "ظ": "z̧",
    "ع": "‘",
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
    "ء": "’",
    "ئ": "’",
    "أ": "’",
    "ؤ": "’",
    "إ": "’",
}
LONG = {"ا": "ā", "آ": "ā", "و": "ū", "ی": "ī"}
SHORT = {"a": "a", "e": "e", "o": "o"}
DIPHTHONG = {"و": "ow", "ی": "ey"}
FINAL_HE = "eh"
ALEF_MAQSURA = "á"
TEH_MARBUTA = "eh"
