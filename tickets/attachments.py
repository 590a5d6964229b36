"""Attachment checks shared by every channel: size, count, and type judged by content."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Binary formats support can open, keyed by detected MIME type.
BINARY_TYPES = {
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
    "application/zip": {".zip"},
    "application/gzip": {".gz", ".tgz"},
    "application/x-tar": {".tar"},
    "application/x-7z-compressed": {".7z"},
}
TEXT_EXTENSIONS = {
    "", ".txt", ".log", ".conf", ".cfg", ".cnf", ".ini", ".properties", ".csv", ".json", ".xml",
    ".yaml", ".yml", ".eml", ".har", ".md", ".out", ".err", ".pem", ".crt", ".diff", ".patch",
}
# Limits against "zip bombs": a tiny archive that expands to gigabytes on the agent's machine.
MAX_EXPANDED_BYTES = 1024 * 1024 * 1024
MAX_EXPANSION_RATIO = 200


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def limits_text() -> str:
    """The limits in words, for the form and for mail replies."""
    return _(
        "Up to %(count)d files, at most %(per_file)s each and %(total)s together. Accepted: text and "
        "log files, PNG, JPEG, GIF, WebP, PDF, ZIP, GZIP, TAR and 7z."
    ) % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "per_file": filesizeformat(settings.ATTACHMENT_MAX_FILE_BYTES),
        "total": filesizeformat(settings.ATTACHMENT_MAX_TOTAL_BYTES),
    }


def safe_filename(name: str) -> str:
    """Keep only the last path component and drop control characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "attachment"


def check_files(files: list[IncomingFile]) -> tuple[list[CheckedFile], list[tuple[str, str]]]:
    """Return the accepted files and a list of (code, message) problems.

    Any problem refuses the whole submission, so nothing is half-saved.
    """
    problems: list[tuple[str, str]] = []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        problems.append(
            ("too_many_files", _("Attach at most %(max)d files; you attached %(count)d.")
             % {"max": settings.ATTACHMENT_MAX_FILES, "count": len(files)})
        )
    total = sum(len(f.content) for f in files)
    if total > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        problems.append(
            ("total_too_large", _("Your attachments add up to %(total)s; the limit is %(max)s together.")
             % {"total": filesizeformat(total), "max": filesizeformat(settings.ATTACHMENT_MAX_TOTAL_BYTES)})
        )
    checked: list[CheckedFile] = []
    for incoming in files:
        name = safe_filename(incoming.name)
        if len(incoming.content) > settings.ATTACHMENT_MAX_FILE_BYTES:
            problems.append(
                ("file_too_large", _("“%(name)s” is %(size)s; each file may be at most %(max)s.")
                 % {"name": name, "size": filesizeformat(len(incoming.content)),
                    "max": filesizeformat(settings.ATTACHMENT_MAX_FILE_BYTES)})
            )
            continue
        if not incoming.content:
            problems.append(("empty_file", _("“%(name)s” is empty.") % {"name": name}))
            continue
        content_type, problem = _judge_content(name, incoming.content)
        if problem:
            problems.append(problem)
        else:
            checked.append(CheckedFile(name=name, content=incoming.content, content_type=content_type))
    return checked, problems


def _judge_content(name: str, content: bytes) -> tuple[str, tuple[str, str] | None]:
    extension = PurePath(name).suffix.lower()
    kind = filetype.guess(content)
    if kind is not None:
        allowed_extensions = BINARY_TYPES.get(kind.mime)
        if allowed_extensions is None:
            return "", ("type_not_allowed", _("“%(name)s” contains %(kind)s data, which we do not accept.")
                        % {"name": name, "kind": kind.extension.upper()})
        if extension and extension not in allowed_extensions and extension not in TEXT_EXTENSIONS:
            return "", ("type_mismatch", _("“%(name)s” is named like a %(ext)s file but contains %(kind)s data.")
                        % {"name": name, "ext": extension, "kind": kind.extension.upper()})
        bomb = _expands_too_much(kind.mime, content)
        if bomb:
            return "", ("compression_bomb", _("“%(name)s” would expand to far more data than it holds; "
                                              "send the files uncompressed or in smaller parts.") % {"name": name})
        return kind.mime, None
    if _looks_like_text(content):
        if extension not in TEXT_EXTENSIONS:
            return "", ("type_mismatch", _("“%(name)s” is named like a %(ext)s file but contains plain text.")
                        % {"name": name, "ext": extension})
        return "text/plain", None
    return "", ("type_not_allowed", _("We could not recognise the content of “%(name)s”. Send logs as text "
                                      "files and other files as PDF, images or archives.") % {"name": name})


def _looks_like_text(content: bytes) -> bool:
    sample = content[:65536]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start >= len(sample) - 3:
            return True
    printable = sum(1 for byte in sample if byte >= 32 or byte in (9, 10, 13))
    return printable / max(len(sample), 1) > 0.95


def _expands_too_much(mime: str, content: bytes) -> bool:
    limit = min(MAX_EXPANDED_BYTES, max(len(content), 1) * MAX_EXPANSION_RATIO)
    try:
        if mime == "application/zip":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return sum(info.file_size for info in archive.infolist()) > limit
        if mime == "application/gzip":
            expanded = 0
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
                while chunk := stream.read(1024 * 1024):
                    expanded += len(chunk)
                    if expanded > limit:
                        return True
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        # A damaged archive is the agent's problem to open, not a danger to us.
        return False
    return False
