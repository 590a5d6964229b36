"""A small, typed client for the parts of the Zammad REST API the portal uses.

Facts about the API (paths, body shapes, error texts) come from
the project's Zammad API reference (../shared/reference/zammad-api.md beside the checkout,
with its sources at docs.zammad.org); its section numbers are cited as "§N".
Every HTTP call goes through :meth:`ZammadClient._request`, which always sets
timeouts, never follows redirects and maps every failure to a typed error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

import requests

from . import _classify
from .errors import ZammadBadResponse, ZammadError
from .models import NamedItem, Ticket, TicketAttribute, User

logger = logging.getLogger("zammad_client")

T = TypeVar("T")

API = "/api/v1"
# §5.5: /users/search pages hold at most 200 (>= 6.5) or 500 (older); 100 fits both.
USER_SEARCH_PAGE = 100
USER_SEARCH_MAX_PAGES = 5


def _list_of(parse: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    def parse_list(data: Any) -> list[T]:
        if not isinstance(data, list):
            raise TypeError(f"expected a JSON array, got {type(data).__name__}")
        return [parse(item) for item in data]

    return parse_list


def _tickets_from_search(data: Any) -> list[Ticket]:
    """Accept every search shape of §5.2: array (expand, >= 6.5) or ids + assets (<= 6.4)."""
    if isinstance(data, list):
        return [Ticket.from_api(item) for item in data]
    if isinstance(data, dict):
        if isinstance(data.get("records"), list):  # 7.1 with_total_count
            return [Ticket.from_api(item) for item in data["records"]]
        ids = data.get("tickets", data.get("record_ids"))
        assets = data.get("assets")
        if isinstance(ids, list) and isinstance(assets, dict):
            by_id = assets.get("Ticket") or {}
            try:
                return [Ticket.from_api(by_id[str(ticket_id)]) for ticket_id in ids]
            except KeyError as exc:
                raise ValueError(f"ticket {exc} listed but missing from assets") from exc
    raise TypeError("unrecognised ticket search response")


def _normalise_tags(value: Any) -> Any:
    # §4.1: tags on create must be ONE comma-separated string; Zammad does not
    # accept a JSON list there. Let callers pass a list and join it here.
    if isinstance(value, (list, tuple)):
        tags = [str(tag).strip() for tag in value]
        if any("," in tag for tag in tags):
            raise ValueError("a tag cannot contain a comma")
        return ",".join(tag for tag in tags if tag)
    return value


def _header_value(value: str) -> str:
    value = value.strip()
    if not value or "\r" in value or "\n" in value:
        raise ValueError("on_behalf_of must be a non-empty single-line login, email or id")
    return value


class _HeaderAuth(requests.auth.AuthBase):
    """Sets a fixed Authorization header; its repr never shows the credential."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._value
        return request

    def __repr__(self) -> str:
        return "_HeaderAuth(***)"


class ZammadClient:
    """Talks to one Zammad instance with one credential and one HTTP session."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        bearer: str | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        user_agent: str = "ox-helpdesk-portal",
    ) -> None:
        if sum(cred is not None for cred in (token, basic_auth, bearer)) != 1:
            raise ValueError("pass exactly one of token=, basic_auth= or bearer=")
        base = base_url.rstrip("/")
        # Accept both "https://zammad.example" and ".../api/v1" as base URL.
        self.base_url = base.removesuffix(API)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self._secrets = [s for s in (token, bearer, basic_auth[1] if basic_auth else None) if s]
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": user_agent})
        # §2.1: token auth is the recommended method; basic and OAuth2 bearer also work.
        # Always set session.auth (not a plain header): with trust_env, requests
        # would otherwise let a ~/.netrc entry overwrite the Authorization header.
        if token is not None:
            self._session.auth = _HeaderAuth(f"Token token={token}")
        elif bearer is not None:
            self._session.auth = _HeaderAuth(f"Bearer {bearer}")
        else:
            assert basic_auth is not None
            self._session.auth = requests.auth.HTTPBasicAuth(*basic_auth)

    def __repr__(self) -> str:
        # Never show credentials, not even in a debugger or a log of repr()s.
        return f"ZammadClient({self.base_url!r})"

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the one choke point -------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        parse: Callable[[Any], T],
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> T:
        """Send one request and return ``parse(json_body)`` or raise a ZammadError."""
        where = f"{method} {path}"
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            error = _classify.from_exception(exc, where, self._secrets)
            logger.warning("%s", error)
            raise error from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("Zammad %s -> %s in %.0f ms", where, response.status_code, elapsed_ms)
        if not 200 <= response.status_code < 300:
            error = _classify.from_response(response, where, self._secrets)
            logger.warning("%s", error)
            raise error
        try:
            return parse(response.json())
        except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError too
            excerpt = _classify.redact(response.text[: _classify.EXCERPT_CHARS], self._secrets)
            error = ZammadBadResponse(
                f"unusable response body ({exc})",
                status=response.status_code,
                body_excerpt=excerpt,
                where=where,
            )
            logger.warning("%s", error)
            raise error from exc

    # -- tickets ---------------------------------------------------------------

    def create_ticket(self, payload: dict[str, Any], *, on_behalf_of: str | None = None) -> Ticket:
        """Create a ticket (with its first article) and return it."""
        # Reference: zammad-api.md §4 (fields, tags as comma string, 201 body) and §2.2
        # (From header); https://docs.zammad.org/en/latest/api/ticket/index.html
        body = dict(payload)
        if "tags" in body:
            body["tags"] = _normalise_tags(body["tags"])
        headers: dict[str, str] = {"Content-Type": "application/json"}
        if on_behalf_of is not None:
            who = _header_value(on_behalf_of)
            # Current Zammad reads From; X-On-Behalf-Of is the pre-5.0 name it still accepts.
            headers["From"] = who
            headers["X-On-Behalf-Of"] = who
        # expand=true adds state/group names to the 201 body (§4.5).
        return self._request(
            "POST", f"{API}/tickets", params={"expand": "true"}, json=body, headers=headers, parse=Ticket.from_api
        )

    def get_ticket(self, ticket_id: int, *, with_tags: bool = False) -> Ticket:
        """Fetch one ticket with state/group names; optionally load its tags too."""
        # Reference: zammad-api.md §5.1 (expand=true adds names) and §5.7 (tags are separate)
        ticket = self._request(
            "GET", f"{API}/tickets/{int(ticket_id)}", params={"expand": "true"}, parse=Ticket.from_api
        )
        if not with_tags:
            return ticket
        tags = self.get_ticket_tags(ticket.id)
        return Ticket(**{**ticket.__dict__, "tags": tags})

    def get_ticket_tags(self, ticket_id: int) -> list[str]:
        """Return the tags of one ticket."""
        # Reference: zammad-api.md §5.7 (GET /tags?object=Ticket&o_id= -> {"tags": [...]})
        def parse(data: Any) -> list[str]:
            if not isinstance(data, dict) or not isinstance(data.get("tags"), list):
                raise TypeError("expected {'tags': [...]}")
            return [str(tag) for tag in data["tags"]]

        return self._request(
            "GET", f"{API}/tags", params={"object": "Ticket", "o_id": int(ticket_id)}, parse=parse
        )

    def search_tickets(self, condition: dict[str, Any], *, limit: int = 10) -> list[Ticket]:
        """Find tickets by a selector condition (a DB query: sees fresh tickets at once)."""
        # Reference: zammad-api.md §5.2 (condition body; expand=true gives an array in every
        # version) and §8 step 3 (condition search is consistent immediately, query= is not)
        body = {"condition": condition, "limit": int(limit)}
        return self._request(
            "POST",
            f"{API}/tickets/search",
            params={"expand": "true"},
            json=body,
            headers={"Content-Type": "application/json"},
            parse=_tickets_from_search,
        )

    def find_ticket_by_tag(self, tag: str) -> Ticket | None:
        """Return the oldest ticket carrying ``tag``, or None."""
        # Reference: zammad-api.md §5.2 tags condition; operators per Zammad's
        # lib/selector/sql.rb: contains all | contains one | contains all not | contains one not
        tag = tag.strip()
        if not tag or "," in tag:
            # The condition value is itself a comma-separated list.
            raise ValueError("tag must be non-empty and contain no comma")
        tickets = self.search_tickets({"ticket.tags": {"operator": "contains all", "value": tag}})
        # Several tickets can only exist if an earlier retry raced; the first one wins.
        return min(tickets, key=lambda t: t.id) if tickets else None

    def get_ticket_states(self) -> dict[int, str]:
        """Map ticket state ids to names (ids differ between installs, §6)."""
        # Reference: zammad-api.md §5.3
        states = self._request("GET", f"{API}/ticket_states", parse=_list_of(NamedItem.from_api))
        return {state.id: state.name for state in states}

    # -- users -------------------------------------------------------------------

    def find_user_by_email(self, email: str) -> User | None:
        """Return the user whose email equals ``email`` (case-insensitive), or None."""
        # Reference: zammad-api.md §5.5 (search is a substring/ES search: filter exact
        # matches client-side). A plain query works with and without Elasticsearch,
        # unlike "email:..." field syntax (§5.2).
        wanted = email.strip().lower()
        if not wanted:
            raise ValueError("email must not be empty")
        for page in range(1, USER_SEARCH_MAX_PAGES + 1):
            users = self._request(
                "GET",
                f"{API}/users/search",
                params={"query": wanted, "limit": USER_SEARCH_PAGE, "page": page},
                parse=_list_of(User.from_api),
            )
            for user in users:
                if user.email.strip().lower() == wanted:
                    return user
            if len(users) < USER_SEARCH_PAGE:
                break
        return None

    def create_user(
        self, *, email: str, firstname: str, lastname: str, organization: str | None = None
    ) -> User:
        """Create a customer user (Zammad applies the signup role, Customer)."""
        # Reference: zammad-api.md §5.5 (201; duplicate email -> 422
        # "Email address '<email>' is already used for another user.")
        body: dict[str, Any] = {"email": email.strip(), "firstname": firstname, "lastname": lastname}
        if organization:
            body["organization"] = organization
        return self._request(
            "POST", f"{API}/users", json=body, headers={"Content-Type": "application/json"}, parse=User.from_api
        )

    def me(self) -> User:
        """Return the authenticated user (or the From user), with role names."""
        # Reference: zammad-api.md §5.5 (GET /users/me honours From)
        return self._request("GET", f"{API}/users/me", params={"expand": "true"}, parse=User.from_api)

    # -- lookups for diagnostics -------------------------------------------------

    def list_groups(self) -> list[NamedItem]:
        """List the groups visible to this credential."""
        # Reference: zammad-api.md §5.4
        return self._request("GET", f"{API}/groups", parse=_list_of(NamedItem.from_api))

    def list_priorities(self) -> list[NamedItem]:
        """List ticket priorities ("1 low", "2 normal", "3 high" on a fresh install)."""
        # Reference: zammad-api.md §5.3, §6
        return self._request("GET", f"{API}/ticket_priorities", parse=_list_of(NamedItem.from_api))

    def list_ticket_attributes(self) -> list[TicketAttribute]:
        """List object-manager attributes of the Ticket object (needs admin.object)."""
        # Reference: zammad-api.md §5.8
        def parse(data: Any) -> list[TicketAttribute]:
            if not isinstance(data, list):
                raise TypeError("expected a JSON array")
            return [
                TicketAttribute.from_api(item)
                for item in data
                if isinstance(item, dict) and item.get("object") == "Ticket"
            ]

        return self._request("GET", f"{API}/object_manager_attributes", parse=parse)


__all__ = ["ZammadClient", "ZammadError"]
