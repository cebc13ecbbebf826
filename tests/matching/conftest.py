"""Shared synthetic data for the matching tests (synthetic people only)."""

import pytest

from kinlink.calendars import parse_birth_date
from kinlink.matching.index import MatchIndex
from kinlink.matching.records import MatchRequest, PersonRecord
from kinlink.matching.synthetic import make_registry, make_requests


def d(text):
    return parse_birth_date(text)


#: The issue's example: the family's request ...
ISSUE_REQUEST = MatchRequest(
    "family-1",
    given_name="Husain",
    family_name="Mousavi",
    father_name="Reza",
    birth=d("about 1965"),
    birth_place="Ahwaz",
)
#: ... and the forms in which the registry may hold the sought person.
ISSUE_FORMS = {
    "persian script, Solar Hijri year": PersonRecord(
        "target",
        "حسین",
        "موسوی",
        father_name="رضا",
        birth=d("1344"),
        birth_place="اهواز",
        gender="M",
    ),
    "other latin spelling": PersonRecord(
        "target", "Hossein", "Moosavi", father_name="Reza", birth=d("1965"), gender="M"
    ),
    "typo and swapped": PersonRecord(
        "target", "Musavi", "Hosien", father_name="Reza", birth=d("1966"), birth_place="Ahvaz"
    ),
}
#: Same common name, but a different father or birth year (or both).
ISSUE_DECOYS = [
    PersonRecord("decoy-1", "Hossein", "Mousavi", father_name="Ali", birth=d("1965"), gender="M"),
    PersonRecord("decoy-2", "حسین", "موسوی", father_name="محمد", birth=d("1344"), gender="M"),
    PersonRecord("decoy-3", "Hossein", "Mousavi", father_name="Reza", birth=d("1982"), gender="M"),
    PersonRecord("decoy-4", "Husain", "Mousavi", father_name="Mahmoud", birth=d("1964")),
    PersonRecord("decoy-5", "Hassan", "Mousavi", father_name="Reza", birth=d("1985")),
    PersonRecord("decoy-6", "Hossein", "Mousavi", birth=d("1971"), birth_place="Tehran"),
    PersonRecord("decoy-7", "حسین", "موسوی", father_name="رضا", birth=d("1359"), gender="M"),
    PersonRecord("decoy-8", "Hossein", "Musavi", father_name="Jafar", birth=d("1966")),
]


@pytest.fixture(scope="session")
def background():
    """2,000 synthetic registry persons (so name frequencies are realistic)."""
    return make_registry(2000, seed=11)


@pytest.fixture(scope="session")
def index(background):
    idx = MatchIndex()
    idx.add_many(background)
    return idx


@pytest.fixture(scope="session")
def labelled(background):
    """Requests about 300 registry persons and 60 absent persons, with the truth."""
    return make_requests(background, 300, 60, seed=5)


class IssueExample:
    request = ISSUE_REQUEST
    forms = ISSUE_FORMS
    decoys = ISSUE_DECOYS

    def __init__(self, background):
        self.background = background

    def index(self, form, **kw):
        idx = MatchIndex(**kw)
        idx.add_many(self.background)
        idx.add_many(self.decoys)
        idx.add(self.forms[form])
        return idx

    def records(self, form):
        return [*self.background, *self.decoys, self.forms[form]]


@pytest.fixture(scope="session")
def issue(background):
    """The issue's example request, the forms of the sought person, the namesakes."""
    return IssueExample(background)
