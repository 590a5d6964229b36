"""Run the Zammad stand-in: python -m zammad_standin --port 8765 [--token T] [--latency 0.2]."""

from __future__ import annotations

import argparse
import signal
import threading

from .standin import StandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zammad_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--token", default="standin-token", help="the API token clients must send")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API call")
    parser.add_argument("--group", action="append", default=[], help="extra group (repeatable)")
    parser.add_argument(
        "--attribute", action="append", default=[],
        help="custom ticket attribute: NAME (text) or NAME:opt1,opt2 (select); repeatable")
    parser.add_argument("--organization", action="append", default=[], help="extra organization")
    parser.add_argument("--version", default="7.1", help="Zammad version profile (< 6.5: dict search shape)")
    parser.add_argument("--system-id", type=int, default=0, help="ticket number prefix (default random 10-99)")
    parser.add_argument("--admin-password", help="enable HTTP basic auth for admin@example.com")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)

    standin = StandIn(
        args.port, host=args.host, token=args.token, latency=args.latency, groups=args.group,
        ticket_attributes=args.attribute, organizations=args.organization, version=args.version,
        system_id=args.system_id, admin_password=args.admin_password, verbose=not args.quiet,
    ).start()
    print(f"Zammad stand-in on {standin.url} (token {standin.token!r}); control: {standin.url}/_standin",
          flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
