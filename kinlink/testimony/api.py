"""REST endpoints for testimonies (mounted under /api/ by api_urls.py).

The same selectors and services as the pages: records outside the caller's reach answer
404, rules raise 403 or 400. Serializers never include a sealed field; the account is read
only through `reveal`, which takes a reason and is audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kinlink.accounts.roles import may_see_reports
from kinlink.people.models import ConsentMethod, Person
from kinlink.people.selectors import persons_visible_to

from . import evidence, jobs, selectors, services
from .models import (
    Attachment,
    AttachmentKind,
    DatePrecision,
    Event,
    EventType,
    EventVersion,
    EvidenceExport,
    ExportJob,
    JobStatus,
    ParticipantRole,
    Place,
    PlaceKind,
    Purpose,
    SourceKind,
    Testimony,
    TestimonyConsent,
    Use,
)


def _call(service: Callable[..., Any], **kwargs) -> Any:
    """Run a service; its Django validation errors become 400 answers."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ApiValidationError(detail) from exc


def _visible_person(user, pk: int) -> Person:
    person = persons_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise ApiValidationError({"person": ["No such person in your caseload."]})
    return person


# -- serializers ---------------------------------------------------------------------------


class TextChoiceField(serializers.ChoiceField):
    """A choice field documented with a pattern instead of an enum: drf-spectacular hoists
    every enum into a component named after the field, and the same names ("kind",
    "purpose", "method") mean other choice sets in other apps."""


class TextChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = TextChoiceField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        values = [str(value) for value in self.target.choices if value != ""]
        return {
            "type": "string",
            "pattern": "^(" + "|".join(re.escape(v) for v in values) + ")$",
            "description": "one of: " + ", ".join(values),
        }


class ModelSerializer(serializers.ModelSerializer):
    serializer_choice_field = TextChoiceField


class TestimonySerializer(ModelSerializer):
    witness_reference = serializers.CharField(source="witness.reference", read_only=True)
    interviewer = serializers.CharField(
        source="interviewer.username", read_only=True, allow_null=True
    )
    uses_in_force = serializers.SerializerMethodField()
    # "" for an interview: a plain string, not the model's URL format
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Testimony
        fields = [
            "id",
            "reference",
            "witness",
            "witness_reference",
            "recorded_on",
            "recorded_place",
            "interviewer",
            "language",
            "source_kind",
            "source_url",
            "source_captured_on",
            "uses_in_force",
            "created_at",
        ]
        read_only_fields = fields

    def get_uses_in_force(self, obj: Testimony) -> list[str]:
        return sorted(selectors.uses_in_force(obj))


class TestimonyCreateSerializer(serializers.Serializer):
    witness = serializers.IntegerField()
    recorded_on = serializers.DateField()
    recorded_place = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="")
    source_kind = TextChoiceField(SourceKind.choices, default=SourceKind.INTERVIEW)
    source_url = serializers.URLField(required=False, allow_blank=True, default="")
    source_captured_on = serializers.DateField(required=False, allow_null=True, default=None)
    account = serializers.CharField(write_only=True, trim_whitespace=False)
    uses = serializers.ListField(child=TextChoiceField(Use.choices), default=list)
    consent_method = TextChoiceField(ConsentMethod.choices, default="in_person")


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ConsentSerializer(ModelSerializer):
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = TestimonyConsent
        fields = ["id", "use", "granted", "given_on", "method", "note", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


class NamingConsentSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    purpose = TextChoiceField(Purpose.choices)
    granted = serializers.BooleanField()
    given_on = serializers.DateField()
    method = TextChoiceField(ConsentMethod.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EventSerializer(ModelSerializer):
    testimony = serializers.CharField(source="testimony.reference", read_only=True)
    event_type = serializers.CharField(source="event_type.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, allow_null=True)
    participants = serializers.SerializerMethodField()
    has_passage = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "testimony",
            "event_type",
            "place",
            "place_name",
            "place_detail",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "earliest",
            "latest",
            "participants",
            "has_passage",
        ]
        read_only_fields = fields

    def get_participants(self, obj: Event) -> list[dict]:
        return [
            {"role": p.role, "person": p.person_id, "description": p.description}
            for p in obj.participants.all()
        ]

    def get_has_passage(self, obj: Event) -> bool:
        return obj.passage is not None


class ParticipantInputSerializer(serializers.Serializer):
    role = TextChoiceField(ParticipantRole.choices)
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EventCreateSerializer(serializers.Serializer):
    event_type = serializers.SlugRelatedField(
        slug_field="code", queryset=EventType.objects.filter(active=True)
    )
    place = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), required=False, allow_null=True, default=None
    )
    place_detail = serializers.CharField(required=False, allow_blank=True, default="")
    start = serializers.DateField(required=False, allow_null=True, default=None)
    start_precision = TextChoiceField(DatePrecision.choices, default="day")
    end = serializers.DateField(required=False, allow_null=True, default=None)
    end_precision = TextChoiceField(DatePrecision.choices, default="day")
    participants = ParticipantInputSerializer(many=True, default=list)
    passage = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True, trim_whitespace=False
    )


class AttachmentSerializer(ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "identifies_people",
            "uploaded_at",
        ]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = TextChoiceField(AttachmentKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    identifies_people = serializers.BooleanField(default=True)


class PlaceSerializer(ModelSerializer):
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Place
        fields = ["id", "name", "kind", "country", "note", "aliases"]
        read_only_fields = ["id"]

    def get_aliases(self, obj: Place) -> list[str]:
        return [alias.name for alias in obj.aliases.all()]


class PlaceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = TextChoiceField(PlaceKind.choices, default=PlaceKind.OTHER)
    country = serializers.CharField(required=False, allow_blank=True, default="")
    aliases = serializers.ListField(child=serializers.CharField(), default=list)


class EventTypeSerializer(ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = EventType
        fields = ["code", "name", "label", "active"]
        read_only_fields = ["code", "label", "active"]


class ExportSerializer(ModelSerializer):
    recipient = serializers.CharField(source="recipient.name")
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = EvidenceExport
        fields = [
            "id",
            "reference",
            "recipient",
            "purpose",
            "note",
            "size",
            "sha256",
            "manifest_sha256",
            "testimony_count",
            "event_count",
            "attachment_count",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ExportCreateSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=200)
    purpose = TextChoiceField(Purpose.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    testimonies = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text="references (T-000001); left out: every testimony the purpose allows",
    )


def _export_request(request: Request) -> dict:
    data = _valid(ExportCreateSerializer, request)
    data["testimony_ids"] = _call(
        selectors.testimony_ids_from_references,
        user=request.user,
        references=data.pop("testimonies"),
    )
    return data


class VersionSerializer(serializers.Serializer):
    """Who changed a version, when and why; never its text."""

    number = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.CharField(allow_null=True, help_text="display name")
    reason = serializers.CharField(allow_blank=True)


class EventVersionsSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    event_type = serializers.CharField()
    version = serializers.IntegerField()
    versions = VersionSerializer(many=True)


@extend_schema_serializer(many=False)
class VersionsSerializer(serializers.Serializer):
    account_version = serializers.IntegerField()
    account = VersionSerializer(many=True)
    events = EventVersionsSerializer(many=True)


class VersionTextSerializer(VersionSerializer):
    text = serializers.CharField(allow_blank=True)


class EventVersionTextSerializer(VersionSerializer):
    snapshot = serializers.DictField()


class EventHistorySerializer(serializers.Serializer):
    event = serializers.IntegerField()
    versions = EventVersionTextSerializer(many=True)


@extend_schema_serializer(many=False)
class HistorySerializer(serializers.Serializer):
    account = VersionTextSerializer(many=True)
    events = EventHistorySerializer(many=True)


class CorrectAccountSerializer(serializers.Serializer):
    account = serializers.CharField(write_only=True, trim_whitespace=False)
    reason = serializers.CharField(max_length=500)


class EventCorrectSerializer(EventCreateSerializer):
    reason = serializers.CharField(max_length=500)
    # left out or null: the passage stays as it is; "" removes it
    passage = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        write_only=True,
        trim_whitespace=False,
    )


class MentionsInputSerializer(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1)


@extend_schema_serializer(many=False)
class MentionCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class ExportJobSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    export = serializers.IntegerField(source="export_id", read_only=True, allow_null=True)
    export_reference = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "recipient",
            "purpose",
            "note",
            "status",
            "percent",
            "done",
            "total",
            "error",
            "export",
            "export_reference",
            "requested_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_export_reference(self, obj: ExportJob) -> str | None:
        return obj.export.reference if obj.export_id else None


class JobNotReadySerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.CharField()


# -- views ---------------------------------------------------------------------------------


@extend_schema_serializer(many=False)  # one page object, not a list to paginate
class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True)
    page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TestimonySerializer(many=True)


def _page_link(request: Request, number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


SEARCH_PARAMETERS = [
    OpenApiParameter("page", int),
    OpenApiParameter("q", str, description="words, in any script"),
    OpenApiParameter("event_type", str, description="event type code"),
    OpenApiParameter("place", int),
    OpenApiParameter("since", str, description="YYYY-MM-DD"),
    OpenApiParameter("until", str, description="YYYY-MM-DD"),
    OpenApiParameter("person", int),
]


class TestimonyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Testimonies in the caller's caseload, searchable in any script. Others answer 404."""

    serializer_class = TestimonySerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.testimonies_visible_to(self.request.user).select_related(
            "witness", "interviewer"
        )

    def _query(self) -> selectors.SearchQuery:
        params = self.request.query_params
        form_fields: dict[str, Any] = {"text": params.get("q", "")}
        if params.get("event_type"):
            form_fields["event_type"] = EventType.objects.filter(code=params["event_type"]).first()
        if params.get("place"):
            form_fields["place"] = Place.objects.filter(pk=_int(params["place"])).first()
        if params.get("person"):
            form_fields["person"] = Person.objects.filter(pk=_int(params["person"])).first()
        for name in ("since", "until"):
            if params.get(name):
                form_fields[name] = serializers.DateField().to_internal_value(params[name])
        return selectors.SearchQuery(**form_fields)

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=SearchPageSerializer)
    def list(self, request: Request, *args, **kwargs) -> Response:
        """Search. `count` goes up to 1000, and is null for a broad search (every word
        common), which is read page by page: follow `next`."""
        results = selectors.search_testimonies(request.user, self._query())
        number = _int(request.query_params.get("page", "1"))
        page = results.page(number)
        rows = page.testimonies
        return Response(
            {
                "count": page.count,
                "page": page.number,
                "next": _page_link(request, number + 1) if page.has_next else None,
                "previous": _page_link(request, number - 1) if page.has_previous else None,
                "results": TestimonySerializer(rows, many=True).data,
            }
        )

    @extend_schema(request=TestimonyCreateSerializer, responses={201: TestimonySerializer})
    def create(self, request: Request) -> Response:
        data = _valid(TestimonyCreateSerializer, request)
        data["witness"] = _visible_person(request.user, data["witness"])
        testimony = _call(services.record_testimony, user=request.user, **data)
        return Response(TestimonySerializer(testimony).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RevealSerializer,
        responses=inline_serializer("Account", {"account": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk=None) -> Response:
        """The account in clear; the read is audited with the reason given."""
        data = _valid(RevealSerializer, request)
        text = _call(
            services.reveal_account,
            user=request.user,
            testimony=self.get_object(),
            reason=data["reason"],
        )
        response = Response({"account": text})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=ConsentSerializer, responses=ConsentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consents(self, request: Request, pk=None) -> Response:
        """The history of the witness's consent to each use; POST adds a record (a
        withdrawal is a record with granted=false)."""
        testimony = self.get_object()
        if request.method == "POST":
            data = _valid(ConsentSerializer, request)
            _call(services.record_use_consent, user=request.user, testimony=testimony, **data)
        history = selectors.consent_history(testimony)
        return Response(ConsentSerializer(history, many=True).data)

    @extend_schema(request=EventCreateSerializer, responses=EventSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def events(self, request: Request, pk=None) -> Response:
        testimony = self.get_object()
        if request.method == "POST":
            data = _valid(EventCreateSerializer, request)
            data["participants"] = _participants(request.user, data["participants"])
            _call(services.add_event, user=request.user, testimony=testimony, **data)
        events = selectors.with_event_details(testimony.events.all()).order_by("earliest", "id")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(request=AttachmentUploadSerializer, responses=AttachmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attachments(self, request: Request, pk=None) -> Response:
        testimony = self.get_object()
        if request.method == "POST":
            data = _valid(AttachmentUploadSerializer, request)
            data["upload"] = data.pop("file")
            _call(services.add_attachment, user=request.user, testimony=testimony, **data)
        return Response(AttachmentSerializer(testimony.attachments.all(), many=True).data)

    @extend_schema(responses=VersionsSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk=None) -> Response:
        """Who corrected the account and each event, when and why; no text (read it with
        `history`, giving a reason)."""
        testimony = self.get_object()
        events = testimony.events.select_related("event_type").prefetch_related(
            Prefetch("versions", queryset=EventVersion.objects.select_related("recorded_by"))
        )
        return Response(
            {
                "account_version": testimony.account_version,
                "account": [_version(v) for v in selectors.account_versions(testimony)],
                "events": [
                    {
                        "event": event.pk,
                        "event_type": event.event_type.code,
                        "version": event.version,
                        "versions": [_version(v) for v in event.versions.all()],
                    }
                    for event in events.order_by("id")
                ],
            }
        )

    @extend_schema(request=RevealSerializer, responses=HistorySerializer)
    @action(detail=True, methods=["post"])
    def history(self, request: Request, pk=None) -> Response:
        """Every version of the account and of each event, newest first, in clear; each
        version read is audited with the reason, as on the history page."""
        data = _valid(RevealSerializer, request)
        accounts, events = _call(
            services.reveal_history,
            user=request.user,
            testimony=self.get_object(),
            reason=data["reason"],
        )
        body = {
            "account": [{**_version_text(v), "text": v.text} for v in accounts],
            "events": [
                {
                    "event": history.event.pk,
                    "versions": [
                        {**_version_text(v), "snapshot": json.loads(v.text or "{}")}
                        for v in history.versions
                    ],
                }
                for history in events
            ],
        }
        response = Response(body)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=CorrectAccountSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"])
    def correction(self, request: Request, pk=None) -> Response:
        """Correct the account: a new version, with the reason; earlier ones are kept."""
        data = _valid(CorrectAccountSerializer, request)
        version = _call(
            services.correct_account, user=request.user, testimony=self.get_object(), **data
        )
        return Response(_version(version), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MentionsInputSerializer,
        responses={200: MentionCountSerializer, 201: MentionCountSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def mentions(self, request: Request, pk=None) -> Response:
        """How many people the account mentions without a record (their names are sealed
        and never answered, as on the page); POST lists one more person's names and
        aliases, which every bundle redacts."""
        testimony = self.get_object()
        if request.method == "POST":
            data = _valid(MentionsInputSerializer, request)
            _call(
                services.add_mentioned_person,
                user=request.user,
                testimony=testimony,
                names=data["names"],
            )
            return Response({"count": testimony.mentions.count()}, status=status.HTTP_201_CREATED)
        return Response({"count": testimony.mentions.count()})


def _version(version) -> dict:
    """An account or event version row as VersionSerializer describes it."""
    by = version.recorded_by
    return {
        "number": version.number,
        "recorded_at": serializers.DateTimeField().to_representation(version.recorded_at),
        "recorded_by": by.display_name if by else None,
        "reason": version.reason,
    }


def _version_text(version: services.VersionText) -> dict:
    return {
        "number": version.number,
        "recorded_at": serializers.DateTimeField().to_representation(version.recorded_at),
        "recorded_by": version.recorded_by or None,
        "reason": version.reason,
    }


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiValidationError({"detail": [f"{value!r} is not a number"]}) from None


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema(responses={200: bytes, 409: None})
@api_view(["GET"])
def attachment_download(request: Request, pk: int):
    """The file, verified against its fingerprint first; 409 (and an audit entry) when the
    file on disk is not the file uploaded."""
    visible = selectors.testimonies_visible_to(request.user)
    attachment = (
        Attachment.objects.select_related("testimony").filter(pk=pk, testimony__in=visible).first()
    )
    if attachment is None:
        raise NotFound()
    try:
        handle = services.open_attachment(user=request.user, attachment=attachment)
    except services.AttachmentIntegrityError:
        return Response(
            {"detail": "The file on disk is not the file that was uploaded; refused."},
            status=status.HTTP_409_CONFLICT,
        )
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(request=NamingConsentSerializer, responses={201: NamingConsentSerializer})
@api_view(["POST"])
def naming_consent(request: Request):
    """Record that a person agrees, or no longer agrees, to be named for a purpose."""
    data = _valid(NamingConsentSerializer, request)
    person = Person.objects.filter(pk=data.pop("person")).first()
    if person is None:
        raise NotFound()
    try:
        record = _call(services.record_naming_consent, user=request.user, person=person, **data)
    except DjangoPermissionDenied:
        raise NotFound() from None
    body = NamingConsentSerializer({**data, "person": record.person_id}).data
    return Response(body, status=status.HTTP_201_CREATED)


def _participants(user, rows: list[dict]) -> list[services.ParticipantInput]:
    return [
        services.ParticipantInput(
            role=p["role"],
            person=_visible_person(user, p["person"]) if p["person"] else None,
            description=p["description"],
        )
        for p in rows
    ]


@extend_schema(request=EventCorrectSerializer, responses={201: VersionSerializer})
@api_view(["POST"])
def event_correction(request: Request, pk: int):
    """Correct an event with its whole new state and a reason: a new version; earlier ones
    are kept. `passage` left out or null keeps the passage."""
    event = selectors.events_visible_to(request.user).select_related("testimony").filter(pk=pk)
    event = event.first()
    if event is None:
        raise NotFound()
    data = _valid(EventCorrectSerializer, request)
    data["participants"] = _participants(request.user, data["participants"])
    version = _call(services.correct_event, user=request.user, event=event, **data)
    return Response(_version(version), status=status.HTTP_201_CREATED)


@extend_schema(responses=EventSerializer(many=True))
@api_view(["GET"])
def timeline(request: Request, person_pk: int):
    """Events a person is part of, in the testimonies the caller may see."""
    person = Person.objects.filter(pk=person_pk).first()
    events = list(selectors.timeline_of(request.user, person)) if person else []
    if person is None or not (events or persons_visible_to(request.user).filter(pk=person_pk)):
        raise NotFound()
    return Response(EventSerializer(events, many=True).data)


class PlaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The gazetteer. `?q=` finds a place by any of its names, in any script."""

    serializer_class = PlaceSerializer

    def get_queryset(self):
        query = self.request.query_params.get("q", "").strip()
        places = selectors.places_matching(query) if query else Place.objects.order_by("name")
        return places.prefetch_related("aliases")

    @extend_schema(parameters=[OpenApiParameter("q", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PlaceCreateSerializer, responses={201: PlaceSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(PlaceCreateSerializer, request)
        place = _call(services.create_place, user=request.user, **data)
        return Response(PlaceSerializer(place).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request: Request, pk=None) -> Response:
        """What happened at this place, in the testimonies the caller may see."""
        events = selectors.events_at_place(request.user, self.get_object())
        return Response(EventSerializer(events, many=True).data)


class EventTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EventTypeSerializer
    queryset = EventType.objects.all()
    pagination_class = None

    @extend_schema(request=EventTypeSerializer, responses={201: EventTypeSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(EventTypeSerializer, request)
        event_type = _call(services.add_event_type, user=request.user, name=data["name"])
        return Response(EventTypeSerializer(event_type).data, status=status.HTTP_201_CREATED)


class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evidence bundles: supervisors (their own) and data-protection officers."""

    serializer_class = ExportSerializer

    def get_queryset(self):
        return selectors.exports_visible_to(self.request.user)

    @extend_schema(request=ExportCreateSerializer, responses={201: ExportSerializer})
    def create(self, request: Request) -> Response:
        data = _export_request(request)
        export = _call(evidence.export_evidence, user=request.user, **data)
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk=None):
        return _export_download(request, self.get_object())


# Bundles of up to this many testimonies are built during the request, as on the page.
INLINE_EXPORT_LIMIT = 25


def _export_download(request: Request, export: EvidenceExport) -> FileResponse:
    handle = evidence.open_export(user=request.user, export=export)
    response = FileResponse(handle, as_attachment=True, filename=f"{export.reference}.zip")
    response["Cache-Control"] = "no-store"
    return response


class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evidence exports asked for and built in the background, with their progress:
    supervisors (their own) and data-protection officers, as on the exports page."""

    serializer_class = ExportJobSerializer

    def get_queryset(self):
        return selectors.export_jobs_visible_to(self.request.user)

    @extend_schema(request=ExportCreateSerializer, responses={201: ExportJobSerializer})
    def create(self, request: Request) -> Response:
        """Ask for a bundle. A small one is built at once (status done); a larger one in the
        background: poll the job until its status is done, then download it."""
        data = _export_request(request)
        job = _call(
            jobs.request_export, user=request.user, inline_limit=INLINE_EXPORT_LIMIT, **data
        )
        job = self.get_queryset().get(pk=job.pk)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ExportJobSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Start again a failed job, or one whose runner stopped."""
        job = _call(jobs.retry, user=request.user, job=self.get_object())
        return Response(ExportJobSerializer(self.get_queryset().get(pk=job.pk)).data)

    @extend_schema(responses={200: bytes, 409: JobNotReadySerializer})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk=None):
        """The bundle, once the job is done; 409 while it is not."""
        job = self.get_object()
        if job.status != JobStatus.DONE or job.export is None:
            return Response(
                {"detail": "The bundle is not ready.", "status": job.status},
                status=status.HTTP_409_CONFLICT,
            )
        return _export_download(request, job.export)


@extend_schema(
    responses=inline_serializer(
        "EventFigures",
        {
            "by_type": serializers.DictField(child=serializers.CharField()),
            "by_place": serializers.DictField(child=serializers.CharField()),
        },
    )
)
@api_view(["GET"])
def figures(request: Request):
    """Anonymised counts of events by type and place; counts under 5 read "<5"."""
    if not may_see_reports(request.user.role):
        raise PermissionDenied()
    cells = selectors.event_figures()
    return Response({name: {c.key: c.shown for c in rows} for name, rows in cells.items()})
