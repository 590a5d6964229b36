"""In-memory Zammad data: fresh-install seed (zammad-api.md §6), users, lookups, JSON shapes.

One re-entrant lock guards everything. Ticket creation holds it for the whole
request, which makes creates transactional (§4.3) and `guess:` customer
creation race-free. (Real Zammad is *not* race-free there, zammad#5628.)
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import ApiError

ROLE_NAMES = {1: "Admin", 2: "Agent", 3: "Customer"}
# Trimmed to what the stand-in checks; "admin" covers every "admin.*" permission.
ROLE_PERMISSIONS = {
    1: ("admin", "user_preferences", "report"),
    2: ("ticket.agent", "user_preferences"),
    3: ("ticket.customer", "user_preferences"),
}
SIGNUP_ROLE_IDS = [3]
ARTICLE_TYPES = {
    1: "email", 2: "sms", 3: "chat", 4: "fax", 5: "phone", 6: "twitter status",
    7: "twitter direct-message", 8: "facebook feed post", 9: "facebook feed comment",
    10: "note", 11: "web", 12: "telegram personal-message", 13: "facebook direct-message",
    14: "whatsapp message",
}
SENDERS = {1: "Agent", 2: "Customer", 3: "System"}
PRIORITIES = [(1, "1 low", "low-priority"), (2, "2 normal", None), (3, "3 high", "high-priority")]
# (id, name, state_type_id, next_state_id): a fresh >= 6.2 install (§6).
STATES = [(1, "new", 1, None), (2, "open", 2, None), (3, "pending reminder", 3, None),
          (4, "closed", 5, None), (5, "merged", 6, None), (6, "pending close", 4, 4)]
DEFAULT_TOKEN_PERMISSIONS = ("admin", "ticket.agent")
ADMIN_EMAIL = "admin@example.com"


def now() -> str:
    """ISO-8601 UTC with milliseconds, like Zammad (§1)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def has_permission(granted: Iterable[str], required: str) -> bool:
    """Zammad permissions are hierarchical: "admin" grants "admin.user"."""
    return any(required == p or required.startswith(p + ".") for p in granted)


@dataclass
class Caller:
    """Who a request runs as: the token's user, or the From user (§2.2)."""

    user: dict[str, Any]
    # None for basic auth and for impersonation: only the user's roles count.
    token_permissions: tuple[str, ...] | None

    def user_has(self, permission: str) -> bool:
        perms = [p for rid in self.user["role_ids"] for p in ROLE_PERMISSIONS.get(rid, ())]
        return has_permission(perms, permission)

    def has(self, permission: str) -> bool:
        token_ok = self.token_permissions is None or has_permission(self.token_permissions, permission)
        return token_ok and self.user_has(permission)

    @property
    def is_admin(self) -> bool:
        return self.has("admin")


@dataclass
class Config:
    """Startup options; reset() re-seeds from these."""

    token: str = "standin-token"
    token_permissions: tuple[str, ...] = DEFAULT_TOKEN_PERMISSIONS
    groups: list[str] = field(default_factory=list)
    ticket_attributes: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    system_id: int = 0  # 0 = random 10..99 like Zammad's setup
    version: str = "7.1"
    tag_new: bool = True
    admin_password: str | None = None  # enables HTTP basic auth for the admin user

    def version_tuple(self) -> tuple[int, ...]:
        """"6.4" -> (6, 4): selects version-dependent response shapes."""
        return tuple(int(part) for part in self.version.split(".") if part.isdigit())


def _user(uid: int, login: str, email: str, first: str, last: str, roles: list[int], **extra: Any) -> dict[str, Any]:
    # Key set as recorded for a user created by guess: (§4.5).
    stamp = now()
    user: dict[str, Any] = {
        "id": uid, "organization_id": None, "login": login, "firstname": first, "lastname": last,
        "email": email, "image": None, "image_source": None, "web": "", "phone": "", "fax": "",
        "mobile": "", "department": None, "street": "", "zip": "", "city": "", "country": "",
        "address": None, "vip": False, "verified": False, "active": True, "note": "",
        "last_login": None, "source": None, "login_failed": 0, "out_of_office": False,
        "out_of_office_start_at": None, "out_of_office_end_at": None,
        "out_of_office_replacement_id": None,
        "preferences": {"locale": "en-us", "tickets_closed": 0, "tickets_open": 0},
        "updated_by_id": 1, "created_by_id": 1, "created_at": stamp, "updated_at": stamp,
        "role_ids": roles, "two_factor_preference_ids": [], "organization_ids": [],
        "authorization_ids": [], "overview_sorting_ids": [], "group_ids": {},
    }
    user.update(extra)
    return user


def _attribute(aid: int, name: str, data_type: str, *, object_name: str = "Ticket", display: str = "",
               data_option: dict[str, Any] | None = None, editable: bool = False, active: bool = True,
               position: int = 100) -> dict[str, Any]:
    stamp = now()
    return {
        "id": aid, "name": name, "display": display or name, "data_type": data_type,
        "data_option": data_option or {}, "data_option_new": {}, "editable": editable,
        "active": active, "screens": {}, "to_create": False, "to_migrate": False,
        "to_delete": False, "to_config": False, "position": position, "created_by_id": 1,
        "updated_by_id": 1, "created_at": stamp, "updated_at": stamp, "object": object_name,
    }


BUILTIN_TICKET_ATTRIBUTES = [
    ("number", "input"), ("title", "input"), ("customer_id", "user_autocompletion"),
    ("type", "select"), ("organization_id", "autocompletion_ajax"), ("group_id", "tree_select"),
    ("owner_id", "select"), ("state_id", "select"), ("pending_time", "datetime"),
    ("priority_id", "select"), ("tags", "tag"),
]


class Store:
    """All Zammad objects of one stand-in instance."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.system_id = config.system_id or random.randint(10, 99)  # like Zammad's setup
        self.reset()

    # -- seed ---------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh install plus the configured groups/attributes."""
        with self.lock:
            stamp = now()
            self.users: dict[int, dict[str, Any]] = {}
            self.passwords: dict[int, str] = {}
            self.next_user_id = 1
            for login, email, first, last, roles, active in [
                ("-", "", "-", "", [], False),
                ("nicole.braun@zammad.org", "nicole.braun@zammad.org", "Nicole", "Braun", [3], True),
                (ADMIN_EMAIL, ADMIN_EMAIL, "Stand-in", "Admin", [1, 2], True),
            ]:
                self.insert_user(_user(self.allocate_user_id(), login, email, first, last, roles, active=active))
            self.users[2]["organization_id"] = 1
            self.users[2]["organization_ids"] = [1]
            self.tokens = {self.config.token: (3, tuple(self.config.token_permissions))}
            if self.config.admin_password:
                self.passwords[3] = self.config.admin_password
            self.organizations = {
                i: {"id": i, "name": name, "active": True, "shared": True, "domain": "",
                    "note": "", "created_at": stamp, "updated_at": stamp}
                for i, name in enumerate(["Zammad Foundation", *self.config.organizations], start=1)
            }
            self.groups: dict[int, dict[str, Any]] = {}
            for name in ["Users", *[g for g in self.config.groups if g != "Users"]]:
                self.add_group(name)
            self.priorities = {
                pid: {"id": pid, "name": name, "default_create": pid == 2, "ui_icon": icon,
                      "ui_color": icon, "note": None, "active": True, "updated_by_id": 1,
                      "created_by_id": 1, "created_at": stamp, "updated_at": stamp}
                for pid, name, icon in PRIORITIES
            }
            self.states = {
                sid: {"id": sid, "state_type_id": tid, "name": name, "next_state_id": nxt,
                      "ignore_escalation": tid in (3, 4, 5, 6), "default_create": sid == 1,
                      "default_follow_up": sid == 2, "note": None, "active": True,
                      "updated_by_id": 1, "created_by_id": 1, "created_at": stamp, "updated_at": stamp}
                for sid, name, tid, nxt in STATES
            }
            self.attributes = [
                _attribute(i, name, dtype, active=name != "type", position=i * 10,
                           data_option={"options": {"Incident": "Incident", "Problem": "Problem",
                                                    "Request for Change": "Request for Change"}}
                           if name == "type" else None)
                for i, (name, dtype) in enumerate(BUILTIN_TICKET_ATTRIBUTES, start=1)
            ]
            self.attributes.append(_attribute(len(self.attributes) + 1, "email", "input", object_name="User"))
            for spec in self.config.ticket_attributes:
                self.add_ticket_attribute(spec)
            self.tickets: dict[int, dict[str, Any]] = {}
            self.articles: dict[int, dict[str, Any]] = {}
            self.attachment_data: dict[int, str] = {}  # attachment id -> base64, for /_standin only
            self.tags: dict[int, list[str]] = {}
            self.known_tags: set[str] = set()
            self.next_ticket_id = self.next_article_id = self.next_attachment_id = 1
            self.ticket_counter = 0
            self.seed_ticket_ids: set[int] = set()

    def add_group(self, name: str) -> dict[str, Any]:
        """Add an active group; the admin gets full access to it."""
        with self.lock:
            gid = max(self.groups, default=0) + 1
            stamp = now()
            group = {
                "id": gid, "signature_id": 1, "email_address_id": None, "name": name,
                "name_last": name.split("::")[-1], "parent_id": None, "assignment_timeout": None,
                "follow_up_possible": "yes", "reopen_time_in_days": None,
                "follow_up_assignment": True, "active": True, "shared_drafts": True,
                "note": "Standard Group/Pool for Tickets." if gid == 1 else "",
                "updated_by_id": 1, "created_by_id": 1, "created_at": stamp, "updated_at": stamp,
                "user_ids": [3],
            }
            self.groups[gid] = group
            self.users[3]["group_ids"][str(gid)] = ["full"]
            return group

    def add_ticket_attribute(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add a migrated custom Ticket attribute ({"name", "data_type", "data_option"...})."""
        with self.lock:
            attr = _attribute(
                len(self.attributes) + 1, spec["name"], spec.get("data_type", "input"),
                display=spec.get("display", ""), data_option=spec.get("data_option"),
                editable=True, active=spec.get("active", True), position=1500 + len(self.attributes),
            )
            self.attributes.append(attr)
            return attr

    def custom_ticket_attributes(self) -> dict[str, dict[str, Any]]:
        """Custom (editable) Ticket attributes by name: they are ticket columns (§5.8)."""
        return {a["name"]: a for a in self.attributes if a["object"] == "Ticket" and a["editable"]}

    # -- users ----------------------------------------------------------------

    def allocate_user_id(self) -> int:
        """Reserve an id; like a DB sequence, a rolled-back create leaves a gap."""
        uid = self.next_user_id
        self.next_user_id += 1
        return uid

    def insert_user(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = user

    def new_customer(self, *, email: str, firstname: str = "", lastname: str = "",
                     login: str | None = None, organization_id: int | None = None,
                     created_by_id: int = 1) -> dict[str, Any]:
        """Build (not insert) a user with the signup role; caller inserts it on commit."""
        email = email.strip().lower()
        return _user(self.allocate_user_id(), (login or email).lower(), email, firstname, lastname,
                     list(SIGNUP_ROLE_IDS), organization_id=organization_id,
                     organization_ids=[organization_id] if organization_id else [],
                     created_by_id=created_by_id, updated_by_id=created_by_id)

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if wanted and u["email"].lower() == wanted), None)

    def user_by_login(self, login: str) -> dict[str, Any] | None:
        wanted = login.strip().lower()
        return next((u for u in self.users.values() if u["login"].lower() == wanted), None)

    def user_by_reference(self, value: str) -> dict[str, Any] | None:
        """Name-or-id user references resolve by login, then email (§1)."""
        return self.user_by_login(value) or self.user_by_email(value)

    def user_login(self, uid: int | None) -> str | None:
        user = self.users.get(uid) if uid is not None else None
        return user["login"] if user else None

    def user_json(self, user: dict[str, Any], *, expand: bool = False) -> dict[str, Any]:
        data = copy.deepcopy(user)
        if expand:
            data["roles"] = [ROLE_NAMES[r] for r in user["role_ids"]]
            if user["organization_id"]:
                data["organization"] = self.organizations[user["organization_id"]]["name"]
            data["created_by"] = self.user_login(user["created_by_id"])
            data["updated_by"] = self.user_login(user["updated_by_id"])
        return data

    # -- lookups --------------------------------------------------------------

    def id_by_name(self, table: dict[int, dict[str, Any]], name: object) -> int | None:
        return next((row["id"] for row in table.values() if row["name"] == name), None)

    def authenticate_token(self, token: str) -> Caller | None:
        entry = self.tokens.get(token)
        if entry is None:
            return None
        uid, permissions = entry
        return Caller(user=self.users[uid], token_permissions=permissions)

    def add_token(self, token: str, *, user_id: int = 3, permissions: Iterable[str] = DEFAULT_TOKEN_PERMISSIONS) -> None:
        """Register another API token (e.g. one without admin.user, to test From)."""
        with self.lock:
            if user_id not in self.users:
                raise ApiError(404, f"Couldn't find User with 'id'={user_id}")
            self.tokens[token] = (user_id, tuple(permissions))
