"""Read the OX mail template from the text of a mail.

Labels come from `tickets.catalogue.FIELDS[*].mail_labels` and are matched case-insensitively,
ignoring bullets, spacing and punctuation. Quoted replies, forwarded headers and signatures are
left out. A free-text value runs on until the next recognised label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tickets.catalogue import FIELDS, Kind
from tickets.validation import SEVERITY_1_CONFIRMATION

# Labels of the mail channel's own, beyond the catalogue: a way to confirm Severity 1 by mail.
EXTRA_LABELS: dict[str, str] = {
    "severity 1 confirmed": SEVERITY_1_CONFIRMATION,
    "confirm severity 1": SEVERITY_1_CONFIRMATION,
}
# Labels this long may be followed by more words (the template's "Date/time of last changes to
# configuration ... 24 hours"); short ones must match exactly, or "Steps taken" would be "Steps".
PREFIX_MATCH_MIN_WORDS = 3
MULTILINE_KINDS = {Kind.LONGTEXT}
MAX_QUOTE_HEADER_LENGTH = 400

# The hint text of the template itself, which means the customer left the field empty.
PLACEHOLDERS = {
    "url of the machine", "server version or package list", "please choose one from",
    "staging or production", "gui version or package list",
    "4, 3, 2, 1 (see description of severity levels)", "4, 3, 2, 1",
    "unknown, single, multiple, all, vip",
    "the customer's internal tracking number, e.g. from its bugzilla",
    "provide a detailed description of the issue/incident and ideally a step-by-step description",
}

_BULLET = re.compile(r"^\s*(?:[*\-•·–]+\s+|\d{1,2}[.)]\s+)?")
_SEPARATORS = (":", " - ", " – ", " — ", "=", "\t")
_QUOTE_HEADER = re.compile(
    r"^(?:on\s.+\swrote:|am\s.+\sschrieb.*:|le\s.+\sa écrit\s?:|.*@.*\s(?:wrote|schrieb):)$", re.IGNORECASE
)
_SEPARATOR_LINE = re.compile(
    r"^(?:-{2,}\s*(?:original message|ursprüngliche nachricht|forwarded message|weitergeleitete nachricht)"
    r"\s*-{2,}|_{10,}|-{5,}\s*(?:original|forwarded).*)$",
    re.IGNORECASE,
)
_FORWARD_LINE = re.compile(r"forward|weitergeleitet", re.IGNORECASE)
_OUTLOOK_HEADER = re.compile(r"^(?:from|von|de)\s*:\s*\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^(?:sent|gesendet|date|datum|envoyé|to|an|subject|betreff)\s*:", re.IGNORECASE)
_CLOSING = re.compile(
    r"^(?:(?:best|kind|warm)\s+regards|regards|cheers|thanks(?: and regards)?|thank you|greetings|"
    r"mit freundlichen grüßen|mit freundlichen gruessen|(?:viele|beste|liebe)?\s*grüße|gruß|mfg|vg)"
    r"(?:[.!]|,(?:\s+\S+){0,3})?$",
    re.IGNORECASE,
)
_FORWARDED_HEADER = re.compile(r"^(?:from|von|date|datum|sent|gesendet|to|an|cc|subject|betreff)\s*:", re.IGNORECASE)


@dataclass
class SplitBody:
    own: list[str] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)


def normalise_label(text: str) -> str:
    text = text.lower().replace("_", " ")
    text = re.sub(r"[^\w/]+", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return " ".join(text.split())


def _label_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for template_field in FIELDS:
        if template_field.kind == Kind.FILES:
            continue
        for mail_label in template_field.mail_labels:
            table.setdefault(normalise_label(mail_label), template_field.name)
        table.setdefault(normalise_label(str(template_field.name).replace("_", " ")), template_field.name)
    for mail_label, name in EXTRA_LABELS.items():
        table[normalise_label(mail_label)] = name
    return table


LABELS = _label_table()
_PREFIX_LABELS = sorted(
    (label for label in LABELS if len(label.split()) >= PREFIX_MATCH_MIN_WORDS), key=len, reverse=True
)
_KINDS = {f.name: f.kind for f in FIELDS}


def match_label(text: str, *, allow_prefix: bool = False) -> str | None:
    """The field a label text names, or None; `allow_prefix` accepts a long label followed by more words."""
    normalised = normalise_label(text)
    if not normalised:
        return None
    if normalised in LABELS:
        return LABELS[normalised]
    if allow_prefix:
        for label in _PREFIX_LABELS:
            if normalised.startswith(label + " "):
                return LABELS[label]
    return None


def split_label_line(line: str) -> tuple[str, str] | None:
    """(field name, value on the same line) when the line starts with a label, else None."""
    text = _BULLET.sub("", line.strip(), count=1).strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = text.strip("*_ ")
    for separator in _SEPARATORS:
        head, found, tail = text.partition(separator)
        if found and len(head) <= 200 and (name := match_label(head)):
            return name, tail.strip(" *_\t")
    if len(text) > 300:
        return None
    if name := match_label(text.rstrip(":")):
        return name, ""
    # The template's long "Date/time of last changes to configuration ... 24 hours" line.
    head, _found, tail = text.partition(":")
    if name := match_label(head, allow_prefix=True):
        return name, tail.strip(" *_\t")
    return None


def split_body(text: str, *, forwarded: bool = False) -> SplitBody:
    """Separate the sender's own text from quoted replies, signatures and a forwarded message.

    `forwarded` (the subject said Fwd:/FW:/WG:) marks the first quoted block as a forwarded message.
    """
    lines = text.split("\n")
    result = SplitBody()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == "--" or _CLOSING.match(stripped):
            break
        if _SEPARATOR_LINE.match(stripped) or _is_outlook_header(lines, index):
            if forwarded or _FORWARD_LINE.search(stripped):
                result.forwarded = _forwarded_text(lines[index + 1:])
            break
        if _is_quote_header(stripped) or _is_wrapped_quote_header(lines, index):
            break
        if stripped.startswith(">"):
            continue
        result.own.append(line)
    return result


def _is_quote_header(line: str) -> bool:
    # The patterns backtrack on long lines; a real quote header is short.
    return len(line) <= MAX_QUOTE_HEADER_LENGTH and bool(_QUOTE_HEADER.match(line))


def _is_outlook_header(lines: list[str], index: int) -> bool:
    if not _OUTLOOK_HEADER.match(lines[index].strip()):
        return False
    following = [line.strip() for line in lines[index + 1:index + 4] if line.strip()]
    return any(_OUTLOOK_NEXT.match(line) for line in following[:2])


def _is_wrapped_quote_header(lines: list[str], index: int) -> bool:
    # Clients wrap "On <date>, <name> <address> wrote:" over two lines.
    line = lines[index].strip()
    if not re.match(r"^(?:on|am|le)\s", line, re.IGNORECASE) or index + 1 >= len(lines):
        return False
    return _is_quote_header(f"{line} {lines[index + 1].strip()}")


def _forwarded_text(lines: list[str]) -> list[str]:
    # Skip the forwarded message's own header block (From:, Date:, Subject:, To:).
    position = 0
    while position < len(lines) and (not lines[position].strip() or _FORWARDED_HEADER.match(lines[position].strip())):
        position += 1
    return [line for line in lines[position:] if not line.strip().startswith(">")]


def extract_values(text: str, *, forwarded: bool = False) -> dict[str, str]:
    """The template values found in the mail text, by field name (raw, as written)."""
    body = split_body(text, forwarded=forwarded)
    values = _read_labels(body.own)
    if not values and body.forwarded:
        values = _read_labels(body.forwarded)
    if not values:
        # No template at all: the whole text is the description, so a plain request still counts.
        own_text = _tidy("\n".join(body.own or body.forwarded))
        if own_text:
            values["description"] = own_text
    return values


def _read_labels(lines: list[str]) -> dict[str, str]:
    values: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        labelled = split_label_line(line) if line.strip() else None
        if labelled:
            name, value = labelled
            if name in values:
                current = None  # a repeated label never overwrites the first value
                continue
            values[name] = [value] if value else []
            current = name
            continue
        if current is None:
            continue
        if _KINDS.get(current) in MULTILINE_KINDS:
            values[current].append(line.rstrip())
        elif not values[current] and line.strip():
            values[current] = [line.strip()]  # the value on the line after its label
            current = None
    return {name: cleaned for name, parts in values.items() if (cleaned := _clean_value("\n".join(parts)))}


def _clean_value(value: str) -> str:
    value = _tidy(value)
    if value.startswith("<") and value.endswith(">") and "\n" not in value:
        value = value[1:-1].strip()
    if " ".join(value.lower().split()) in PLACEHOLDERS:
        return ""
    return value


def _tidy(text: str) -> str:
    """Drop leading/trailing blank lines and trailing spaces, keep the inner layout."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).strip()
