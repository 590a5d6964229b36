"""Small typed views of Zammad JSON objects.

Parsers raise ``ValueError``/``TypeError`` on a shape they cannot use; the client turns that
into :class:`~zammad_client.errors.ZammadBadResponse`. Everything else Zammad
sent stays available in ``raw`` (custom attributes, timestamps, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _int(data: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    value = data.get(key)
    # bool is an int subclass; a true/false id means the body is not a ticket.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if required:
        raise ValueError(f"missing integer {key!r}")
    return None


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _require_dict(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


@dataclass(frozen=True)
class Ticket:
    """A Zammad ticket; name fields are filled when the response was expanded."""

    id: int
    number: str
    title: str
    # Name (e.g. "open") when Zammad sent it (expand=true), otherwise the state_id.
    state: str | int | None
    # Group name when expanded, otherwise the group_id.
    group: str | int | None
    customer_id: int | None
    state_id: int | None = None
    group_id: int | None = None
    # Tags are not part of ticket JSON (zammad-api.md §5.7); None means "not loaded".
    tags: list[str] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: object) -> Ticket:
        """Parse a ticket object from a create/show/search response."""
        obj = _require_dict(data, "ticket")
        ticket_id = _int(obj, "id", required=True)
        assert ticket_id is not None
        number = obj.get("number")
        if number is None or isinstance(number, (dict, list)):
            raise ValueError("missing ticket 'number'")
        state_id = _int(obj, "state_id")
        group_id = _int(obj, "group_id")
        state = obj.get("state") if isinstance(obj.get("state"), str) else state_id
        group = obj.get("group") if isinstance(obj.get("group"), str) else group_id
        tags = obj.get("tags")
        return cls(
            id=ticket_id,
            # Zammad sends the number as a string ("67330"); keep it a string
            # even if some proxy turned it into an int, so leading zeros survive.
            number=str(number),
            title=_str(obj, "title"),
            state=state,
            group=group,
            customer_id=_int(obj, "customer_id"),
            state_id=state_id,
            group_id=group_id,
            tags=[str(t) for t in tags] if isinstance(tags, list) else None,
            raw=obj,
        )


@dataclass(frozen=True)
class User:
    """A Zammad user (agent or customer)."""

    id: int
    email: str
    login: str
    firstname: str
    lastname: str
    # Role names, present when the response was expanded.
    roles: list[str] | None = None
    # Permission names, only if this Zammad version includes them in the body.
    permissions: list[str] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: object) -> User:
        """Parse a user object from users/me, users/search or POST users."""
        obj = _require_dict(data, "user")
        user_id = _int(obj, "id", required=True)
        assert user_id is not None
        roles = obj.get("roles")
        permissions = obj.get("permissions")
        return cls(
            id=user_id,
            email=_str(obj, "email"),
            login=_str(obj, "login"),
            firstname=_str(obj, "firstname"),
            lastname=_str(obj, "lastname"),
            roles=[str(r) for r in roles] if isinstance(roles, list) else None,
            permissions=[str(p) for p in permissions] if isinstance(permissions, list) else None,
            raw=obj,
        )


@dataclass(frozen=True)
class NamedItem:
    """A group, priority or state: the lookups a ticket refers to by id."""

    id: int
    name: str
    active: bool
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: object) -> NamedItem:
        """Parse one element of /groups, /ticket_priorities or /ticket_states."""
        obj = _require_dict(data, "item")
        item_id = _int(obj, "id", required=True)
        assert item_id is not None
        return cls(id=item_id, name=_str(obj, "name"), active=bool(obj.get("active", True)), raw=obj)


@dataclass(frozen=True)
class TicketAttribute:
    """An object-manager attribute of the Ticket object (built-in or custom)."""

    name: str
    display: str
    data_type: str
    active: bool
    editable: bool
    data_option: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: object) -> TicketAttribute:
        """Parse one element of /object_manager_attributes."""
        obj = _require_dict(data, "attribute")
        if not obj.get("name"):
            raise ValueError("attribute without 'name'")
        option = obj.get("data_option")
        return cls(
            name=_str(obj, "name"),
            display=_str(obj, "display"),
            data_type=_str(obj, "data_type"),
            active=bool(obj.get("active", True)),
            editable=bool(obj.get("editable", True)),
            data_option=option if isinstance(option, dict) else {},
            raw=obj,
        )
