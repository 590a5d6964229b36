"""Routing, authentication and the /api/v1 endpoints of the stand-in.

Transport-free: takes method/path/headers/body, returns a Response. The
HTTP server (server.py) and the fault injection sit around it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .errors import ApiError, lookup_failed, masked
from .search import search_tickets
from .store import Caller, Store
from .tickets import EMAIL_RE, create_ticket, ticket_json

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Response:
    status: int
    body: Any  # JSON-able, or str/bytes with a Content-Type in headers
    headers: dict[str, str] = field(default_factory=dict)
    # Run after the response was written (e.g. going `down` must not cut its own answer).
    after: Callable[[], None] | None = None


@dataclass
class Request:
    store: Store
    caller: Caller
    params: dict[str, Any]
    match: re.Match[str]

    def flag(self, key: str) -> bool:
        """Rails-style boolean parameter ("true", "1", true) (§1)."""
        return str(self.params.get(key, "")).lower() in ("true", "1")


def parse_params(query: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and JSON body parameters like Rails does (body wins)."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        # Rails nested params: condition[ticket.tags][operator]=contains+all
        parts = re.findall(r"[^\[\]]+", key) or [key]
        target = params
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[parts[-1]] = value
    if body.strip():
        try:
            data = json.loads(body)
        except ValueError:
            raise ApiError(400, "Error occurred while parsing request parameters", human=False) from None
        if isinstance(data, dict):
            params.update(data)
    return params


def authenticate(store: Store, headers: Mapping[str, str]) -> Caller:
    """Token, Bearer or Basic auth with Zammad's error texts (§2.1, §3.2)."""
    header = headers.get("authorization", "").strip()
    scheme, _, credential = header.partition(" ")
    scheme = scheme.lower()
    caller: Caller | None
    if scheme == "token":
        token = credential.strip()
        token = token.split("=", 1)[1] if token.startswith("token=") else token
        caller = store.authenticate_token(token.strip('"'))
        if caller is None:
            raise ApiError(401, "Can't find User for Token")
    elif scheme == "bearer":
        # Rails' token parser also accepts an API token as Bearer (derived, §2.1).
        caller = store.authenticate_token(credential.strip())
        if caller is None:
            raise ApiError(401, "The provided token is invalid.")
    elif scheme == "basic":
        try:
            login, _, password = base64.b64decode(credential.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            login, password = "", ""
        user = store.user_by_reference(login) if login else None
        if user is None or store.passwords.get(user["id"]) != password:
            raise ApiError(401, "Invalid BasicAuth credentials")
        caller = Caller(user=user, token_permissions=None)
    else:
        raise ApiError(403, "Authentication required")
    if not caller.user["active"]:
        raise ApiError(401, "Login failed. Have you double-checked your credentials and completed "
                            "the email verification step?")
    return caller


def impersonate(store: Store, caller: Caller, headers: Mapping[str, str]) -> Caller:
    """Apply From / X-On-Behalf-Of (§2.2): From is read first."""
    raw = headers.get("from") or headers.get("x-on-behalf-of")
    if raw is None:
        return caller
    if not caller.has("admin.user"):
        raise ApiError(403, "Current user has no permission to use 'From'/'X-On-Behalf-Of'!")
    value = raw.strip().lower()
    user = store.users.get(int(value)) if value.isdigit() else None
    user = user or store.user_by_reference(value)
    if user is None:
        raise ApiError(403, f"No such user '{raw}'")
    # The request now runs fully as that user, with that user's role permissions.
    return Caller(user=user, token_permissions=None)


def require(caller: Caller, *permissions: str) -> None:
    if any(caller.has(p) for p in permissions):
        return
    if caller.token_permissions is not None and any(caller.user_has(p) for p in permissions):
        raise ApiError(403, "Token authorization failed.", human=False)  # 7.1 text (§3.2)
    raise ApiError(403, "User authorization failed.")


def _page(req: Request, items: list[Any], *, default: int, maximum: int) -> list[Any]:
    def number(key: str, fallback: int) -> int:
        try:
            return int(req.params.get(key, fallback))
        except (TypeError, ValueError):
            return fallback

    per_page = min(max(number("per_page", number("limit", default)), 1), maximum)
    page = max(number("page", 1), 1)
    return items[(page - 1) * per_page : page * per_page]


def _ticket_or_404(req: Request, ticket_id: Any) -> dict[str, Any]:
    try:
        ticket = req.store.tickets.get(int(ticket_id))
    except (TypeError, ValueError):
        ticket = None
    if ticket is None:
        raise ApiError(404, f"Couldn't find Ticket with 'id'={ticket_id}")
    if not req.caller.has("ticket.agent") and ticket["customer_id"] != req.caller.user["id"]:
        raise ApiError(403, "Not authorized")
    return ticket


# -- endpoints -------------------------------------------------------------------


def users_me(req: Request) -> Any:
    return req.store.user_json(req.caller.user, expand=req.flag("expand"))


def users_search(req: Request) -> Any:
    require(req.caller, "ticket.agent", "admin.user")
    needle = str(req.params.get("query") or "").replace("*", "").strip().lower()
    with req.store.lock:
        users = [
            u for u in req.store.users.values()
            if u["id"] != 1 and any(needle in str(u[k]).lower() for k in ("login", "firstname", "lastname", "email"))
        ]
        maximum = 200 if req.store.config.version_tuple() >= (6, 5) else 500
        page = _page(req, users, default=50 if maximum == 200 else 100, maximum=maximum)
        return [req.store.user_json(u, expand=req.flag("expand")) for u in page]


def users_show(req: Request) -> Any:
    uid = int(req.match.group(1))
    if uid != req.caller.user["id"]:
        require(req.caller, "ticket.agent", "admin.user")
    user = req.store.users.get(uid)
    if user is None:
        raise ApiError(404, f"Couldn't find User with 'id'={uid}")
    return req.store.user_json(user, expand=req.flag("expand"))


def users_create(req: Request) -> Response:
    require(req.caller, "ticket.agent", "admin.user")
    p = req.params
    email = str(p.get("email") or "").strip()
    if not any(p.get(k) for k in ("login", "firstname", "lastname", "phone", "email")):
        raise ApiError(422, "At least one identifier (firstname, lastname, phone or email) for user is required.")
    if email and not EMAIL_RE.match(email):
        raise ApiError(422, f"Invalid email '{email}'")
    store = req.store
    with store.lock:  # check-then-insert must be atomic: no duplicate emails
        if email and store.user_by_email(email):
            raise ApiError(422, f"Email address '{email.lower()}' is already used for another user.")
        login = str(p.get("login") or "")
        if login and store.user_by_login(login):
            raise ApiError(422, "This object already exists.")
        org_id = p.get("organization_id")
        if not org_id and p.get("organization"):
            org_id = store.id_by_name(store.organizations, p["organization"])
            if org_id is None:
                raise lookup_failed("organization", p["organization"])
        user = store.new_customer(
            email=email, login=login or email or f"auto-{uuid.uuid4()}",
            firstname=str(p.get("firstname") or ""), lastname=str(p.get("lastname") or ""),
            organization_id=org_id, created_by_id=req.caller.user["id"],
        )
        store.insert_user(user)
        return Response(201, store.user_json(user, expand=req.flag("expand")))


def tickets_create(req: Request) -> Response:
    require(req.caller, "ticket.agent", "ticket.customer")
    ticket = create_ticket(req.store, req.caller, req.params)
    with req.store.lock:
        return Response(201, ticket_json(req.store, ticket, with_ids=True, expand=req.flag("expand")))


def tickets_show(req: Request) -> Any:
    require(req.caller, "ticket.agent", "ticket.customer")
    with req.store.lock:
        ticket = _ticket_or_404(req, req.match.group(1))
        # No article_ids on a plain GET (§5.1).
        return ticket_json(req.store, ticket, with_ids=False, expand=req.flag("expand"))


def tickets_index(req: Request) -> Any:
    require(req.caller, "ticket.agent", "ticket.customer")
    with req.store.lock:
        tickets = [t for t in sorted(req.store.tickets.values(), key=lambda t: t["id"])
                   if req.caller.has("ticket.agent") or t["customer_id"] == req.caller.user["id"]]
        page = _page(req, tickets, default=100, maximum=100)
        return [ticket_json(req.store, t, with_ids=False, expand=req.flag("expand")) for t in page]


def tickets_search(req: Request) -> Any:
    require(req.caller, "ticket.agent", "ticket.customer")
    return search_tickets(req.store, req.caller, req.params)


def tags_list(req: Request) -> Any:
    require(req.caller, "ticket.agent", "ticket.customer")
    if req.params.get("object") != "Ticket":
        raise ApiError(422, "Invalid object, only Ticket is supported by the stand-in")
    with req.store.lock:
        ticket = _ticket_or_404(req, req.params.get("o_id"))
        return {"tags": list(req.store.tags.get(ticket["id"], []))}


def _table(rows: dict[int, dict[str, Any]], *permissions: str) -> Callable[[Request], Any]:
    def index(req: Request) -> Any:
        require(req.caller, *permissions)
        with req.store.lock:
            return _page(req, [dict(r) for r in rows.values()], default=500, maximum=1000)

    return index


def groups(req: Request) -> Any:
    return _table(req.store.groups, "ticket.agent", "ticket.customer", "admin.group")(req)


def priorities(req: Request) -> Any:
    return _table(req.store.priorities, "ticket.agent", "ticket.customer", "admin")(req)


def states(req: Request) -> Any:
    return _table(req.store.states, "ticket.agent", "ticket.customer", "admin")(req)


def attributes(req: Request) -> Any:
    require(req.caller, "admin.object")
    with req.store.lock:
        return [dict(a) for a in req.store.attributes]


ROUTES: list[tuple[str, re.Pattern[str], Callable[[Request], Any]]] = [
    (method, re.compile(rf"/api/v1/{pattern}"), view)
    for method, pattern, view in [
        ("GET", r"users/me", users_me),
        ("GET", r"users/search", users_search),
        ("GET", r"users/(\d+)", users_show),
        ("POST", r"users", users_create),
        ("POST", r"tickets", tickets_create),
        ("GET", r"tickets", tickets_index),
        ("GET", r"tickets/search", tickets_search),
        ("POST", r"tickets/search", tickets_search),
        ("GET", r"tickets/(\d+)", tickets_show),
        ("GET", r"tags", tags_list),
        ("GET", r"groups", groups),
        ("GET", r"ticket_priorities", priorities),
        ("GET", r"ticket_states", states),
        ("GET", r"object_manager_attributes", attributes),
    ]
]


def _route(method: str, path: str) -> tuple[Callable[[Request], Any], re.Match[str]] | None:
    for route_method, pattern, view in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return view, match
    return None


def dispatch(store: Store, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Response:
    """Answer one /api/v1 request; every failure becomes Zammad's error body."""
    try:
        route = _route(method, path)
        if route is None:
            # Routing happens before authentication in Rails (§3.2, recorded 404 text).
            raise ApiError(404, f"No route matches [{method}] {path}")
        view, match = route
        caller = impersonate(store, authenticate(store, headers), headers)
        result = view(Request(store, caller, parse_params(query, body), match))
        return result if isinstance(result, Response) else Response(200, result)
    except ApiError as exc:
        # 401 and 403 also carry the message in X-Failure (§3.1).
        extra = {"X-Failure": exc.message} if exc.status in (401, 403) else {}
        return Response(exc.status, exc.body(), extra)
    except Exception as exc:  # a stand-in bug: answer like Zammad does for unexpected errors
        traceback.print_exc()
        return Response(500, masked(500, f"{type(exc).__name__}: {exc}", is_admin=False).body())
