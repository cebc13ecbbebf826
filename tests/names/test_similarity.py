import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinlink.names import NameComparison, compare_names, name_similarity

SAME_NAME = [
    ("Hossein", "Hussein"),
    ("Hossein", "Husain"),
    ("Hossein", "Hosein"),
    ("Hossein", "حسین"),
    ("Husain", "حسين"),
    ("Masoud", "Massoud"),
    ("Masoud", "Mas'ud"),
    ("Mas'ud", "مسعود"),
    ("Mohammad", "Mohammed"),
    ("Mohammad", "Muhammad"),
    ("Muhammad", "محمد"),
    ("Fereshteh", "Fereshte"),
    ("Fereshte", "فرشته"),
    ("Yeganeh", "Yaganeh"),
    ("Yaganeh", "یگانه"),
    ("Parwin", "Parvin"),
    ("Parwin", "پروین"),
    ("Solullari", "Sulollari"),
    ("Hosseinnia", "Hossiennia"),
    ("Hossiennia", "حسین‌نیا"),
    ("Mousavi", "Moosavi"),
    ("Musavi", "موسوی"),
    ("Musawi", "Mousavi"),
    ("Ahwaz", "Ahvaz"),
    ("Ahwaz", "اهواز"),
    ("Rezaei", "Rezaee"),
    ("Rezai", "رضایی"),
    ("Mostafa", "مصطفى"),
    ("Fatima", "فاطمة"),
    ("Esmaeil", "Ismail"),
    ("Ghasem", "Qasem"),
    ("Sadegh", "Sadiq"),
    ("Zeinab", "Zaynab"),
    ("Davoud", "Dawood"),
    ("Mujahedin", "Mojahedin"),
    ("Mohammad Reza", "محمد رضا"),
    ("Hosseinzadeh", "حسین زاده"),
    ("Abdul Karim", "عبدالكريم"),
    ("Kadhim", "کاظم"),
    ("Rida", "رضا"),
    ("Sahram", "Shahram"),
    ("Ganj Khani", "Ganjkhani"),
    ("Seyed Hossein", "سید حسین"),
]

DIFFERENT_NAMES = [
    ("Hassan", "Hossein"),
    ("Hassan", "حسین"),
    ("حسن", "حسین"),
    ("Mahmoud", "Mohammad"),
    ("Mahmoud", "محمد"),
    ("Reza", "Rezaei"),
    ("Ali", "Vali"),
    ("Zahra", "Zohreh"),
    ("Fatemeh", "Fereshteh"),
    ("Mehdi", "Hadi"),
    ("Karim", "Rahim"),
    ("Hamid", "Majid"),
    ("Saeed", "Sadegh"),
    ("Mina", "Mona"),
    ("Ali", "Reza"),
    ("Vahid", "Vahideh"),
    ("وحید", "Vahideh"),
    ("Mehrdad", "Mehrad"),
    ("مهرداد", "Mehrad"),
    ("Ganji", "Ganj"),
    ("Ali", "Andia"),
]


@pytest.mark.parametrize(("a", "b"), SAME_NAME)
def test_spellings_of_the_same_name_score_high(a, b):
    assert name_similarity(a, b) >= 0.85


@pytest.mark.parametrize(("a", "b"), DIFFERENT_NAMES)
def test_different_names_score_below_the_same_name_threshold(a, b):
    assert name_similarity(a, b) < 0.85


def test_hassan_and_hossein_score_lower_than_two_spellings_of_hossein():
    assert name_similarity("Hassan", "Hossein") < name_similarity("Hossein", "Husain") - 0.2
    assert name_similarity("حسن", "Hossein") < name_similarity("حسین", "Husain") - 0.2


def test_clearly_different_names_score_low():
    assert name_similarity("Fatemeh", "Fereshteh") < 0.5
    assert name_similarity("Ali", "Reza") < 0.3
    assert name_similarity("Mousavi", "Karimi") < 0.4


def test_identical_names_after_normalisation_score_one():
    assert name_similarity("Hossein  MOUSAVI", "hossein mousavi") == 1.0
    assert name_similarity("علي", "علی") == 1.0


def test_word_order_does_not_matter():
    assert name_similarity("Hossein Mousavi", "Mousavi Hossein") == 1.0


def test_an_extra_part_lowers_the_score_but_an_honorific_does_not():
    assert 0.5 < name_similarity("Hossein", "Hossein Karimi") < 0.8
    assert name_similarity("Seyed Hossein", "Hossein") == 1.0


def test_a_half_of_a_compound_name_is_partly_similar():
    assert 0.6 < name_similarity("Reza", "Mohammad Reza") < 0.85
    assert 0.6 < name_similarity("رضا", "Mohammadreza") < 0.85


def test_a_missing_name_scores_zero():
    assert name_similarity("", "Hossein") == 0.0
    assert name_similarity("123", "Hossein") == 0.0


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Hossein", "hossein", "exact"),
        ("Hosseinzadeh", "Hossein Zade", "exact"),
        ("Hossein Mousavi", "Mousavi Hossein", "exact"),
        ("Hossein", "حسین", "same_other_script"),
        ("Mousavi", "موسوی", "same_other_script"),
        ("Hossein", "Hussein", "spelling_variant"),
        ("حسین", "حسين", "exact"),
        ("Mamad", "Mohammad", "nickname"),
        ("Ray", "Mohammad Reza", "nickname"),
        ("Reza", "Mohammad Reza", "nickname"),
        ("Hassan", "Hossein", "different"),
        (None, "Hossein", "missing"),
        ("Hossein", "", "missing"),
        ("-", "Hossein", "missing"),
    ],
)
def test_compare_names_says_how_two_names_relate(a, b, kind):
    result = compare_names(a, b)
    assert isinstance(result, NameComparison)
    assert result.kind == kind, result


def test_compare_names_scores_agree_with_name_similarity():
    assert compare_names("Hossein", "Husain").score == pytest.approx(
        name_similarity("Hossein", "Husain")
    )
    assert compare_names("Hossein", "hossein").score == 1.0
    assert compare_names(None, None).score == 0.0


names = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["Hossein", "حسین", "Husain", "Mousavi", "موسوی", "Reza", "رضا", "Mohammad Reza", "Ali"]
    ),
)


@settings(max_examples=200)
@given(names, names)
def test_similarity_is_symmetric_and_between_zero_and_one(a, b):
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == name_similarity(b, a)
    assert compare_names(a, b).kind == compare_names(b, a).kind


@given(names)
def test_a_name_with_letters_is_fully_similar_to_itself(a):
    if any(ch.isalpha() for ch in a) and name_similarity(a, a) > 0:
        assert name_similarity(a, a) == 1.0
