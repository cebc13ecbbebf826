"""The subject-access document: everything held about a person as JSON, and the same as PDF.

Sealed values are read only through `audit.sensitive.reveal` (one audit entry per value);
a sealed value that belongs to another person (`selectors.SEALED_OWNER`) is withheld.
Called from `services.export_subject_data`, which checks the caller and audits the export.

Hidden names (`PersonName.hidden`: a birth name kept from the group, an organisational
name) never leave kinlink in a file, this one included: their rows, their entries in
version snapshots and any text that spells them are withheld, and the document says how
many were withheld so the data-protection officer can tell the person in another way.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from kinlink.audit.sensitive import Sealed, SealedTextField, reveal
from kinlink.people.models import Person, PersonName
from kinlink.people.selectors import hidden_name_texts, withhold_names

from .selectors import Holdings, audit_entries_about, may_reveal

FORMAT = "kinlink-subject-access/1"
WITHHELD = "[withheld: belongs to another person]"
HIDDEN_NAME = "[withheld: hidden name]"
# What a person's version snapshot keeps as ciphertext: never exported, the live values are.
SNAPSHOT_DROPPED = ("sealed",)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return value


def _foreign(row: models.Model, fk: models.ForeignKey, ids: set[int]) -> Any:
    pk = getattr(row, fk.attname)
    if pk is None:
        return None
    target = fk.related_model
    if target is Person:
        reference = Person.objects.filter(pk=pk).values_list("reference", flat=True).first()
        return {"person": reference, "is_subject": pk in ids}
    if target._meta.label_lower == "accounts.user":
        user = getattr(row, fk.name)
        return {"user": user.get_username()}
    return {"model": target._meta.label_lower, "id": pk, "label": str(getattr(row, fk.name))}


def serialise_row(row: models.Model, ids: set[int], reason: str) -> dict[str, Any]:
    """One row's fields; sealed values revealed (audited) or withheld."""
    out: dict[str, Any] = {"id": row.pk}
    label = row._meta.label_lower
    for f in row._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            out[f.name] = _foreign(row, f, ids)
        elif isinstance(f, SealedTextField):
            value = getattr(row, f.attname)
            if value is None:
                out[f.name] = None
            elif may_reveal(row, f.name, ids):
                out[f.name] = reveal(row, f.name, reason=reason)
            else:
                out[f.name] = WITHHELD
        elif isinstance(f, models.FileField):
            file = getattr(row, f.attname)
            out[f.name] = {"stored_as": file.name} if file else None
        else:
            value = getattr(row, f.attname)
            if isinstance(value, Sealed):  # a sealed value in a field of another kind
                value = WITHHELD
            out[f.name] = _plain(value)
    if label == "people.personversion":
        out["snapshot"] = {
            k: v for k, v in (row.snapshot or {}).items() if k not in SNAPSHOT_DROPPED
        }
    if label == "testimony.participant":
        event = row.event
        out["event"] = {
            "testimony": event.testimony.reference,
            "type": event.event_type.code,
            "place": str(event.place) if event.place_id else "",
            "start": _plain(event.start),
            "end": _plain(event.end),
        }
    return out


def _audit_row(entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "field": entry.field,
        "hash": entry.hash,
    }


def _hidden_names(ids: set[int]) -> tuple[set[int], list[str]]:
    """Hidden name ids of these persons, and the texts that spell them."""
    hidden_ids = set(
        PersonName.objects.filter(person_id__in=ids, hidden=True).values_list("pk", flat=True)
    )
    return hidden_ids, (hidden_name_texts(ids) if hidden_ids else [])


def _without_hidden_names(
    sections: dict[str, list[dict[str, Any]]], hidden_ids: set[int], texts: list[str]
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for label, rows in sections.items():
        if label == "people.personname":
            rows = [row for row in rows if row["id"] not in hidden_ids]
        elif label == "people.personversion":
            for row in rows:
                names = row.get("snapshot", {}).get("names")
                if isinstance(names, list):
                    row["snapshot"]["names"] = [
                        n for n in names if not (isinstance(n, dict) and n.get("id") in hidden_ids)
                    ]
        if rows:
            out[label] = withhold_names(rows, texts, HIDDEN_NAME)
    return out


def build_document(held: Holdings, *, reason: str, requested_by: str) -> dict[str, Any]:
    """The whole subject-access document (sealed values revealed with `reason`), without
    hidden names."""
    ids = set(held.ids)
    # The audit extract is taken before the reveals below, so it does not list this export.
    audit = [_audit_row(e) for e in audit_entries_about(held).iterator(chunk_size=1000)]
    sections = {
        label: [serialise_row(row, ids, reason) for row in bucket.values()]
        for label, bucket in held.rows.items()
        if bucket
    }
    hidden_ids, hidden_texts = _hidden_names(ids)
    sections = _without_hidden_names(sections, hidden_ids, hidden_texts)
    return {
        "format": FORMAT,
        "person": held.person.reference,
        "records": sorted(
            Person.objects.filter(pk__in=held.ids).values_list("reference", flat=True)
        ),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "generated_by": requested_by,
        "reason": reason,
        "counts": {label: len(rows) for label, rows in sections.items()},
        "sections": sections,
        "audit_entries": audit,
        "hidden_names_withheld": len(hidden_ids),
        "notes": [
            "Values marked as withheld belong to another person.",
            "Audit entries hold field names and object ids, never values.",
            "Hidden names are never put in a file; the data-protection officer tells the "
            "person about them in another way.",
        ],
    }


def to_json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- PDF ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """DejaVu Sans (Latin, Persian and Arabic glyphs) when installed, else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists():
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    if bold.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "DejaVuSans", "DejaVuSans"


def _has_rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def shape(text: str) -> str:
    """Text as reportlab must draw it: Arabic-script letters joined into their contextual
    forms and right-to-left runs put in visual order (reportlab does neither itself)."""
    if not _has_rtl(text):
        return text
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - the letters then print unjoined
        return text
    return get_display(arabic_reshaper.reshape(text))


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    elif value is None:
        text = "—"
    else:
        text = str(value)
    if len(text) > 4000:
        text = text[:4000] + " …"
    return text


def to_pdf(document: dict[str, Any]) -> bytes:
    """The document as a PDF: one table per record, every value as in the JSON."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=8, leading=10)
    key = ParagraphStyle("key", parent=body, fontName=bold)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=8)

    def para(text: Any, style=body) -> Paragraph:
        return Paragraph(escape(shape(_cell(text))).replace("\n", "<br/>"), style)

    def table(pairs: list[tuple[str, Any]]) -> Table:
        data = [[para(k, key), para(v)] for k, v in pairs]
        t = Table(data, colWidths=[45 * mm, 125 * mm])
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story: list[Any] = [
        para(f"Subject access: {document['person']}", h1),
        table(
            [
                ("records", ", ".join(document["records"])),
                ("generated at", document["generated_at"]),
                ("generated by", document["generated_by"]),
                ("reason", document["reason"]),
                ("format", document["format"]),
            ]
        ),
    ]
    for label, rows in document["sections"].items():
        story.append(para(f"{label} ({len(rows)})", h2))
        for row in rows:
            story += [table(list(row.items())), Spacer(1, 3 * mm)]
    story.append(para(f"audit entries ({len(document['audit_entries'])})", h2))
    for entry in document["audit_entries"]:
        line = (
            f"#{entry['seq']} {entry['at']} {entry['actor']} {entry['action']} "
            f"{entry['object_type']}:{entry['object_id']} {entry['field']}"
        )
        story.append(para(line))
    for note in document["notes"]:
        story.append(para(note))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Subject access {document['person']}",
        author="kinlink",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    ).build(story)
    return out.getvalue()
