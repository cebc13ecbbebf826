import pytest

from kinlink.names import romanize


@pytest.mark.parametrize(
    ("script", "latin"),
    [
        ("محمد", "mohammad"),
        ("حسین", "hossein"),
        ("حسين", "hossein"),
        ("فاطمة", "fatemeh"),
        ("مصطفى", "mostafa"),
        ("محمد رضا موسوی", "mohammadreza mousavi"),
        ("حسین‌زاده", "hosseinzadeh"),
        ("رضائی", "rezaei"),
        ("محمدی", "mohammadi"),
        ("غلامحسین", "gholamhossein"),
        ("عبدالكريم", "abdolkarim"),
        ("اهواز", "ahvaz"),
    ],
)
def test_common_names_romanise_to_their_usual_spelling(script, latin):
    assert romanize(script) == latin


def test_unknown_names_get_a_letter_by_letter_reading():
    assert romanize("بهرامی") == "bahrami"
    assert romanize("کیانوش").isascii()


def test_latin_names_are_returned_normalised():
    assert romanize("Solullarë  ÇELA") == "solullare cela"


def test_romanisation_is_lower_case_ascii_letters_and_spaces():
    out = romanize("سید علی‌اکبر حسینی‌نژاد ۱۳۴۴")
    assert out.replace(" ", "").isalpha() and out.isascii() and out == out.lower()


def test_other_scripts_are_dropped():
    assert romanize("Иван") == ""


def test_the_letter_by_letter_reading_guesses_syllables():
    assert romanize("بهرام‌زاده") == "bahramzadeh"  # lexicon stem and suffix
    assert romanize("سایه") == "sayeh"  # final ه after a glide is -eh
    assert romanize("اشکان") == "ashkan"  # the consonant after an initial vowel closes it
    assert romanize("گلاره").endswith("areh")  # no vowel guessed before a final ه
