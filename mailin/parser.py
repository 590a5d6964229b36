"""Read an RFC 822 message: who sent it, whether a machine did, its text and its attachments.

Works on any bytes: a damaged header or part is skipped or decoded leniently, never raised, so
ingestion can always store the message and tell the sender something useful.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

import html2text

from tickets.attachments import IncomingFile

logger = logging.getLogger(__name__)

MAX_HEADER_LENGTH = 255
MAX_TEXT_CHARS = 2_000_000
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|r)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|wg|tr|vs)\s*:", re.IGNORECASE)
_MACHINE_LOCALPARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}
_AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply"}
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply-From", "X-Mail-Autoreply")


@dataclass
class Envelope:
    """The headers that decide what happens to a message, read without trusting its body."""

    message_id: str
    sender: str = ""
    subject: str = ""
    references: str = ""
    # Why this is machine mail (no ticket, no reply); empty for a person's mail.
    automatic: str = ""
    # Why a person's mail still must not be answered (mailing lists, suppression requests).
    no_reply: str = ""
    # The subject said Fwd:/FW:/WG:, so a quoted block is a forwarded message, not a reply.
    forwarded: bool = False
    # The message had no Message-ID; ours is a hash of its bytes.
    synthetic_id: bool = False


@dataclass
class ParsedBody:
    text: str = ""
    attachments: list[IncomingFile] = field(default_factory=list)
    # Human-readable notes on parts that could not be read (kept in the parse summary).
    defects: list[str] = field(default_factory=list)


def synthetic_message_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()}@mailin.invalid>"


def parse_bytes(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def read_envelope(message: EmailMessage, raw: bytes) -> Envelope:
    message_id = _header(message, "Message-ID")[:MAX_HEADER_LENGTH]
    subject = _header(message, "Subject")
    envelope = Envelope(
        message_id=message_id or synthetic_message_id(raw),
        sender=_sender(message),
        subject=clean_subject(subject),
        references=" ".join(filter(None, [_header(message, "References"), message_id]))[-2000:],
        forwarded=bool(_FORWARD_PREFIX.match(subject)),
        synthetic_id=not message_id,
    )
    envelope.automatic = _automatic_reason(message, envelope.sender)
    envelope.no_reply = _no_reply_reason(message)
    return envelope


def clean_subject(subject: str) -> str:
    """The ticket subject: one line, without Re:/Fwd:/AW:/WG: prefixes."""
    return _SUBJECT_PREFIX.sub("", " ".join(subject.split()))[:MAX_HEADER_LENGTH]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the library cannot parse counts as absent
        logger.info("Unreadable %s header", name)
        return ""
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        return ""
    return " ".join(text.replace("\x00", "").split())


def _sender(message: Message) -> str:
    raw_from = _header(message, "From")
    try:
        addresses = [address for _name, address in getaddresses([raw_from]) if "@" in address]
    except Exception:  # a From header that cannot be parsed names no one
        return ""
    if not addresses:
        return ""
    return addresses[0].strip().lower()[:254]


def _automatic_reason(message: Message, sender: str) -> str:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if _header(message, "Return-Path") == "<>":
        return "empty Return-Path (bounce)"
    if sender.partition("@")[0] in _MACHINE_LOCALPARTS:
        return f"machine sender {sender}"
    precedence = _header(message, "Precedence").lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report"
    for name in _AUTO_HEADERS:
        if _header(message, name):
            return f"{name} header"
    return ""


def _no_reply_reason(message: Message) -> str:
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "mailing list"
    if _header(message, "Precedence").lower() == "list":
        return "Precedence: list"
    if _header(message, "X-Auto-Response-Suppress"):
        return "X-Auto-Response-Suppress"
    return ""


def read_body(message: EmailMessage) -> ParsedBody:
    """The text to read the template from (plain preferred, else HTML as text) and the attachments."""
    result = ParsedBody()
    body_part = _body_part(message)
    if body_part is not None:
        result.text = _part_text(body_part, result)
    _collect_attachments(message, body_part, result)
    return result


def _body_part(message: EmailMessage) -> EmailMessage | None:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a broken MIME tree has no usable body
        return None
    return part if isinstance(part, EmailMessage) else None


def _part_text(part: EmailMessage, result: ParsedBody) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    text = _decode(payload, part.get_content_charset() or "utf-8", result)
    if len(text) > MAX_TEXT_CHARS:
        # Far beyond any template (the longest field takes 20,000 characters); keeps parsing quick.
        result.defects.append(f"text cut to its first {MAX_TEXT_CHARS} characters")
        text = text[:MAX_TEXT_CHARS]
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _decode(payload: bytes, charset: str, result: ParsedBody) -> str:
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        result.defects.append(f"text not in its declared charset {charset[:40]!r}; decoded as Windows-1252")
        return payload.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no re-wrapping: a template line must stay one line
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.unicode_snob = True  # keep "ü" as "ü", not "u"
    try:
        text = converter.handle(html)
    except Exception:  # html2text on hostile markup; fall back to stripping tags
        text = re.sub(r"<[^>]*>", " ", html)
    # html2text ends a <br> line with two spaces (Markdown); they are not part of a value.
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _collect_attachments(message: EmailMessage, body_part: EmailMessage | None, result: ParsedBody) -> None:
    for part in _leaf_parts(message):
        if part is body_part:
            continue
        filename = _filename(part)
        is_attachment = part.get_content_disposition() == "attachment"
        if not filename and not is_attachment and part.get_content_maintype() in ("text", "multipart"):
            continue  # the other alternative of the body, not a file
        content = _part_bytes(part)
        name = filename or _default_name(part)
        result.attachments.append(IncomingFile(name=name, content=content))


def _leaf_parts(message: Message) -> list[Message]:
    """Leaf parts in order; an attached message stays one part (it is kept as an .eml file)."""
    leaves: list[Message] = []
    stack: list[Message] = [message]
    while stack and len(leaves) < 1000:
        part = stack.pop(0)
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[0:0] = [p for p in payload if isinstance(p, Message)]
            continue
        leaves.append(part)
    return leaves


def _filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").strip()
    except Exception:
        return ""


def _default_name(part: Message) -> str:
    if part.get_content_type() == "message/rfc822":
        return "forwarded-message.eml"
    subtype = re.sub(r"[^a-z0-9]", "", part.get_content_subtype().lower())[:10] or "bin"
    return f"attachment.{subtype}"


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            try:
                return inner[0].as_bytes(policy=policy.default.clone(linesep="\n"))
            except Exception:
                return b""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    return str(part.get_payload() or "").encode("utf-8", "replace")
