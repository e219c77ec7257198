"""The error responses of `POST /track/click`, the one router that takes no key.

Routers with a key declare theirs from `clicktrail.api.openapi` (`KEYED`, `PLAN_GATED`).
"""

from __future__ import annotations

from clicktrail.api.openapi import BODY, PUBLIC, Responses, errors
from clicktrail.errors import NotFound

# A body that is not JSON or does not validate, or no link for the domain and key.
ERRORS: Responses = PUBLIC | BODY | errors(NotFound)
