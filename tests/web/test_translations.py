"""The Persian, Arabic and Albanian catalogues are complete, keep their placeholders, and the
compiled .mo files that Django loads say exactly what the .po files say."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "kinlink" / "locale"
LANGUAGES = ["fa", "ar", "sq"]
PLURAL_FORMS = {
    "fa": "nplurals=2; plural=(n > 1);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    ),
    "sq": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f"}
SAMPLE_COUNTS = [*range(0, 120), 200, 201, 202, 203, 211, 1000, 1001, 1002, 1011, 1100]


@dataclass
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt else self.msgid


def _unquote(line: str) -> str:
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), f"not a quoted string: {line!r}"
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Message], list[str]]:
    """A small PO reader: returns the header fields, the messages and the header's flags."""
    messages: list[Message] = []
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    pending: dict[str, object] = {}

    def finish() -> None:
        nonlocal pending, flags, target
        if "msgid" in pending:
            message = Message(
                msgid=pending["msgid"],
                msgctxt=pending.get("msgctxt"),
                msgid_plural=pending.get("msgid_plural"),
                msgstr=dict(pending.get("msgstr", {})),
                flags=set(flags),
            )
            messages.append(message)
        pending, flags, target = {}, set(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue  # obsolete entries are not part of the catalogue
        if line.startswith("#,"):
            if "msgid" in pending:
                finish()
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            if "msgid" in pending:
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {raw!r}"
            name, index = target
            if name == "msgstr":
                pending["msgstr"][index] += _unquote(line)
            else:
                pending[name] += _unquote(line)
            continue
        if keyword in ("msgctxt", "msgid") and "msgstr" in pending:
            finish()
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            pending.setdefault("msgstr", {})[index] = _unquote(rest)
            target = ("msgstr", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            pending[keyword] = _unquote(rest)
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}: unexpected line {raw!r}")
    finish()

    header_entries = [m for m in messages if m.msgid == "" and m.msgctxt is None]
    assert len(header_entries) == 1, f"{path}: expected one header entry"
    header_entry = header_entries[0]
    header = {}
    for header_line in header_entry.msgstr.get(0, "").split("\n"):
        if ":" in header_line:
            key, value = header_line.split(":", 1)
            header[key.strip()] = value.strip()
    return header, [m for m in messages if m is not header_entry], sorted(header_entry.flags)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def plural_function(header: dict[str, str]):
    expression = header["Plural-Forms"].split("plural=", 1)[1].rstrip(";").strip()
    return gettext.c2py(expression)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(params=LANGUAGES)
def catalogue(request):
    language = request.param
    header, messages, header_flags = parse_po(po_path(language))
    return language, header, messages, header_flags


def test_the_header_names_the_language_utf8_and_the_agreed_plural_rule(catalogue):
    language, header, _, header_flags = catalogue
    assert header.get("Language") == language
    assert header.get("Content-Type", "").replace(" ", "").lower() == "text/plain;charset=utf-8"
    assert header.get("Plural-Forms", "").replace(" ", "") == PLURAL_FORMS[language].replace(
        " ", ""
    )
    assert "fuzzy" not in header_flags, f"{language}: the header is still marked fuzzy"


def test_every_message_is_translated_in_every_plural_form(catalogue):
    language, header, messages, _ = catalogue
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", header["Plural-Forms"]).group(1))
    assert messages, f"{language}: the catalogue has no messages"
    untranslated = []
    for message in messages:
        expected = range(nplurals) if message.msgid_plural is not None else range(1)
        if any(not message.msgstr.get(i, "").strip() for i in expected):
            untranslated.append(message.label)
    assert not untranslated, f"{language}: untranslated msgids:\n" + "\n".join(untranslated)


def test_no_message_is_marked_fuzzy(catalogue):
    language, _, messages, _ = catalogue
    fuzzy = [m.label for m in messages if "fuzzy" in m.flags]
    assert not fuzzy, f"{language}: fuzzy msgids:\n" + "\n".join(fuzzy)


def test_translations_keep_every_placeholder_and_invent_none(catalogue):
    """A plural form that only ever serves one number (Arabic 0, 1 and 2) may spell the number
    out instead of printing it, as msgfmt allows; every other form keeps every placeholder."""
    language, header, messages, _ = catalogue
    plural = plural_function(header)
    numbers_per_form: dict[int, set[int]] = {}
    for n in range(0, 10000):
        numbers_per_form.setdefault(plural(n), set()).add(n)
    problems = []
    for message in messages:
        wanted = placeholders(message.msgid) | placeholders(message.msgid_plural or "")
        for index, text in sorted(message.msgstr.items()):
            found = placeholders(text)
            single_number = (
                message.msgid_plural is not None and len(numbers_per_form.get(index, ())) == 1
            )
            missing = set() if single_number else wanted - found
            invented = found - wanted
            if missing or invented:
                problems.append(
                    f"{message.label!r} [{index}]: missing {sorted(missing)}, "
                    f"unknown {sorted(invented)}"
                )
    assert not problems, f"{language}: placeholder problems:\n" + "\n".join(problems)


def test_the_compiled_catalogue_django_loads_says_what_the_po_file_says(catalogue, tmp_path):
    assert shutil.which("msgfmt"), "GNU gettext's msgfmt is missing: scripts/install.sh installs it"
    language, _, messages, _ = catalogue
    fresh_mo = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh_mo), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{language}: msgfmt --check failed:\n{result.stderr}"
    committed_mo = po_path(language).with_suffix(".mo")
    assert committed_mo.exists(), f"{language}: {committed_mo} is missing; run compilemessages"
    with fresh_mo.open("rb") as handle:
        expected = gettext.GNUTranslations(handle)

    stale = []
    with translation.override(language):
        for message in messages:
            if message.msgid_plural is None:
                if message.msgctxt is None:
                    pairs = [(expected.gettext(message.msgid), translation.gettext(message.msgid))]
                else:
                    pairs = [
                        (
                            expected.pgettext(message.msgctxt, message.msgid),
                            translation.pgettext(message.msgctxt, message.msgid),
                        )
                    ]
            elif message.msgctxt is None:
                pairs = [
                    (
                        expected.ngettext(message.msgid, message.msgid_plural, n),
                        translation.ngettext(message.msgid, message.msgid_plural, n),
                    )
                    for n in SAMPLE_COUNTS
                ]
            else:
                pairs = [
                    (
                        expected.npgettext(message.msgctxt, message.msgid, message.msgid_plural, n),
                        translation.npgettext(
                            message.msgctxt, message.msgid, message.msgid_plural, n
                        ),
                    )
                    for n in SAMPLE_COUNTS
                ]
            if any(want != got for want, got in pairs):
                stale.append(message.label)
    assert not stale, (
        f"{language}: the compiled {committed_mo.name} disagrees with the .po for these msgids "
        "(run compilemessages):\n" + "\n".join(stale)
    )
