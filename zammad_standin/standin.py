"""StandIn: start/stop a Zammad stand-in in a background thread."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable
from typing import Any, Self

from .faults import Faults
from .server import StandInServer
from .store import DEFAULT_TOKEN_PERMISSIONS, Caller, Config, Store, now
from .tickets import create_ticket, ticket_json


def _attribute_spec(spec: str | dict[str, Any]) -> dict[str, Any]:
    """"portal_request_id" or "severity:low,high" or a full dict -> attribute spec."""
    if isinstance(spec, dict):
        return spec
    name, _, options = spec.partition(":")
    if not options:
        return {"name": name, "data_type": "input", "data_option": {"type": "text", "maxlength": 255}}
    choices = [o.strip() for o in options.split(",") if o.strip()]
    return {"name": name, "data_type": "select", "data_option": {"options": {c: c for c in choices}}}


class StandIn:
    """A Zammad stand-in HTTP server (see README.md for the behaviour it copies)."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        token: str = "standin-token",
        token_permissions: Iterable[str] = DEFAULT_TOKEN_PERMISSIONS,
        groups: Iterable[str] = (),
        ticket_attributes: Iterable[str | dict[str, Any]] = (),
        organizations: Iterable[str] = (),
        system_id: int = 0,
        version: str = "7.1",
        tag_new: bool = True,
        admin_password: str | None = None,
        latency: float = 0.0,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.verbose = verbose
        self.store = Store(Config(
            token=token, token_permissions=tuple(token_permissions), groups=list(groups),
            ticket_attributes=[_attribute_spec(a) for a in ticket_attributes],
            organizations=list(organizations), system_id=system_id, version=version,
            tag_new=tag_new, admin_password=admin_password,
        ))
        self.faults = Faults(on_down_change=self._on_down_change)
        # Startup latency (--latency) is the baseline that reset() returns to.
        self._base_latency = float(latency)
        self.faults.latency = self._base_latency
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None
        self._listener_lock = threading.Lock()
        self._running = False
        self._wake = threading.Condition()
        self._generation = 0  # bumped by stop()/reset() to end every pending sleep()
        self._up_timer: threading.Timer | None = None
        self._seed()

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free port) and serve in a daemon thread."""
        self._running = True
        self._open_listener()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and wake hanging handlers."""
        self._running = False
        if self._up_timer is not None:
            self._up_timer.cancel()
        self._wake_sleepers()
        self._close_listener()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL for ZammadClient, e.g. http://127.0.0.1:8765."""
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return self.store.config.token

    def _open_listener(self) -> None:
        with self._listener_lock:
            if self._server is not None:
                return
            server = StandInServer((self.host, self.port), self)
            self.port = server.server_address[1]  # keep the same port across down/up
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"zammad-standin-{self.port}", daemon=True)
            self._thread.start()

    def _close_listener(self) -> None:
        with self._listener_lock:
            server, self._server = self._server, None
            if server is None:
                return
            server.shutdown()
            server.server_close()  # closes the listening socket: new connections are refused
            server.close_all_connections()
            if self._thread is not None:
                self._thread.join(timeout=5)

    def _on_down_change(self, down: bool) -> None:
        if not self._running:
            return
        if down:
            self._close_listener()
        else:
            self._open_listener()

    def take_down(self, *, seconds: float | None = None) -> None:
        """Refuse connections (listener closed); come back after `seconds` if given."""
        self.faults.down = True
        if seconds is not None:
            self._up_timer = threading.Timer(seconds, setattr, args=(self.faults, "down", False))
            self._up_timer.daemon = True
            self._up_timer.start()

    def sleep(self, seconds: float) -> None:
        """Wait, but return early on stop() or reset() so tests never wait for a hang."""
        deadline = time.monotonic() + seconds
        with self._wake:
            generation = self._generation
            while self._generation == generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._wake.wait(remaining)

    def _wake_sleepers(self) -> None:
        with self._wake:
            self._generation += 1
            self._wake.notify_all()

    # -- data ----------------------------------------------------------------------

    def _seed(self) -> None:
        # Ticket 1 of a fresh install (§6): it takes number <system_id>001.
        system = Caller(user=self.store.users[3], token_permissions=None)
        ticket = create_ticket(self.store, system, {
            "title": "Welcome to Zammad!", "group_id": 1, "customer_id": 2,
            "article": {"body": "Welcome!\n\nThank you for choosing Zammad.", "type": "phone",
                        "sender": "Customer"},
        })
        ticket["created_by_id"] = ticket["updated_by_id"] = 1
        self.store.seed_ticket_ids.add(ticket["id"])

    def reset(self) -> None:
        """Fresh install data (with the configured extras) and no faults."""
        self._wake_sleepers()
        self.faults.configure(latency=self._base_latency)
        self.store.reset()
        self._seed()

    def add_token(self, token: str, *, user_id: int = 3,
                  permissions: Iterable[str] = DEFAULT_TOKEN_PERMISSIONS) -> None:
        """Register another API token, e.g. one lacking admin.user to test From errors."""
        self.store.add_token(token, user_id=user_id, permissions=permissions)

    @property
    def tickets(self) -> list[dict[str, Any]]:
        """Snapshot of tickets created through the API, with articles, tags and customer."""
        store = self.store
        with store.lock:
            result = []
            for ticket in store.tickets.values():
                if ticket["id"] in store.seed_ticket_ids:
                    continue
                articles = copy.deepcopy([a for a in store.articles.values() if a["ticket_id"] == ticket["id"]])
                for article in articles:
                    for attachment in article["attachments"]:
                        attachment["data"] = store.attachment_data.get(attachment["id"])
                result.append({
                    "ticket": ticket_json(store, ticket, with_ids=True, expand=True),
                    "articles": articles,
                    "tags": list(store.tags.get(ticket["id"], [])),
                    "customer": store.user_json(store.users[ticket["customer_id"]]),
                })
            return result

    def set_ticket_state(self, ticket_id: int, state: int | str | None) -> dict[str, Any]:
        """Change a ticket's state as an agent would (for status-sync demos)."""
        store = self.store
        with store.lock:
            ticket = store.tickets.get(ticket_id)
            if ticket is None:
                raise LookupError(f"no ticket with id {ticket_id}")
            state_id = state if isinstance(state, int) else store.id_by_name(store.states, state)
            if state_id not in store.states:
                raise LookupError(f"unknown state {state!r}")
            stamp = now()
            ticket.update({"state_id": state_id, "updated_at": stamp, "updated_by_id": 3})
            if store.states[state_id]["state_type_id"] == 5:  # closed
                ticket.update({"close_at": ticket["close_at"] or stamp, "last_close_at": stamp})
            return ticket_json(store, ticket, with_ids=True, expand=True)
