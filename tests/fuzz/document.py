"""The OpenAPI document the fuzzer reads, built in-process at collection (test_document checks
that the live server serves the same one)."""

from __future__ import annotations

from typing import Any

from clicktrail.app import create_api
from tests.conftest import settings_for

DOCUMENT: dict[str, Any] = create_api(settings_for("sqlite:///unused.db")).openapi()
