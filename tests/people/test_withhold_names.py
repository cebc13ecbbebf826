"""Hidden names are withheld from kinlink's own text as whole words: the name goes, the
words around it (and other names that merely contain it) stay readable."""

from hypothesis import given
from hypothesis import strategies as st

from kinlink.people.selectors import HIDDEN_NAME, withhold_names

H = HIDDEN_NAME


def test_a_hidden_name_inside_a_word_is_left_alone():
    text = "given name: same in another script (Sam vs Samuel)"
    assert withhold_names(text, ["Sam"]) == f"given name: same in another script ({H} vs Samuel)"


def test_any_letter_case_is_withheld():
    # a note typed in capitals or lower case spells the same hidden name
    assert withhold_names("REZA and reza met Reza", ["Reza"]) == f"{H} and {H} met {H}"
    assert withhold_names("RÊZA", ["rêza"]) == H
    # lower-casing "İ" would add a character: it stays as written, and nothing shifts
    assert withhold_names("İlker met Reza", ["Reza"]) == f"İlker met {H}"
    assert withhold_names("met İlker", ["İlker"]) == f"met {H}"


def test_the_full_name_wins_over_its_parts_in_one_pass():
    texts = ["Ali Reza", "Ali", "Reza"]
    got = withhold_names("matched on the recorded other name 'Ali Reza'; Reza Ali", texts)
    assert got == f"matched on the recorded other name '{H}'; {H} {H}"


def test_parts_of_compounds_joined_by_zwnj_or_hyphen_are_still_caught():
    assert withhold_names("علی\u200cرضا", ["علی"]) == f"{H}\u200cرضا"
    assert withhold_names("Abdol-Karim", ["Karim"]) == f"Abdol-{H}"
    assert withhold_names("کریمی", ["کریم"]) == "کریمی"


def test_a_mark_is_not_searched_again():
    # a person whose hidden name is "name" must not turn the mark itself into two marks
    assert withhold_names("Name and name", ["name", "Name"]) == f"{H} and {H}"


def test_a_text_ending_in_punctuation_needs_no_boundary_there():
    assert withhold_names("St. Georgeville", ["St."]) == f"{H} Georgeville"


def test_lists_and_dicts_are_walked_and_other_values_kept():
    value = {"a": ["Sara said", 3], "b": ("Sarah",), "c": None}
    assert withhold_names(value, ["Sara"]) == {"a": [f"{H} said", 3], "b": ["Sarah"], "c": None}
    assert withhold_names("Sara", []) == "Sara"


_words = st.text(alphabet="saSAمری-\u200c '", min_size=1, max_size=4)


@given(words=st.lists(_words, min_size=1, max_size=8), hidden=st.lists(_words, max_size=3))
def test_no_hidden_text_stands_alone_in_what_is_left(words, hidden):
    text = " ".join(words)
    out = withhold_names(text, hidden, mark="#")
    for target in {t.lower() for t in hidden if t.strip(" '-\u200c")}:
        start = out.lower().find(target)
        while start != -1:
            end = start + len(target)
            glued_before = start > 0 and out[start - 1].isalnum() and target[0].isalnum()
            glued_after = end < len(out) and out[end].isalnum() and target[-1].isalnum()
            assert glued_before or glued_after, (text, hidden, out)
            start = out.lower().find(target, start + 1)
