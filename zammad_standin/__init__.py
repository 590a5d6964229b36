"""A Zammad stand-in HTTP server for development, demos and integration tests.

Standard library only. Embed it in tests::

    with StandIn(port=0, token="t") as zammad:
        client = ZammadClient(zammad.url, token="t")
        zammad.faults.lose_response_next = 1

or run it: ``python -m zammad_standin --port 8765``. See README.md.
"""

from __future__ import annotations

from .faults import Faults
from .standin import StandIn

__all__ = ["Faults", "StandIn"]
