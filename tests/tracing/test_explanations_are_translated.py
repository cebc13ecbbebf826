"""The match explanation is shown in the reader's language (the API keeps the engine's
English text, a stable text for other programs)."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kinlink.tracing.explanations import explanation_pieces
from kinlink.tracing.models import Candidate

ENGINE = (
    "given and family names swapped; family name: same in another script; "
    "given name: one consonant apart; birth year: 2 years apart (1965 vs 1963); "
    "father's name: not recorded; gender: same"
)


def _texts(text):
    return [piece.text for piece in explanation_pieces(text)]


def test_english_reads_as_the_engine_wrote_it():
    with translation.override("en"):
        assert _texts(ENGINE) == ENGINE.split("; ")


@pytest.mark.parametrize(
    ("language", "pieces"),
    [
        (
            "fa",
            [
                "جای نام و نام خانوادگی عوض شده",
                "نام خانوادگی: یکسان، به خطی دیگر",
                "نام: یک حرف بی‌صدا متفاوت",
                "سال تولد: ۲ سال فاصله (۱۹۶۵ در برابر ۱۹۶۳)",
                "نام پدر: ثبت نشده",
                "جنسیت: یکسان",
            ],
        ),
        (
            "ar",
            [
                "الاسم الأول واسم العائلة مقلوبان",
                "اسم العائلة: متطابق بخط آخر",
                "الاسم الأول: يختلف بحرف ساكن واحد",
                "سنة الميلاد: فارق ٢ سنتين (١٩٦٥ مقابل ١٩٦٣)",
                "اسم الأب: غير مسجل",
                "الجنس: متطابق",
            ],
        ),
    ],
)
def test_persian_and_arabic_get_their_words_and_digits(language, pieces):
    with translation.override(language):
        assert _texts(ENGINE) == pieces


def test_albanian_counts_one_year_and_several_years_apart():
    with translation.override("sq"):
        one = _texts("birth year: 1 year apart (1965 vs 1964)")
        three = _texts("birth year: 3 years apart (1965 vs 1962)")
    assert one == ["viti i lindjes: 1 vit larg (1965 kundrejt 1964)"]
    assert three == ["viti i lindjes: 3 vjet larg (1965 kundrejt 1962)"]


def test_an_unknown_or_withheld_piece_is_shown_as_it_is():
    text = "matched on the recorded other name [hidden]; birth place: lost in the flood"
    with translation.override("fa"):
        shown = _texts(text)
    assert shown == ["مطابقت با نام دیگر ثبت‌شده [hidden]", "birth place: lost in the flood"]


def test_each_field_says_whether_it_speaks_for_or_against_the_match():
    evidence = [
        {"field": "family_name", "text": "family name: same", "weight": 9.2},
        {"field": "gender", "text": "gender: different", "weight": -7.5},
        {"field": "birth", "text": "birth year: 2 years apart (1965 vs 1963)", "weight": 0.4},
    ]
    text = (
        "given and family names swapped; family name: same; gender: different; "
        "birth year: 2 years apart (1965 vs 1963)"
    )
    with translation.override("en"):
        pieces = explanation_pieces(text, evidence)
        labels = [p.stance_label for p in pieces]
    assert [(p.text, p.stance) for p in pieces] == [
        ("given and family names swapped", ""),  # a note, not a field
        ("family name: same", "for"),
        ("gender: different", "against"),
        ("birth year: 2 years apart (1965 vs 1963)", ""),  # under a likelihood ratio of 2
    ]
    assert labels == ["", "for the match", "against the match", ""]
    with translation.override("ar"):
        assert explanation_pieces(text, evidence)[2].stance_label == "ضد المطابقة"


def test_the_enquiry_page_explains_field_by_field_in_the_readers_language(client, sara, enquiry):
    client.force_login(sara)
    candidate = Candidate.objects.filter(enquiry=enquiry).order_by("rank").first()
    assert "family name:" in candidate.explanation  # stored as the engine wrote it
    persian = client.get(f"/fa/tracing/{enquiry.pk}/").content.decode()
    assert "نام خانوادگی:" in persian and "به سود تطابق" in persian
    assert candidate.explanation not in persian
    english = client.get(f"/en/tracing/{enquiry.pk}/").content.decode()
    row = english[english.index(f'data-candidate="{candidate.pk}"') :]
    row = row[: row.index("</tr>")]
    for item in candidate.evidence:
        text = item["text"].replace("'", "&#x27;")
        stance = "for" if item["weight"] >= 1 else "against" if item["weight"] <= -1 else None
        if stance:
            assert f'<li class="{stance}"><span class="visually-hidden">' in row
            assert f"<bdi>{text}</bdi></li>" in row
        else:
            assert f"<li><bdi>{text}</bdi></li>" in row


def test_the_api_gives_the_lines_in_the_language_asked_for(sara, enquiry):
    api = APIClient()
    api.force_authenticate(sara)
    url = f"/api/enquiries/{enquiry.pk}/candidates/"
    candidate = Candidate.objects.filter(enquiry=enquiry).order_by("rank").first()
    for language in ("en", "fa"):
        response = api.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response["Content-Language"] == language
        shown = next(c for c in response.json() if c["id"] == candidate.pk)
        assert shown["explanation"] == candidate.explanation  # a stable text for programs
        with translation.override(language):
            expected = explanation_pieces(candidate.explanation, candidate.evidence)
        assert shown["explanation_lines"] == [
            {"text": p.text, "stance": p.stance} for p in expected
        ]
    assert any(line["text"].startswith("نام خانوادگی:") for line in shown["explanation_lines"])
    weights = {e["text"]: e["weight"] for e in candidate.evidence}
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    lines = next(c for c in english if c["id"] == candidate.pk)["explanation_lines"]
    assert [line["text"] for line in lines] == candidate.explanation.split("; ")
    for line in lines:
        w = weights.get(line["text"])
        assert line["stance"] == ("for" if w and w >= 1 else "against" if w and w <= -1 else "")
