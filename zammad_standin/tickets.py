"""POST /api/v1/tickets as Zammad does it (zammad-api.md §4), plus ticket JSON shapes.

The create runs under the store lock and only writes at the very end, so any
error leaves nothing behind: since ~5.x Zammad creates ticket, article, tags
and the guessed customer in one DB transaction (§4.3).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from .errors import ApiError, invalid_param, lookup_failed, masked
from .store import ARTICLE_TYPES, SENDERS, Caller, Store, now

# attributes_with_association_ids key order as recorded (§4.5).
TICKET_COLUMNS = [
    "id", "group_id", "priority_id", "state_id", "organization_id", "number", "title", "owner_id",
    "customer_id", "note", "first_response_at", "first_response_escalation_at",
    "first_response_in_min", "first_response_diff_in_min", "close_at", "close_escalation_at",
    "close_in_min", "close_diff_in_min", "update_escalation_at", "update_in_min",
    "update_diff_in_min", "last_close_at", "last_contact_at", "last_contact_agent_at",
    "last_contact_customer_at", "last_owner_update_at", "create_article_type_id",
    "create_article_sender_id", "article_count", "escalation_at", "pending_time", "type",
    "time_unit", "preferences", "updated_by_id", "created_by_id", "created_at", "updated_at",
]
# Columns a create may set; every other key is dropped silently by param_cleanup (§1).
WRITABLE = {"group_id", "priority_id", "state_id", "organization_id", "title", "owner_id",
            "customer_id", "note", "pending_time", "type", "time_unit", "preferences"}
EMAIL_RE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
MAX_BODY = 1_500_000


def ticket_json(store: Store, ticket: dict[str, Any], *, with_ids: bool, expand: bool = False) -> dict[str, Any]:
    """attributes_with_association_ids (with_ids) / plain model / expanded names (§4.5, §5.1)."""
    data = {key: ticket.get(key) for key in TICKET_COLUMNS}
    for name in store.custom_ticket_attributes():
        data[name] = ticket.get(name)
    if with_ids or expand:
        data["article_ids"] = [a["id"] for a in store.articles.values() if a["ticket_id"] == ticket["id"]]
        data["ticket_time_accounting_ids"] = []
    if expand:
        data["group"] = store.groups[ticket["group_id"]]["name"]
        data["state"] = store.states[ticket["state_id"]]["name"]
        data["priority"] = store.priorities[ticket["priority_id"]]["name"]
        data["owner"] = store.user_login(ticket["owner_id"])
        data["customer"] = store.user_login(ticket["customer_id"])
        data["created_by"] = store.user_login(ticket["created_by_id"])
        data["updated_by"] = store.user_login(ticket["updated_by_id"])
        data["create_article_type"] = ARTICLE_TYPES.get(ticket["create_article_type_id"])
        data["create_article_sender"] = SENDERS.get(ticket["create_article_sender_id"])
        data["ticket_time_accounting"] = []
        if ticket.get("organization_id"):
            data["organization"] = store.organizations[ticket["organization_id"]]["name"]
    return data


def _name_to_id(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    """association_name_to_id_convert: `group` -> `group_id` etc.; the `_id` key wins (§1)."""
    tables = {"group": store.groups, "state": store.states, "priority": store.priorities,
              "organization": store.organizations}
    clean = dict(params)
    for key in ("group", "state", "priority", "organization", "owner", "customer"):
        if key not in clean:
            continue
        value = clean.pop(key)
        if f"{key}_id" in clean or value is None or value == "":
            continue
        if key in tables:
            found = store.id_by_name(tables[key], value)
        else:
            user = store.user_by_reference(str(value))
            found = user["id"] if user else None
        if found is None:
            raise lookup_failed(key, value)
        clean[f"{key}_id"] = found
    return clean


def _check_ids(store: Store, clean: dict[str, Any]) -> None:
    """param_cleanup: unknown ids of class-named associations are a 422 (§4.3 step 5)."""
    tables = {"customer_id": store.users, "owner_id": store.users, "state_id": store.states,
              "priority_id": store.priorities, "organization_id": store.organizations}
    for key, table in tables.items():
        value = clean.get(key)
        if value is None or value == "":
            clean[key] = None
            continue
        number = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
        if number is None or number not in table:
            raise invalid_param(key, value)
        clean[key] = number


def _customer(store: Store, caller: Caller, clean: dict[str, Any], customer_hash: Any,
              new_users: list[dict[str, Any]]) -> None:
    value = clean.get("customer_id")
    match = re.fullmatch(r"guess:(.+?)", value, re.DOTALL) if isinstance(value, str) else None
    if match:
        # `guess:` only works on customer_id, not customer (§4.1).
        email = match.group(1)
        if not EMAIL_RE.match(email):
            raise ApiError(422, f"Invalid email '{email}' of customer", human=False)
        user = store.user_by_email(email)
        if user is None:
            user = store.new_customer(email=email, created_by_id=caller.user["id"])
            new_users.append(user)
        clean["customer_id"] = user["id"]
    elif not value and isinstance(customer_hash, dict):
        # customer: {...}: found by id, then email, then login; otherwise created (§4.1).
        user = (store.users.get(customer_hash.get("id"))  # type: ignore[arg-type]
                or store.user_by_email(str(customer_hash.get("email") or ""))
                or (store.user_by_login(str(customer_hash["login"])) if customer_hash.get("login") else None))
        if user is None:
            if not customer_hash.get("email") and not customer_hash.get("login"):
                raise masked(422, "Customer needs an email or login", is_admin=caller.is_admin)
            user = store.new_customer(
                email=str(customer_hash.get("email") or ""), login=customer_hash.get("login"),
                firstname=str(customer_hash.get("firstname") or ""),
                lastname=str(customer_hash.get("lastname") or ""), created_by_id=caller.user["id"])
            new_users.append(user)
        clean["customer_id"] = user["id"]


def _article(store: Store, caller: Caller, spec: Any) -> tuple[dict[str, Any], list[tuple[dict[str, Any], str]]]:
    """Validate the article sub-object (§4.2); returns the article and its attachments."""
    if not isinstance(spec, dict) or spec.get("body") is None:
        raise ApiError(422, "Need at least an 'article body' field.")
    body = str(spec["body"])
    if len(body) > MAX_BODY:
        raise ApiError(422, f"body of article is too large, {len(body)} chars - only {MAX_BODY} allowed")
    agent = caller.has("ticket.agent")
    type_id = spec.get("type_id")
    if type_id is None and spec.get("type") is not None:
        type_id = next((k for k, v in ARTICLE_TYPES.items() if v == spec["type"]), None)
        if type_id is None:
            raise lookup_failed("type", spec["type"])
    elif type_id is not None and type_id not in ARTICLE_TYPES:
        raise invalid_param("type_id", type_id)
    type_id = type_id or 10
    if not agent and ARTICLE_TYPES[type_id] not in ("note", "web"):
        type_id = 10  # customers' email/phone articles silently become notes (REC71)
    if ARTICLE_TYPES[type_id] == "email" and not EMAIL_RE.match(str(spec.get("to") or "")):
        raise ApiError(422, "Sending an email without a valid recipient is not possible.")
    sender_id = spec.get("sender_id")
    if sender_id is None and spec.get("sender") is not None:
        sender_id = next((k for k, v in SENDERS.items() if v == spec["sender"]), None)
        if sender_id is None:
            raise lookup_failed("sender", spec["sender"])
    if not agent:
        sender_id = 2
    sender_id = sender_id or 1
    attachments: list[tuple[dict[str, Any], str]] = []
    for index, item in enumerate(spec.get("attachments") or []):
        for key in ("filename", "data", "mime-type"):
            if not isinstance(item, dict) or not item.get(key):
                raise ApiError(422, f"Attachment needs '{key}' param for attachment with index '{index}'")
        data = str(item["data"]).replace("\r", "").replace("\n", "")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, f"Invalid base64 for attachment with index '{index}'") from None
        meta = {"id": 0, "store_file_id": 0, "filename": str(item["filename"]),
                "size": str(len(raw)),  # a string, as recorded (§5.6)
                "preferences": {"Mime-Type": str(item["mime-type"])}}
        attachments.append((meta, data))
    user = caller.user
    article = {
        "type_id": type_id, "sender_id": sender_id,
        "from": f"{user['firstname']} {user['lastname']}".strip() or user["login"],
        "to": spec.get("to"), "cc": spec.get("cc"), "subject": spec.get("subject"),
        "reply_to": None, "message_id": None, "message_id_md5": None, "in_reply_to": None,
        "content_type": spec.get("content_type") or "text/plain", "references": None,
        "body": body, "internal": bool(spec.get("internal")) if agent else False,
        "preferences": {}, "updated_by_id": user["id"], "created_by_id": user["id"],
        "origin_by_id": None, "time_unit": None,
    }
    return article, attachments


def _tags(store: Store, caller: Caller, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        # Zammad calls params[:tags].split(','); a JSON array breaks inside the
        # transaction (derived from tickets_controller, not recorded). §4.1 says: string.
        raise masked(500, "tags must be a comma-separated string, not a JSON array/object",
                     is_admin=caller.is_admin)
    tags = [t.strip() for t in value.split(",") if t.strip()]
    if not store.config.tag_new and not caller.has("admin.tag"):
        tags = [t for t in tags if t in store.known_tags]  # skipped silently (§4.1)
    return list(dict.fromkeys(tags))


def create_ticket(store: Store, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Validate everything, then commit ticket, users, article and tags at once."""
    with store.lock:
        params = dict(params)
        customer_hash = params.pop("customer") if isinstance(params.get("customer"), dict) else None
        clean = _name_to_id(store, params)
        if not caller.has("ticket.agent"):
            # Customer callers (or From: a customer) always create for themselves (§4.1).
            for key in ("owner_id", "customer_id", "preferences"):
                clean.pop(key, None)
            clean["customer_id"] = caller.user["id"]
        new_users: list[dict[str, Any]] = []
        _customer(store, caller, clean, customer_hash, new_users)
        pending = {u["id"]: u for u in new_users}
        store.users.update(pending)  # visible to _check_ids; rolled back below on any error
        committed = False
        try:
            ticket = _validate(store, caller, clean, params)
            article, attachments = _article(store, caller, params["article"]) if params.get("article") else (None, [])
            tags = _tags(store, caller, params.get("tags"))
            record = _commit(store, ticket, article, attachments, tags)
            committed = True
            return record
        finally:
            if not committed:
                for uid in pending:
                    store.users.pop(uid, None)


def _validate(store: Store, caller: Caller, clean: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    _check_ids(store, clean)
    customs = store.custom_ticket_attributes()
    ticket = {k: v for k, v in clean.items() if k in WRITABLE or k in customs}
    if not ticket.get("group_id"):
        raise ApiError(422, "The required value 'group_id' is missing.")
    if ticket["group_id"] not in store.groups:
        # Not validated by param_cleanup; fails later in Zammad (§11: untested).
        raise masked(422, f"Invalid value for param 'group_id': {ticket['group_id']}", is_admin=caller.is_admin)
    ticket["title"] = re.sub(r"[\t\r\n]", " ", str(ticket.get("title") or "")).strip()
    for field, ok in (("title", bool(ticket["title"])), ("customer_id", bool(ticket.get("customer_id")))):
        if not ok:  # core workflow mandatory fields: masked for non-admins (§4.4)
            raise masked(422, f"Missing required value for field '{field}'!", is_admin=caller.is_admin)
    if len(ticket["title"]) > 250:
        raise masked(422, "Value too long for column title", is_admin=caller.is_admin)
    for name, attr in customs.items():
        options = attr["data_option"].get("options")
        value = ticket.get(name)
        if attr["data_type"] in ("select", "multiselect") and value not in (None, "") and options is not None:
            values = value if isinstance(value, list) else [value]
            if any(str(v) not in options for v in values):
                raise masked(422, f"Invalid value '{value}' for field '{name}'!", is_admin=caller.is_admin)
        if name not in ticket:
            ticket[name] = attr["data_option"].get("default")
    ticket.setdefault("state_id", None)
    ticket["state_id"] = ticket["state_id"] or 1  # default_create "new"
    ticket["priority_id"] = ticket.get("priority_id") or 2  # default_create "2 normal"
    ticket["owner_id"] = ticket.get("owner_id") or 1
    customer = store.users[ticket["customer_id"]]
    ticket["organization_id"] = ticket.get("organization_id") or customer["organization_id"]
    ticket["preferences"] = ticket.get("preferences") or {}
    ticket["created_by_id"] = ticket["updated_by_id"] = caller.user["id"]
    return ticket


def _commit(store: Store, ticket: dict[str, Any], article: dict[str, Any] | None,
            attachments: list[tuple[dict[str, Any], str]], tags: list[str]) -> dict[str, Any]:
    stamp = now()
    store.ticket_counter += 1
    # Increment generator: system_id + counter zero-padded to min_size 5 (§1): "67001".
    width = max(0, 5 - len(str(store.system_id)))
    record = {key: None for key in TICKET_COLUMNS}
    record.update(ticket)
    record.update({
        "id": store.next_ticket_id, "number": f"{store.system_id}{store.ticket_counter:0{width}d}",
        "article_count": 1 if article else 0, "created_at": stamp, "updated_at": stamp,
        "create_article_type_id": article["type_id"] if article else None,
        "create_article_sender_id": article["sender_id"] if article else None,
    })
    store.next_ticket_id += 1
    store.tickets[record["id"]] = record
    if article is not None:
        stored = []
        for meta, data in attachments:
            meta = {**meta, "id": store.next_attachment_id, "store_file_id": store.next_attachment_id}
            store.attachment_data[meta["id"]] = data
            store.next_attachment_id += 1
            stored.append(meta)
        article = {"id": store.next_article_id, "ticket_id": record["id"], **article,
                   "created_at": stamp, "updated_at": stamp, "attachments": stored}
        store.next_article_id += 1
        store.articles[article["id"]] = article
    store.tags[record["id"]] = tags
    store.known_tags.update(tags)
    return record
