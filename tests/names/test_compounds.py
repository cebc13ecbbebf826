import pytest

from kinlink.names import name_tokens
from kinlink.names.compounds import name_parts


@pytest.mark.parametrize(
    "spelling",
    ["Mohammad Reza", "Mohammad-Reza", "Mohammadreza", "MOHAMMAD  REZA", "mohammad‐reza"],
)
def test_mohammad_reza_is_one_token_however_it_is_written_in_latin(spelling):
    assert name_tokens(spelling) == ["mohammadreza"]


@pytest.mark.parametrize("spelling", ["محمدرضا", "محمد رضا", "محمد‌رضا", "محمد-رضا"])
def test_mohammad_reza_is_one_token_however_it_is_written_in_persian(spelling):
    assert name_tokens(spelling) == ["محمدرضا"]


@pytest.mark.parametrize(
    "spelling",
    ["Abdol Karim", "Abdul Karim", "Abdel-Karim", "Abd al-Karim", "Abd ol Karim", "Abdulkarim"],
)
def test_abdol_names_are_joined_and_spelled_abdol(spelling):
    assert name_tokens(spelling) == ["abdolkarim"]


def test_an_article_assimilated_to_a_sun_letter_is_understood():
    assert name_tokens("Abdurrahman") == ["abdolrahman"]
    assert name_tokens("Abdullah") == name_tokens("Abdallah") == ["abdollah"]


def test_abd_names_in_arabic_script_are_joined():
    assert name_tokens("عبد الكريم") == ["عبدالکریم"]


def test_abol_names_are_joined():
    assert name_tokens("Abu al-Fazl") == name_tokens("Abolfazl") == ["abolfazl"]
    assert name_tokens("ابو الفضل") == ["ابوالفضل"]


@pytest.mark.parametrize(
    "spelling", ["Hosseinzadeh", "Hossein Zadeh", "Hossein-zade", "Hosseinzade", "Hosseinzada"]
)
def test_zadeh_suffix_is_joined_and_spelled_zadeh(spelling):
    assert name_tokens(spelling) == ["hosseinzadeh"]


@pytest.mark.parametrize("spelling", ["حسین‌زاده", "حسین زاده", "حسینزاده"])
def test_zadeh_suffix_is_joined_in_persian(spelling):
    assert name_tokens(spelling) == ["حسینزاده"]


def test_pour_nia_nejad_and_ollah_suffixes_are_joined_canonically():
    assert name_tokens("Ali Pur") == ["alipour"]
    assert name_tokens("Alipoor") == ["alipour"]
    assert name_tokens("Hossein Nia") == ["hosseinnia"]
    assert name_tokens("Karimi Nezhad") == ["kariminejad"]
    assert name_tokens("Nasr Allah") == name_tokens("Nasrullah") == ["nasrollah"]
    assert name_tokens("علی پور") == ["علیپور"]


def test_a_leading_arabic_article_is_dropped():
    assert name_tokens("al-Hashimi") == ["hashimi"]
    assert name_tokens("El Hashimi") == ["hashimi"]


def test_a_given_name_and_a_different_family_name_stay_apart():
    assert name_tokens("Ali Rezaei") == ["ali", "rezaei"]
    assert name_tokens("Reza Mohammadi") == ["reza", "mohammadi"]
    assert name_tokens("Hossein Mousavi") == ["hossein", "mousavi"]


def test_honorifics_stay_separate_parts():
    assert name_tokens("Seyed Ali Reza Hosseini") == ["seyed", "alireza", "hosseini"]
    assert name_tokens("سید علی") == ["سید", "علی"]


def test_digits_are_dropped_and_mixed_script_parts_are_split():
    assert name_tokens("Ali 3") == ["ali"]
    assert name_tokens("Aliعلی") == ["ali", "علی"]
    assert name_tokens("") == []


def test_glued_compounds_remember_their_halves():
    assert name_parts("Alireza") == (("alireza", ("ali", "reza")),)
    assert name_parts("غلامحسین") == (("غلامحسین", ("غلام", "حسین")),)
    assert name_parts("Mohammadi") == (("mohammadi", ("mohammadi",)),)
    assert name_parts("Hosseinzadeh") == (("hosseinzadeh", ("hosseinzadeh",)),)
