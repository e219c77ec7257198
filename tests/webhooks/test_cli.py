"""`clicktrail webhook create`, run as a user runs it."""

from __future__ import annotations

import json
import re

from clicktrail.config import Settings
from tests.support import fetch_sync
from tests.test_cli import run, run_json


def test_webhook_create_prints_its_id_and_secret_as_one_json_line(settings: Settings) -> None:
    run_json(settings, "workspace", "create", "Acme", "--plan", "business")
    made = run_json(
        settings, "webhook", "create", "https://hooks.example.com/in", "--workspace", "acme",
        "--trigger", "lead.created", "--trigger", "sale.created",
    )  # fmt: skip
    assert re.fullmatch(r"wh_[0-9A-Z]{25,26}", made["id"])
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{32}", made["secret"])
    assert (made["url"], made["name"]) == ("https://hooks.example.com/in",) * 2
    assert made["triggers"] == ["lead.created", "sale.created"]
    [stored] = fetch_sync(settings, "SELECT id, secret, triggers FROM webhooks")
    assert (stored["id"], stored["secret"]) == (made["id"], made["secret"])
    triggers = stored["triggers"]
    assert (json.loads(triggers) if isinstance(triggers, str) else triggers) == made["triggers"]

    plain = run(
        settings, "webhook", "create", "https://hooks.example.com/2", "--workspace", "acme",
        "--trigger", "link.clicked", "--name", "clicks",
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("Created webhook wh_")
    assert "whsec_" in plain.stdout


def test_webhook_create_refuses_a_bad_trigger_url_or_workspace(settings: Settings) -> None:
    run_json(settings, "workspace", "create", "Acme", "--plan", "business")
    for args, code, error in [
        (["https://h.example.com", "--trigger", "link.exploded"], 1, "error: Input should be"),
        (["ftp://h.example.com", "--trigger", "link.created"], 1, "http or https URL"),
        (["https://h.example.com"], 2, "Missing option '--trigger'"),
    ]:
        done = run(settings, "webhook", "create", *args, "--workspace", "acme", "--json")
        assert done.returncode == code
        assert error in done.stderr
        assert done.stdout == ""
    done = run(settings, "webhook", "create", "https://h.example.com", "--workspace", "nope",
               "--trigger", "link.created")  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert "Workspace not found: nope" in done.stderr
    assert fetch_sync(settings, "SELECT id FROM webhooks") == []
