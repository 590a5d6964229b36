"""Parse "date/time of test" as customers write it, keeping the time zone they gave."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Abbreviations people write in mails, mapped to a zone (DST-aware) or a fixed offset.
ABBREVIATIONS: dict[str, str] = {
    "UTC": "UTC", "GMT": "UTC", "Z": "UTC",
    "CET": "+01:00", "CEST": "+02:00", "MEZ": "+01:00", "MESZ": "+02:00",
    "WET": "+00:00", "WEST": "+01:00", "BST": "+01:00", "EET": "+02:00", "EEST": "+03:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
}
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})[T\s,]+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(?P<zone>.*)$"
)


# Nothing earlier can be the time a customer tested a running system; it is a typo.
EARLIEST_YEAR = 2000


class TimeParseError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def common_zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def parse_zone(text: str) -> tuple[tzinfo, str]:
    """Return the zone and the label to keep ("Europe/Berlin", "+01:00")."""
    raw = text.strip().strip("()").strip()
    if not raw:
        raise TimeParseError("missing_zone")
    upper = raw.upper()
    if upper in ABBREVIATIONS:
        raw = ABBREVIATIONS[upper]
        if raw == "UTC":
            return UTC, "UTC"
    match = _OFFSET.match(raw)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise TimeParseError("bad_zone")
        delta = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
        return timezone(delta), f"{sign}{hours:02d}:{minutes:02d}"
    try:
        return ZoneInfo(raw), raw
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeParseError("bad_zone") from None


def parse_tested_at(text: str) -> tuple[datetime, str]:
    """Parse ISO 8601 with an offset, or "date time zone" (2026-12-03 10:40 Europe/Berlin, 03.12.2026 10:40 CET)."""
    raw = " ".join(text.split())
    if not raw:
        raise TimeParseError("required")
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        offset = parsed.utcoffset() or timedelta(0)
        return _storable(parsed), _format_offset(offset)
    match = _DATE_TIME.match(raw)
    if not match:
        raise TimeParseError("bad_datetime")
    date_part = match.group("date")
    if "." in date_part:
        day, month, year = date_part.split(".")
        date_part = f"{year}-{int(month):02d}-{int(day):02d}"
    else:
        year, month, day = date_part.split("-")
        date_part = f"{year}-{int(month):02d}-{int(day):02d}"
    time_part = match.group("time")
    if len(time_part.split(":")[0]) == 1:
        time_part = "0" + time_part
    try:
        naive = datetime.fromisoformat(f"{date_part}T{time_part}")
    except ValueError:
        raise TimeParseError("bad_datetime") from None
    zone, label = parse_zone(match.group("zone"))
    return _storable(naive.replace(tzinfo=zone)), label


def _storable(moment: datetime) -> datetime:
    """Refuse times no database column can hold, or that cannot be a test of a running system."""
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError:
        raise TimeParseError("bad_datetime") from None
    if in_utc.year < EARLIEST_YEAR:
        raise TimeParseError("bad_datetime")
    return moment


def _format_offset(offset: timedelta) -> str:
    if offset == timedelta(0):
        return "UTC"
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def zone_for_label(label: str) -> tzinfo:
    """The zone a stored label stands for, to show the time as the customer wrote it."""
    try:
        return parse_zone(label)[0]
    except TimeParseError:
        return UTC
