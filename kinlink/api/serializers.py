from typing import Any

from django.utils import timezone
from rest_framework import serializers

from kinlink.audit.models import Entry
from kinlink.people.models import Person, PersonName


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonName
        # Persons are listed only to those who may see their hidden names too.
        fields = [
            "kind",
            "given_name",
            "family_name",
            "father_name",
            "script",
            "language",
            "hidden",
        ]


class PersonSerializer(serializers.ModelSerializer):
    """No sensitive field appears here: contact and location leave only through the
    disclosure services, never through a generic serializer."""

    names = PersonNameSerializer(many=True, read_only=True)
    caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
            "names",
            "gender",
            "birth_year",
            "birth_year_margin",
            "birth_date",
            "birth_place",
            "nationality",
            "status",
            "caseworker",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, person: Person) -> dict[str, Any]:
        """The declared fields written out by hand: the same keys, order and values as
        ModelSerializer's own to_representation (tests compare the two), without building
        the fields on every request and walking them per value. The caseworker's username
        comes from the view's `caseworker_username` annotation when there is one."""
        tz = timezone.get_current_timezone()
        if "caseworker_username" in person.__dict__:
            caseworker = person.__dict__["caseworker_username"]
        else:
            caseworker = None if person.caseworker is None else person.caseworker.username
        birth_date = person.birth_date
        return {
            "id": person.pk,
            "reference": person.reference,
            "names": [
                {
                    "kind": name.kind,
                    "given_name": name.given_name,
                    "family_name": name.family_name,
                    "father_name": name.father_name,
                    "script": name.script,
                    "language": name.language,
                    "hidden": name.hidden,
                }
                for name in person.names.all()
            ],
            "gender": person.gender,
            "birth_year": person.birth_year,
            "birth_year_margin": person.birth_year_margin,
            "birth_date": birth_date.isoformat() if birth_date else None,
            "birth_place": person.birth_place,
            "nationality": person.nationality,
            "status": person.status,
            "caseworker": caseworker,
            "created_at": when(person.created_at, tz),
            "updated_at": when(person.updated_at, tz),
        }


_DATETIME = serializers.DateTimeField()


def when(value, tz) -> str | None:
    """A date and time as DRF's DateTimeField gives it (ISO 8601 in the current time zone,
    "Z" for UTC), `tz` being the current time zone, read once per response."""
    if not value:
        return None
    if timezone.is_naive(value):
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = [
            "seq",
            "at",
            "actor_id",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "field",
            "ip",
            "detail",
            "hash",
        ]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    language = serializers.CharField()
    calendar = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        required=False, help_text="TOTP code; required for two-factor roles"
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
