"""GET|POST /api/v1/tickets/search (zammad-api.md §5.2) in its DB mode.

Zammad without Elasticsearch (or with only a `condition`) queries the
database, so a fresh ticket is found at once; the stand-in behaves that way.
"""

from __future__ import annotations

from typing import Any

from .errors import masked
from .store import Caller, Store
from .tickets import TICKET_COLUMNS, ticket_json

TAG_OPERATORS = {"contains all", "contains one", "contains all not", "contains one not"}


def _split_tags(value: Any) -> list[str]:
    # lib/selector/sql.rb: a string value is split on "," and stripped.
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(t).strip() for t in items if str(t).strip()]


class _Matcher:
    def __init__(self, store: Store, caller: Caller) -> None:
        self.store = store
        self.caller = caller
        self.columns = set(TICKET_COLUMNS) | set(store.custom_ticket_attributes())

    def fail(self, message: str) -> Exception:
        # Zammad turns a bad selector into a DB error: masked 422 (§5.2).
        return masked(422, message, is_admin=self.caller.is_admin)

    def matches(self, ticket: dict[str, Any], condition: Any) -> bool:
        if not isinstance(condition, dict):
            raise self.fail("condition must be an object")
        if "conditions" in condition:  # expert form {"operator": "AND|OR|NOT", "conditions": [...]}
            results = [self.matches(ticket, sub) for sub in condition.get("conditions") or []]
            operator = str(condition.get("operator", "AND")).upper()
            if operator == "OR":
                return any(results)
            if operator == "NOT":
                return not any(results)
            return all(results)
        if "name" in condition and "operator" in condition:  # an item of the expert form
            return self.leaf(ticket, str(condition["name"]), condition)
        return all(self.leaf(ticket, name, spec) for name, spec in condition.items())

    def leaf(self, ticket: dict[str, Any], name: str, spec: Any) -> bool:
        if not isinstance(spec, dict) or "operator" not in spec:
            raise self.fail(f"Invalid condition for '{name}'")
        operator, value = str(spec["operator"]), spec.get("value")
        if name == "ticket.tags":
            if operator not in TAG_OPERATORS:
                raise self.fail(f"Invalid operator '{operator}' for ticket.tags")
            wanted = set(_split_tags(value))
            have = set(self.store.tags.get(ticket["id"], []))
            hit = wanted <= have if operator.startswith("contains all") else bool(wanted & have)
            return not hit if operator.endswith(" not") else hit
        prefix, _, column = name.partition(".")
        if prefix != "ticket" or column not in self.columns:
            raise self.fail(f'PG::UndefinedColumn: ERROR:  column "{name}" does not exist')
        actual = ticket.get(column)
        if operator in ("is", "is not"):
            values = value if isinstance(value, list) else [value]
            hit = str(actual) in {str(v) for v in values} if actual is not None else None in values
            return hit if operator == "is" else not hit
        if operator in ("contains", "contains not"):
            hit = str(value or "").lower() in str(actual or "").lower()
            return hit if operator == "contains" else not hit
        raise self.fail(f"Invalid operator '{operator}' for '{name}'")


def _query_hit(store: Store, ticket: dict[str, Any], query: str) -> bool:
    # DB mode: case-insensitive substring over title, number and article fields; `*` stripped.
    needle = query.replace("*", "").strip().lower()
    if not needle:
        return True
    texts = [ticket.get("title"), ticket.get("number")]
    for article in store.articles.values():
        if article["ticket_id"] == ticket["id"]:
            texts += [article.get("body"), article.get("from"), article.get("to"), article.get("subject")]
    return any(needle in str(text).lower() for text in texts if text)


def _flag(params: dict[str, Any], key: str) -> bool:
    return str(params.get(key, "")).lower() in ("true", "1")


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def search_tickets(store: Store, caller: Caller, params: dict[str, Any]) -> Any:
    """Run a search and render it in the shape of the configured Zammad version."""
    with store.lock:
        matcher = _Matcher(store, caller)
        condition = params.get("condition") or {}
        query = str(params.get("query") or "")
        visible = [
            t for t in store.tickets.values()
            # Customers only see their own tickets; agents see all (group access not modelled).
            if caller.has("ticket.agent") or t["customer_id"] == caller.user["id"]
        ]
        found = [t for t in visible if matcher.matches(t, condition) and _query_hit(store, t, query)]
        found.sort(key=lambda t: (t["updated_at"], t["id"]), reverse=True)
        per_page = min(max(_int(params.get("per_page", params.get("limit")), 50), 1), 200)
        page = max(_int(params.get("page"), 1), 1)
        total = len(found)
        found = found[(page - 1) * per_page : page * per_page]
        if _flag(params, "expand"):
            return [ticket_json(store, t, with_ids=True, expand=True) for t in found]
        if store.config.version_tuple() < (6, 5):
            # <= 6.4: ids plus an asset bundle (recorded on 6.2).
            assets: dict[str, dict[str, Any]] = {"Ticket": {}, "User": {}, "Group": {}}
            for t in found:
                assets["Ticket"][str(t["id"])] = ticket_json(store, t, with_ids=True)
                assets["User"][str(t["customer_id"])] = store.user_json(store.users[t["customer_id"]])
                assets["Group"][str(t["group_id"])] = dict(store.groups[t["group_id"]])
            return {"tickets": [t["id"] for t in found], "tickets_count": len(found), "assets": assets}
        if _flag(params, "only_total_count"):
            return {"total_count": total}
        records = [ticket_json(store, t, with_ids=True) for t in found]
        if _flag(params, "with_total_count"):
            return {"records": records, "total_count": total}
        return records
