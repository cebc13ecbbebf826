from kinlink.names import nickname_variants
from kinlink.names.nicknames import NICKNAMES, is_nickname_pair


def test_mamad_stands_for_mohammad_in_both_scripts():
    assert {"mohammad", "محمد"} <= nickname_variants("Mamad")
    assert {"mohammad", "محمد"} <= nickname_variants("Mammad")
    assert "mohammad" in nickname_variants("ممد")


def test_mohammad_has_its_nicknames():
    assert {"mamad", "ممد", "mo"} <= nickname_variants("Mohammad")
    assert "mamad" in nickname_variants("محمد")


def test_ray_stands_for_reza_and_compounds_with_reza():
    assert {"reza", "mohammadreza", "محمدرضا"} <= nickname_variants("Ray")


def test_nickname_lookup_tolerates_spelling():
    assert "mohammad" in nickname_variants("Mamaad")


def test_a_name_in_no_entry_has_no_variants():
    assert nickname_variants("Fereshteh") == set()
    assert nickname_variants("") == set()


def test_a_nickname_never_lists_itself():
    assert "mamad" not in nickname_variants("mamad")


def test_is_nickname_pair_is_symmetric_and_needs_two_sides_of_one_entry():
    assert is_nickname_pair("mamad", "mohammad")
    assert is_nickname_pair("mohammad", "mamad")
    assert not is_nickname_pair("mamad", "mammad")
    assert not is_nickname_pair("mohammad", "ali")


def test_every_entry_gives_a_reason():
    for short, formal, reason in NICKNAMES:
        assert short and formal and len(reason) > 10
