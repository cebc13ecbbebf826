"""The redactor on its own: every script and spelling, compounds, ambiguity, stability."""

from __future__ import annotations

from kinlink.testimony.redaction import WITHHELD, PersonToRedact, Pseudonyms, Redactor

KEY = b"a recipient key"


def _redactor(*people: PersonToRedact) -> Redactor:
    return Redactor(people)


def _person(pid, names, named=False, **extra) -> PersonToRedact:
    return PersonToRedact(pid, names, pseudonym=None if named else Pseudonyms(KEY)(pid), **extra)


def test_a_name_is_replaced_in_persian_and_in_every_latin_spelling():
    person = _person(1, ["Hossein", "Mousavi", "حسین", "موسوی"])
    redactor = _redactor(person)
    label = f"[{person.pseudonym}]"
    for text in ["Hossein Mousavi", "Hussein Moosavi", "Husain Musawi", "حسین موسوی"]:
        assert redactor.redact(f"{text} was beaten.") == f"{label} was beaten.", text


def test_a_name_entered_only_in_latin_is_found_in_persian_text():
    person = _person(1, ["Fereshteh", "Yeganeh"])
    assert _redactor(person).redact("فرشته یگانه را بردند") == f"[{person.pseudonym}] را بردند"


def test_compound_and_suffixed_names_are_replaced_whole():
    person = _person(3, ["Mohammad Reza", "Hosseinnia"])
    redactor = _redactor(person)
    label = f"[{person.pseudonym}]"
    assert redactor.redact("محمدرضا حسین‌نیا آمد") == f"{label} آمد"
    assert redactor.redact("Mohammad-Reza Hosseinnia came") == f"{label} came"
    assert redactor.redact("and حسین نیا too") == f"and {label} too"


def test_a_similar_but_different_name_is_left_alone():
    person = _person(1, ["Hossein"])
    assert _redactor(person).redact("Hassan was there") == "Hassan was there"


def test_a_name_shared_by_two_people_is_withheld_not_attributed():
    a = _person(1, ["Hossein", "Mousavi"])
    b = _person(2, ["Hossein", "Karimi"])
    redactor = _redactor(a, b)
    assert redactor.redact("Hossein said") == f"{WITHHELD} said"
    assert redactor.redact("Hossein Karimi said") == f"[{b.pseudonym}] said"


def test_people_who_consented_keep_their_names():
    named = _person(2, ["Hossein", "Karimi"], named=True)
    hidden = _person(1, ["Hossein", "Mousavi"])
    redactor = _redactor(hidden, named)
    assert redactor.redact("Hossein Karimi met Hossein Mousavi") == (
        f"Hossein Karimi met [{hidden.pseudonym}]"
    )


def test_a_fathers_name_and_the_reference_number_are_redacted():
    person = _person(1, ["Ali", "Rahimi"], reference="P-000042", relative_names=["Reza"])
    text = _redactor(person).redact("Ali, son of Reza (file P-000042)")
    assert text == f"[{person.pseudonym}], son of {WITHHELD} (file [{person.pseudonym}])"


def test_pseudonyms_are_stable_per_key_and_differ_between_keys():
    assert Pseudonyms(KEY)(7) == Pseudonyms(KEY)(7)
    assert Pseudonyms(KEY)(7) != Pseudonyms(b"another recipient")(7)
    assert Pseudonyms(KEY)(7).startswith("Person ")
