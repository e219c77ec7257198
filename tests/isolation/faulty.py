"""clicktrail with one route that fails, for the tests of what a failure costs."""

from __future__ import annotations

from clicktrail.app import Root
from clicktrail.app import create_app as create_clicktrail
from clicktrail.config import Settings

PATH = "/faults/raise"
FAULTY = f"{__name__}:create_app"


class InjectedFault(RuntimeError):
    """What the faulty route raises: no handler knows it."""


def create_app(settings: Settings | None = None) -> Root:
    root = create_clicktrail(settings)

    async def fail() -> None:
        raise InjectedFault("injected fault")

    root.api.add_api_route(PATH, fail, methods=["POST"])
    return root
