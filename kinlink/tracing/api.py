"""REST endpoints for tracing, mounted under /api/ by api_urls.py.

Thin: each parses input, calls tracing.services and serialises the result. Querysets come
from tracing.selectors, so a record outside the caller's caseload answers 404. No
serializer here holds a sealed field; the sought person's location and contact leave only
in the family reply, which is built by the disclosure service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kinlink.accounts.models import User
from kinlink.api.serializers import when as _when
from kinlink.people.models import (
    ConsentMethod,
    ConsentScope,
    Gender,
    LegalBasis,
    NameKind,
    Person,
)
from kinlink.people.selectors import (
    consent_history,
    hidden_name_texts,
    hidden_name_texts_by_person,
    names_visible_to,
    persons_visible_to,
    shown_to,
    withhold_names,
)

from . import notices, services
from .explanations import explanation_pieces
from .exports import FORMATS
from .imports import ImportFileError
from .models import (
    Candidate,
    Decision,
    EnquirerRelationship,
    Enquiry,
    EnquiryStatus,
    FamilyMessage,
    MessageDirection,
    MessageState,
    Notification,
    NotificationKind,
    Outcome,
    StatusChange,
    Transfer,
    TransferPurpose,
    Verification,
    VerificationKind,
    VerificationMethod,
)
from .selectors import (
    candidates_of,
    candidates_visible_to,
    caseload,
    enquiries_visible_to,
    shown_candidates,
    unread_notifications,
)


def _call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service; its Django ValidationError becomes a 400 with the same messages."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ValidationError(detail) from exc


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field described in the schema as a string listing its values, not as an
    enum: drf-spectacular names enum components after the field, and several apps use
    "status", "kind" or "scope" for different sets, which its checks report as errors."""
    values = ", ".join(repr(value) for value, _label in choices)
    field_class = extend_schema_field({"type": "string", "description": f"one of {values}"})(
        type("ListedChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


# -- serializers -----------------------------------------------------------------------------


class CaseloadExportRequestSerializer(serializers.Serializer):
    format = _choice([(f, f) for f in FORMATS], required=False, default="csv")
    purpose = _choice(
        [(p, p) for p in services.EXPORT_PURPOSES],
        required=False,
        default=services.DEFAULT_EXPORT_PURPOSE,
    )
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True)
    columns = serializers.ListField(
        child=_choice([(c, c) for c in services.EXPORT_COLUMNS]), required=False
    )
    passphrase = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, write_only=True
    )


class EnquirerNameSerializer(serializers.Serializer):
    kind = _choice(NameKind.choices, required=False, default="legal")
    given_name = serializers.CharField(required=False, allow_blank=True, default="")
    family_name = serializers.CharField(required=False, allow_blank=True, default="")
    father_name = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="")


class SoughtPersonSerializer(serializers.Serializer):
    given_name = serializers.CharField(required=False, allow_blank=True, default="")
    family_name = serializers.CharField(required=False, allow_blank=True, default="")
    father_name = serializers.CharField(required=False, allow_blank=True, default="")
    mother_name = serializers.CharField(required=False, allow_blank=True, default="")
    other_names = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="one name a line, any script"
    )
    gender = _choice(Gender.choices, required=False, default="")
    birth = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='year or date as known: "1965", "about 1965±3", "1344" (Solar Hijri)',
    )
    birth_place = serializers.CharField(required=False, allow_blank=True, default="")


class EnquiryCreateSerializer(serializers.Serializer):
    enquirer = serializers.IntegerField(
        required=False, help_text="id of a person in your caseload; or give enquirer_names"
    )
    enquirer_names = EnquirerNameSerializer(many=True, required=False)
    relationship = _choice(EnquirerRelationship.choices)
    relationship_detail = serializers.CharField(required=False, allow_blank=True, default="")
    sought = SoughtPersonSerializer()
    last_news_when = serializers.CharField(required=False, allow_blank=True, default="")
    last_news_where = serializers.CharField(required=False, allow_blank=True, default="")
    last_news_circumstances = serializers.CharField(required=False, allow_blank=True, default="")
    enquirer_contact = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="stored encrypted; never returned",
    )


class StatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    from_status = _choice([("", ""), *EnquiryStatus.choices], read_only=True)
    to_status = _choice(EnquiryStatus.choices, read_only=True)
    outcome = _choice([("", ""), *Outcome.choices], read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "outcome", "at", "by", "note"]


class EnquirySerializer(serializers.ModelSerializer):
    enquirer = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    sought_person = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    relationship = _choice(EnquirerRelationship.choices, read_only=True)
    sought_gender = _choice(Gender.choices, read_only=True)
    status = _choice(EnquiryStatus.choices, read_only=True)
    outcome = _choice([("", ""), *Outcome.choices], read_only=True)
    consent = serializers.SerializerMethodField()
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Enquiry
        fields = [
            "id",
            "reference",
            "enquirer",
            "relationship",
            "relationship_detail",
            "sought_given_name",
            "sought_family_name",
            "sought_father_name",
            "sought_mother_name",
            "sought_other_names",
            "sought_gender",
            "sought_birth_entered",
            "sought_birth_year",
            "sought_birth_place",
            "last_news_when",
            "last_news_where",
            "last_news_circumstances",
            "status",
            "outcome",
            "sought_person",
            "consent",
            "caseworker",
            "created_at",
            "updated_at",
            "closed_at",
            "status_changes",
        ]

    def get_consent(self, enquiry: Enquiry) -> str | None:
        """The decision in force (its scope), never what it discloses."""
        latest = self.context.get("latest_consents")  # read for a whole page at once
        if latest is None:
            return services.consent_scope(enquiry)
        return services.consent_scope(enquiry, latest=latest.get(enquiry.pk))

    def to_representation(self, enquiry: Enquiry) -> dict[str, Any]:
        """The declared fields written out by hand: the same keys, order and values as
        ModelSerializer's own to_representation (tests compare the two), at a fraction of
        its cost on a page of 50. The status changes come from `_with_status_changes` when
        the caller read them for a page; else they are read here in one query."""
        tz = timezone.get_current_timezone()
        changes = getattr(enquiry, "status_change_rows", None)
        if changes is None:
            changes = _status_change_rows([enquiry.pk])[enquiry.pk]
        return {
            "id": enquiry.pk,
            "reference": enquiry.reference,
            "enquirer": _related(enquiry, "enquirer", "reference"),
            "relationship": enquiry.relationship,
            "relationship_detail": enquiry.relationship_detail,
            "sought_given_name": enquiry.sought_given_name,
            "sought_family_name": enquiry.sought_family_name,
            "sought_father_name": enquiry.sought_father_name,
            "sought_mother_name": enquiry.sought_mother_name,
            "sought_other_names": enquiry.sought_other_names,
            "sought_gender": enquiry.sought_gender,
            "sought_birth_entered": enquiry.sought_birth_entered,
            "sought_birth_year": enquiry.sought_birth_year,
            "sought_birth_place": enquiry.sought_birth_place,
            "last_news_when": enquiry.last_news_when,
            "last_news_where": enquiry.last_news_where,
            "last_news_circumstances": enquiry.last_news_circumstances,
            "status": enquiry.status,
            "outcome": enquiry.outcome,
            "sought_person": _related(enquiry, "sought_person", "reference"),
            "consent": self.get_consent(enquiry),
            "caseworker": _related(enquiry, "caseworker", "username"),
            "created_at": _when(enquiry.created_at, tz),
            "updated_at": _when(enquiry.updated_at, tz),
            "closed_at": _when(enquiry.closed_at, tz),
            "status_changes": [
                {
                    "from_status": from_status,
                    "to_status": to_status,
                    "outcome": outcome,
                    "at": _when(at, tz),
                    "by": by,
                    "note": note,
                }
                for from_status, to_status, outcome, at, by, note in changes
            ],
        }


def _related(enquiry: Enquiry, name: str, slug: str) -> str | None:
    """A related record's slug as SlugRelatedField gives it: from the `<name>_<slug>`
    annotation of the list's query when there is one, else from the record itself."""
    annotated = f"{name}_{slug}"
    if annotated in enquiry.__dict__:
        return enquiry.__dict__[annotated]
    related = getattr(enquiry, name)
    return None if related is None else getattr(related, slug)


def _status_change_rows(enquiry_ids) -> dict[int, list[tuple]]:
    """The status changes of these enquiries in one query, oldest first (the model's
    ordering), each as (from_status, to_status, outcome, at, by's username, note)."""
    rows: dict[int, list[tuple]] = {pk: [] for pk in enquiry_ids}
    changes = (
        StatusChange.objects.filter(enquiry_id__in=rows)
        .order_by("enquiry_id", "at", "id")
        .values_list(
            "enquiry_id", "from_status", "to_status", "outcome", "at", "by__username", "note"
        )
    )
    for enquiry_id, *row in changes:
        rows[enquiry_id].append(row)
    return rows


def _slug(model, name: str, slug: str) -> Subquery:
    """The slug of the record an enquiry's foreign key `name` points to. A subquery, not a
    join: PostgreSQL reads it for the page's rows only (after the sort and the limit), and
    the count leaves it out."""
    return Subquery(model.objects.filter(pk=OuterRef(f"{name}_id")).values(slug)[:1])


# Built once: annotate() resolves a copy of each, never the expression itself.
_SLUGS = {
    "enquirer_reference": _slug(Person, "enquirer", "reference"),
    "sought_person_reference": _slug(Person, "sought_person", "reference"),
    "caseworker_username": _slug(User, "caseworker", "username"),
}


def _with_status_changes(enquiries: list[Enquiry]) -> list[Enquiry]:
    rows = _status_change_rows([enquiry.pk for enquiry in enquiries])
    for enquiry in enquiries:
        enquiry.status_change_rows = rows[enquiry.pk]
    return enquiries


class CandidatePersonSerializer(serializers.ModelSerializer):
    names = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "reference", "names", "birth_year", "birth_year_end", "birth_place"]

    def get_names(self, person: Person) -> list[str]:
        """Hidden names only for those who may see the person's record."""
        return _person_names(person, self.context)

    def to_representation(self, person: Person) -> dict[str, Any]:
        """By hand, as EnquirySerializer's: the same output as the declared fields."""
        return _candidate_person(person, self.context)


def _person_names(person: Person, context: dict[str, Any]) -> list[str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        names = person.names.all()
    else:
        viewable = context.get("viewable")
        names = names_visible_to(
            user, person, viewable=None if viewable is None else person.pk in viewable
        )
    return [str(name) for name in names if user is not None or not name.hidden]


def _candidate_person(person: Person, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "reference": person.reference,
        "names": _person_names(person, context),
        "birth_year": person.birth_year,
        "birth_year_end": person.birth_year_end,
        "birth_place": person.birth_place,
    }


class ExplanationLineSerializer(serializers.Serializer):
    """One field of a match explanation, translated (the schema of `explanation_lines`)."""

    text = serializers.CharField()
    stance = serializers.ChoiceField(
        choices=["for", "against", ""],
        help_text="whether the field speaks for or against the match; empty: a note, or "
        "evidence weaker than a likelihood ratio of 2",
    )


class CandidateSerializer(serializers.ModelSerializer):
    enquiry = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    person = CandidatePersonSerializer(read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decision = _choice(Decision.choices, read_only=True)
    explanation = serializers.SerializerMethodField()
    explanation_lines = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "id",
            "enquiry",
            "person",
            "rank",
            "score",
            "explanation",
            "explanation_lines",
            "evidence",
            "found_later",
            "proposed_at",
            "decision",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]

    def _shown(self, candidate: Candidate, value: Any) -> Any:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:  # no reader known: withhold, never show
            return withhold_names(value, hidden_name_texts([candidate.person_id]))
        viewable, hidden = self.context.get("viewable"), self.context.get("hidden_texts")
        if viewable is None or hidden is None:
            return shown_to(user, candidate.person, value)
        return shown_to(
            user,
            candidate.person,
            value,
            viewable=candidate.person_id in viewable,
            hidden_texts=hidden.get(candidate.person_id, []),
        )

    def get_explanation(self, candidate: Candidate) -> str:
        """Why it was proposed; a hidden name it matched on is withheld from other teams."""
        return self._shown(candidate, candidate.explanation)

    @extend_schema_field(ExplanationLineSerializer(many=True))
    def get_explanation_lines(self, candidate: Candidate) -> list[dict[str, str]]:
        """The explanation field by field in the language the caller asked for
        (Accept-Language), as the enquiry page shows it: `explanation` stays English."""
        pieces = explanation_pieces(self.get_explanation(candidate), candidate.evidence)
        return [{"text": p.text, "stance": p.stance} for p in pieces]

    @extend_schema_field(OpenApiTypes.ANY)
    def get_evidence(self, candidate: Candidate) -> Any:
        return self._shown(candidate, candidate.evidence)

    def to_representation(self, candidate: Candidate) -> dict[str, Any]:
        """By hand, as EnquirySerializer's: the same output as the declared fields."""
        tz = timezone.get_current_timezone()
        decided_by = candidate.decided_by
        return {
            "id": candidate.pk,
            "enquiry": candidate.enquiry.reference,
            "person": _candidate_person(candidate.person, self.context),
            "rank": candidate.rank,
            "score": float(candidate.score),
            "explanation": self.get_explanation(candidate),
            "explanation_lines": self.get_explanation_lines(candidate),
            "evidence": self.get_evidence(candidate),
            "found_later": candidate.found_later,
            "proposed_at": _when(candidate.proposed_at, tz),
            "decision": candidate.decision,
            "decided_by": None if decided_by is None else decided_by.username,
            "decided_at": _when(candidate.decided_at, tz),
            "decision_reason": candidate.decision_reason,
        }


def _candidates(request: Request, candidates) -> list:
    """Serialised for the caller; persons outside their caseload are logged as shown."""
    shown = shown_candidates(request.user, candidates, channel="api")
    # Which records the caller may open and the hidden names of the others: asked once
    # for the whole list, not per candidate and field.
    viewable = shown.viewable
    context = {
        "request": request,
        "viewable": viewable,
        "hidden_texts": hidden_name_texts_by_person(
            c.person for c in shown if c.person_id not in viewable
        ),
    }
    return CandidateSerializer(shown, many=True, context=context).data


class CandidateDecisionSerializer(serializers.Serializer):
    decision = _choice([c for c in Decision.choices if c[0] != Decision.PENDING])
    reason = serializers.CharField(max_length=300)


class CandidateReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class EnquiryNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EnquiryCloseSerializer(EnquiryNoteSerializer):
    outcome = _choice(Outcome.choices)


class EnquiryConsentSerializer(serializers.Serializer):
    scope = _choice(ConsentScope.choices)
    obtained_on = serializers.DateField()
    method = _choice(ConsentMethod.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    recorded_at = serializers.DateTimeField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    withdrawn_at = serializers.DateTimeField(read_only=True)
    withdrawal_reason = serializers.CharField(read_only=True)


class EnquiryConsentStateSerializer(serializers.Serializer):
    in_force = EnquiryConsentSerializer(allow_null=True)
    history = EnquiryConsentSerializer(many=True)


class ConsentWithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FamilyMessageSerializer(serializers.ModelSerializer):
    enquiry = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    delivered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    direction = _choice(MessageDirection.choices, read_only=True)
    state = _choice(MessageState.choices, read_only=True)

    class Meta:
        model = FamilyMessage
        fields = [
            "id",
            "enquiry",
            "direction",
            "text",
            "transcribed",
            "reply_to",
            "state",
            "author",
            "written_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "delivered_by",
            "delivered_at",
        ]
        read_only_fields = fields


class FamilyMessageCreateSerializer(serializers.Serializer):
    direction = _choice(MessageDirection.choices)
    text = serializers.CharField(max_length=4000)
    transcribed = serializers.BooleanField(required=False, default=False)


class FamilyMessageReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FamilyMessageDeliverySerializer(serializers.Serializer):
    delivered = serializers.BooleanField(help_text="false: it could not be delivered")


class FamilyMessageReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class FamilyReplyMessageSerializer(serializers.Serializer):
    text = serializers.CharField()
    written_at = serializers.DateTimeField()


class FamilyReplySerializer(serializers.Serializer):
    """Exactly what the sought person's consent lets the family learn."""

    enquiry = serializers.CharField(source="disclosure.enquiry_reference")
    consent = serializers.CharField(source="disclosure.scope")
    found = serializers.BooleanField(source="disclosure.found")
    deceased = serializers.BooleanField(source="disclosure.deceased")
    not_found = serializers.BooleanField(source="disclosure.not_found")
    messages_allowed = serializers.BooleanField(source="disclosure.may_relay_messages")
    verified = serializers.BooleanField(source="disclosure.verified")
    location = serializers.CharField(source="disclosure.location", allow_null=True)
    contact = serializers.CharField(source="disclosure.contact", allow_null=True)
    enquirer_name = serializers.CharField()
    sought_name = serializers.CharField()
    paragraphs = serializers.ListField(child=serializers.CharField())
    messages = FamilyReplyMessageSerializer(many=True)


class VerificationSerializer(serializers.Serializer):
    """The enquirer recognises the person found / the relationship is confirmed."""

    # plain strings (checked here and in the service): a "kind" enum would collide in the
    # schema with the other "kind" choice sets
    kind = serializers.CharField(
        max_length=20, help_text="one of: " + ", ".join(VerificationKind.values)
    )
    method = serializers.ChoiceField(choices=VerificationMethod.choices)

    def validate_kind(self, value: str) -> str:
        if value not in VerificationKind.values:
            raise ValidationError("one of: " + ", ".join(VerificationKind.values))
        return value

    verified_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class VerificationRecordSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Verification
        fields = ["id", "candidate", "kind", "method", "verified_on", "note", "by", "recorded_at"]


class TransferRequestSerializer(serializers.Serializer):
    """Send a partner organisation what the purpose needs about the person sought."""

    recipient = serializers.CharField(max_length=200)
    purpose = serializers.ChoiceField(choices=TransferPurpose.choices)
    basis = serializers.ChoiceField(choices=LegalBasis.choices)
    fields = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Transfer
        fields = ["id", "person", "recipient", "purpose", "basis", "fields", "sent", "note"]
        fields += ["by", "at"]


class TracingNotificationSerializer(serializers.ModelSerializer):
    enquiry = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    kind = _choice(NotificationKind.choices, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "enquiry", "candidate", "created_at", "read_at"]


# -- views -----------------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    kind = _choice([("persons", "persons"), ("enquiries", "enquiries")])
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, first row naming the columns")
    preview = serializers.BooleanField(
        required=False, default=False, help_text="check the rows only, create nothing"
    )


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    valid_rows = serializers.SerializerMethodField()
    existing = serializers.ListField(child=serializers.CharField())
    created = serializers.ListField(child=serializers.CharField())
    errors = ImportRowErrorSerializer(many=True)

    def get_valid_rows(self, report) -> int:
        return len(report.rows)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="A reference, or the sought person's name in any script or "
                "spelling, as the enquiry list's search finds it.",
            ),
            OpenApiParameter("status", str, enum=EnquiryStatus.values),
        ]
    )
)
class EnquiryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Enquiries in the caller's caseload. Others answer 404, as if they did not exist."""

    serializer_class = EnquirySerializer

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self._rows()
        if self.action == "candidates":  # the enquiry's id and reference are all it needs
            return enquiries_visible_to(self.request.user).only("id", "reference")
        return (
            enquiries_visible_to(self.request.user)
            .select_related("enquirer", "sought_person", "caseworker")
            .order_by("-created_at", "-id")
        )

    def _rows(self):
        """Lean rows to serialise: the related records' slugs read by subqueries (`_SLUGS`)
        rather than whole persons and users loaded, the sealed contact (never shown) left
        out. Joins would be cheaper to compile, but PostgreSQL would join every row of a
        supervisor's caseload before sorting it (9 ms instead of 3 for a thousand)."""
        rows = enquiries_visible_to(self.request.user)
        params = self.request.query_params
        query, status = params.get("q", "").strip(), params.get("status", "")
        if status and status not in EnquiryStatus.values:
            known = ", ".join(EnquiryStatus.values)
            raise ValidationError({"status": [f"unknown status {status!r}; one of {known}"]})
        if self.action == "list" and (query or status):
            found = caseload(self.request.user, status=status, query=query)
            rows = rows.filter(pk__in=found.values("pk").order_by())
        return rows.annotate(**_SLUGS).defer("enquirer_contact").order_by("-created_at", "-id")

    def _enquiry(self) -> Enquiry:
        return self.get_object()

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        enquiry = self.get_object()
        # the consent read as for a page of the list: the lean row has no sought person
        # loaded, and loading it only to ask for its consent would cost a query
        context = {
            **self.get_serializer_context(),
            "latest_consents": services.latest_enquiry_consents([enquiry]),
        }
        return Response(EnquirySerializer(enquiry, context=context).data)

    def _answer(self, enquiry: Enquiry, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=enquiry.pk)
        return Response(EnquirySerializer(fresh).data, status=code)

    @extend_schema(request=EnquiryCreateSerializer, responses={201: EnquirySerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = EnquiryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enquirer_id = values.pop("enquirer", None)
        names = values.pop("enquirer_names", None)
        enquirer = None
        if enquirer_id is not None:
            enquirer = get_object_or_404(persons_visible_to(request.user), pk=enquirer_id)
        enquiry = _call(
            services.create_enquiry,
            user=request.user,
            enquirer=enquirer,
            new_enquirer={"names": names} if names else None,
            **values,
        )
        return self._answer(enquiry, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("as", str, enum=list(FORMATS), description="csv (default) or xlsx"),
            OpenApiParameter(
                "purpose",
                str,
                enum=list(services.EXPORT_PURPOSES),
                description="why the export is made: it holds only what this purpose needs",
            ),
            OpenApiParameter("for", str, description="for whom it is made (audited)"),
            OpenApiParameter(
                "columns", str, description="comma-separated columns (default: the purpose's)"
            ),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @extend_schema(
        methods=["POST"],
        request=CaseloadExportRequestSerializer,
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get", "post"])
    def export(self, request: Request) -> HttpResponse:
        """The caller's caseload as CSV or XLSX, minimised to the purpose and the columns
        asked for; POST with a passphrase for an AES-256 ZIP (required for large exports)."""
        if request.method == "POST":
            body = CaseloadExportRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            values = body.validated_data
            fmt, columns = values["format"], values.get("columns") or None
            purpose, recipient = values["purpose"], values.get("recipient", "")
            passphrase = values.get("passphrase", "")
        else:
            fmt = request.query_params.get("as", "csv")
            if fmt not in FORMATS:
                raise ValidationError({"as": "use csv or xlsx"})
            purpose = request.query_params.get("purpose", services.DEFAULT_EXPORT_PURPOSE)
            recipient = request.query_params.get("for", "")
            listed = request.query_params.get("columns", "")
            columns = [c.strip() for c in listed.split(",") if c.strip()] or None
            passphrase = ""  # never in a URL
        export = _call(
            services.export_caseload_file,
            user=request.user,
            fmt=fmt,
            purpose=purpose,
            recipient=recipient,
            columns=columns,
            passphrase=passphrase,
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses=ImportReportSerializer,
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Import persons or enquiries from CSV/XLSX: row errors name line and field; rows
        imported before (same id) are skipped, so the same file can be sent again."""
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        run = services.preview_import if data.validated_data["preview"] else services.run_import
        try:
            report = _call(
                run,
                user=request.user,
                kind=data.validated_data["kind"],
                data=upload.read(),
                filename=upload.name,
            )
        except ImportFileError as exc:
            raise ValidationError({"file": str(exc)}) from exc
        return Response(ImportReportSerializer(report).data)

    @extend_schema(request=None, responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def search(self, request: Request, pk=None) -> Response:
        """Ask the matching engine again."""
        enquiry = self._enquiry()
        _call(services.start_search, user=request.user, enquiry=enquiry)
        return Response(_candidates(request, candidates_of(enquiry)))

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request: Request, pk=None) -> Response:
        return Response(_candidates(request, candidates_of(self._enquiry())))

    @extend_schema(request=EnquiryNoteSerializer, responses=EnquirySerializer)
    @action(detail=True, methods=["post"])
    def asked(self, request: Request, pk=None) -> Response:
        """The sought person has been asked."""
        data = EnquiryNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = self._enquiry()
        _call(services.mark_person_asked, user=request.user, enquiry=enquiry, **data.validated_data)
        return self._answer(enquiry)

    @extend_schema(request=EnquiryCloseSerializer, responses=EnquirySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk=None) -> Response:
        data = EnquiryCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = self._enquiry()
        _call(services.close_enquiry, user=request.user, enquiry=enquiry, **data.validated_data)
        return self._answer(enquiry)

    @extend_schema(request=EnquiryNoteSerializer, responses=EnquirySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk=None) -> Response:
        data = EnquiryNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = self._enquiry()
        _call(services.reopen_enquiry, user=request.user, enquiry=enquiry, **data.validated_data)
        return self._answer(enquiry)

    def _consent_state(self, enquiry: Enquiry) -> Response:
        history = (
            list(consent_history(enquiry.sought_person, enquiry.consent_context))
            if enquiry.sought_person_id
            else []
        )
        state = {"in_force": services.enquiry_consent(enquiry), "history": history}
        return Response(EnquiryConsentStateSerializer(state).data)

    @extend_schema(methods=["GET"], responses=EnquiryConsentStateSerializer)
    @extend_schema(
        methods=["POST"], request=EnquiryConsentSerializer, responses=EnquiryConsentStateSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def consent(self, request: Request, pk=None) -> Response:
        """The sought person's decision for this enquiry (recording one replaces it)."""
        enquiry = self._enquiry()
        if request.method == "POST":
            data = EnquiryConsentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            _call(
                services.record_enquiry_consent,
                user=request.user,
                enquiry=enquiry,
                **data.validated_data,
            )
            enquiry.refresh_from_db()
        return self._consent_state(enquiry)

    @extend_schema(request=ConsentWithdrawalSerializer, responses=EnquiryConsentStateSerializer)
    @action(detail=True, methods=["post"], url_path="consent/withdraw")
    def withdraw_consent(self, request: Request, pk=None) -> Response:
        data = ConsentWithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = self._enquiry()
        _call(
            services.withdraw_enquiry_consent,
            user=request.user,
            enquiry=enquiry,
            **data.validated_data,
        )
        return self._consent_state(enquiry)

    @extend_schema(responses=FamilyReplySerializer)
    @action(detail=True, methods=["get"], url_path="family-reply")
    def family_reply(self, request: Request, pk=None) -> Response:
        """What the family may be told, exactly as the consent allows (audited)."""
        reply = services.family_reply(self._enquiry(), user=request.user, channel="api")
        return Response(FamilyReplySerializer(reply).data)

    @extend_schema(request=TransferRequestSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk=None) -> Response:
        """Transfer the person sought to a partner organisation: recipient, purpose and legal
        basis recorded, only what the purpose needs sent; no consent is changed."""
        data = TransferRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = self._enquiry()
        if enquiry.sought_person is None:
            raise ValidationError({"enquiry": "confirm a candidate first"})
        transfer = _call(
            services.transfer_to_partner,
            user=request.user,
            person=enquiry.sought_person,
            enquiry=enquiry,
            **data.validated_data,
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=FamilyMessageSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=FamilyMessageCreateSerializer, responses=FamilyMessageSerializer
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request: Request, pk=None) -> Response:
        enquiry = self._enquiry()
        if request.method == "POST":
            data = FamilyMessageCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            message = _call(
                services.write_message,
                user=request.user,
                enquiry=enquiry,
                **data.validated_data,
            )
            return Response(FamilyMessageSerializer(message).data, status=status.HTTP_201_CREATED)
        return Response(FamilyMessageSerializer(enquiry.messages.all(), many=True).data)

    # Last in the class: its name would shadow the builtin `list` in the decorators above.
    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page = _with_status_changes(page)
        context = {
            **self.get_serializer_context(),
            # the consents of the page's sought persons in one query, not one per enquiry
            "latest_consents": services.latest_enquiry_consents(page),
        }
        return self.get_paginated_response(EnquirySerializer(page, many=True, context=context).data)


class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Candidates of the enquiries in the caller's caseload (filter with ?enquiry=<id>)."""

    serializer_class = CandidateSerializer

    def get_queryset(self):
        candidates = (
            candidates_visible_to(self.request.user)
            .select_related("enquiry", "person", "decided_by")
            .prefetch_related("person__names")
            .order_by("enquiry_id", "-score", "id")
        )
        enquiry = self.request.query_params.get("enquiry", "")
        return candidates.filter(enquiry_id=enquiry) if enquiry.isdigit() else candidates

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(_candidates(request, page))

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(_candidates(request, [self.get_object()])[0])

    def _decide(self, request: Request, decision: str, reason: str) -> Response:
        candidate = self.get_object()
        _call(
            services.decide_candidate,
            user=request.user,
            candidate=candidate,
            decision=decision,
            reason=reason,
        )
        return Response(_candidates(request, [self.get_queryset().get(pk=candidate.pk)])[0])

    @extend_schema(request=CandidateDecisionSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        """Same person / not the same / unsure, with a reason (can be reversed later)."""
        data = CandidateDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, **data.validated_data)

    @extend_schema(request=CandidateReasonSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        data = CandidateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, Decision.SAME, data.validated_data["reason"])

    @extend_schema(request=CandidateReasonSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        data = CandidateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, Decision.NOT_SAME, data.validated_data["reason"])

    @extend_schema(request=VerificationSerializer, responses=VerificationRecordSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk=None) -> Response:
        """Record that the enquirer recognises the person found or that the relationship is
        confirmed (who, when, how, note): required before anything is disclosed."""
        data = VerificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = _call(
            services.record_verification,
            user=request.user,
            candidate=self.get_object(),
            **data.validated_data,
        )
        return Response(
            VerificationRecordSerializer(verification).data, status=status.HTTP_201_CREATED
        )


class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Family messages of the enquiries in the caller's caseload (?state=draft to review)."""

    serializer_class = FamilyMessageSerializer

    def get_queryset(self):
        messages = (
            FamilyMessage.objects.filter(enquiry__in=enquiries_visible_to(self.request.user))
            .select_related("enquiry", "author", "reviewed_by", "delivered_by")
            .order_by("written_at", "id")
        )
        state = self.request.query_params.get("state", "")
        return messages.filter(state=state) if state else messages

    @extend_schema(request=FamilyMessageReviewSerializer, responses=FamilyMessageSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Approve for delivery, or send back with a note (never by the author)."""
        data = FamilyMessageReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = _call(
            services.review_message,
            user=request.user,
            message=self.get_object(),
            **data.validated_data,
        )
        return Response(FamilyMessageSerializer(message).data)

    @extend_schema(request=FamilyMessageDeliverySerializer, responses=FamilyMessageSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk=None) -> Response:
        data = FamilyMessageDeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = _call(
            services.deliver_message,
            user=request.user,
            message=self.get_object(),
            **data.validated_data,
        )
        return Response(FamilyMessageSerializer(message).data)

    @extend_schema(request=FamilyMessageReplySerializer, responses={201: FamilyMessageSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk=None) -> Response:
        """Record the recipient's answer: a new draft in the other direction."""
        data = FamilyMessageReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = _call(
            services.record_reply,
            user=request.user,
            message=self.get_object(),
            text=data.validated_data["text"],
        )
        return Response(FamilyMessageSerializer(answer).data, status=status.HTTP_201_CREATED)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's unread notifications."""

    serializer_class = TracingNotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        return unread_notifications(self.request.user)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        services.mark_notification_read(user=request.user, notification=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- public tracing notice (issue 10) ---------------------------------------------------------


class NoticeStateSerializer(serializers.Serializer):
    """The notice of an enquiry as its caseworker sees it: whether it is published, its
    public address, and the only fields it shows (the photo is served on the notice only)."""

    published = serializers.BooleanField()
    url = serializers.CharField(allow_blank=True)
    consent_given_on = serializers.DateField(allow_null=True)
    enquirer_first_name = serializers.CharField(allow_blank=True)
    relationship = serializers.CharField(allow_blank=True)
    sought_name = serializers.CharField(allow_blank=True)
    reference = serializers.CharField()
    has_photo = serializers.BooleanField()


class PublicationConsentSerializer(serializers.Serializer):
    obtained_on = serializers.DateField()
    method = _choice(ConsentMethod.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NoticePhotoSerializer(serializers.Serializer):
    photo = serializers.FileField()


class PublicationWithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class _EnquiryNoticeView(APIView):
    def _enquiry(self, pk: int) -> Enquiry:
        return get_object_or_404(enquiries_visible_to(self.request.user), pk=pk)

    def _state(self, request: Request, enquiry: Enquiry, code: int = 200) -> Response:
        notice = notices.notice_of(enquiry)
        consent = notices.publication_consent(enquiry)
        published = notice is not None and notices.is_published(notice)
        content = notices.notice_content(notice) if notice is not None else None
        url = (
            request.build_absolute_uri(reverse("tracing:notice_public", args=[notice.token]))
            if published
            else ""
        )
        state = {
            "published": published,
            "url": url,
            "consent_given_on": consent.obtained_on if consent else None,
            "enquirer_first_name": content.enquirer_first_name if content else "",
            "relationship": content.relationship if content else "",
            "sought_name": content.sought_name if content else "",
            "reference": enquiry.reference,
            "has_photo": bool(content and content.has_photo),
        }
        return Response(NoticeStateSerializer(state).data, status=code)


class EnquiryNoticeView(_EnquiryNoticeView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=NoticeStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The enquiry's public notice: published or not, its address, what it shows."""
        return self._state(request, self._enquiry(pk))

    @extend_schema(
        request={"multipart/form-data": NoticePhotoSerializer}, responses=NoticeStateSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        """Store the enquirer's photo (needs their consent to publication in force)."""
        enquiry = self._enquiry(pk)
        data = NoticePhotoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["photo"]
        _call(
            notices.prepare_notice,
            user=request.user,
            enquiry=enquiry,
            photo=upload.read(notices.MAX_PHOTO_BYTES + 1),
        )
        return self._state(request, enquiry)


class EnquiryNoticeConsentView(_EnquiryNoticeView):
    @extend_schema(request=PublicationConsentSerializer, responses={201: NoticeStateSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Record the enquirer's consent to publish a notice for this enquiry."""
        enquiry = self._enquiry(pk)
        data = PublicationConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(
            notices.record_publication_consent,
            user=request.user,
            enquiry=enquiry,
            **data.validated_data,
        )
        return self._state(request, enquiry, status.HTTP_201_CREATED)


class EnquiryNoticeWithdrawView(_EnquiryNoticeView):
    @extend_schema(request=PublicationWithdrawalSerializer, responses=NoticeStateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The enquirer withdraws their consent: the notice is unpublished at once."""
        enquiry = self._enquiry(pk)
        data = PublicationWithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(
            notices.withdraw_publication_consent,
            user=request.user,
            enquiry=enquiry,
            reason=data.validated_data["reason"],
        )
        return self._state(request, enquiry)


# -- transfers to partner organisations (issue 10) --------------------------------------------


class TransferCreateSerializer(TransferRequestSerializer):
    enquiry = serializers.IntegerField(help_text="the enquiry whose person sought is transferred")


class TransferViewSet(viewsets.ReadOnlyModelViewSet):
    """Transfers of the persons and enquiries the caller may see: recipient, purpose, legal
    basis and exactly what was sent. POST transfers the person sought by an enquiry; a
    transfer never changes a consent."""

    serializer_class = TransferSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Transfer.objects.none()
        return services.transfers_visible_to(self.request.user).order_by("-at", "-id")

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request: Request) -> Response:
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enquiry = get_object_or_404(enquiries_visible_to(request.user), pk=values.pop("enquiry"))
        if enquiry.sought_person is None:
            raise ValidationError({"enquiry": "confirm a candidate first"})
        transfer = _call(
            services.transfer_to_partner,
            user=request.user,
            person=enquiry.sought_person,
            enquiry=enquiry,
            **values,
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)
