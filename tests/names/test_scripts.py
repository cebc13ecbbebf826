from hypothesis import given
from hypothesis import strategies as st

from kinlink.names import Script, detect_script, normalize


def test_a_persian_name_is_arabic_script():
    assert detect_script("حسین موسوی") is Script.ARABIC


def test_an_arabic_name_with_harakat_is_arabic_script():
    assert detect_script("مُحَمَّد بن عَلِيّ") is Script.ARABIC


def test_a_latin_name_with_albanian_letters_is_latin():
    assert detect_script("Çela Solullarë") is Script.LATIN


def test_a_plain_ascii_name_is_latin():
    assert detect_script("Hossein Mousavi") is Script.LATIN


def test_a_name_in_both_scripts_is_mixed():
    assert detect_script("Ali علی") is Script.MIXED


def test_cyrillic_digits_and_empty_text_are_unknown():
    assert detect_script("Иван") is Script.UNKNOWN
    assert detect_script("1344") is Script.UNKNOWN
    assert detect_script("۱۳۴۴") is Script.UNKNOWN
    assert detect_script("") is Script.UNKNOWN


def test_apostrophes_and_ayn_signs_do_not_make_a_name_mixed():
    assert detect_script("Mas'ud") is Script.LATIN
    assert detect_script("ʿAlī") is Script.LATIN


def test_script_values_are_plain_strings():
    assert Script.LATIN == "latin"
    assert Script("arabic") is Script.ARABIC


@given(st.text(max_size=30))
def test_the_script_of_a_normalised_name_is_the_script_of_the_name(text):
    before = detect_script(text)
    after = detect_script(normalize(text))
    if before in (Script.LATIN, Script.ARABIC):
        assert after in (before, Script.UNKNOWN)
    assert detect_script(normalize(normalize(text))) is after
