"""`clicktrail user create`, run as a separate process on the test's database."""

from __future__ import annotations

import json
import subprocess

import httpx

from clicktrail.config import Settings
from tests.dashboard.helpers import Visitor
from tests.support import Tenant, fetch
from tests.test_cli import CLI, cli_env


def user_create(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "user", "create", *args], input=stdin, env=cli_env(settings), capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_a_generated_password_is_printed_once_and_signs_in(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    done = user_create(app_settings, "Ada@Example.com", "--workspace", tenant.slug, "--json")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["email"] == "ada@example.com"
    assert made["role"] == "member"
    assert len(made["password"]) >= 20
    answer = await Visitor(client).sign_in("ada@example.com", made["password"])
    assert answer.status_code == 303
    (row,) = await fetch(app_settings, "SELECT password_hash FROM users")
    assert row["password_hash"].startswith("$argon2id$")
    assert made["password"] not in row["password_hash"]


async def test_a_password_from_stdin_and_a_role(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    done = user_create(
        app_settings, "viewer@example.com", "--workspace", tenant.slug, "--role", "viewer",
        "--password-stdin", stdin="a long enough secret\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "password" not in done.stdout.lower().replace("password unchanged", "")
    assert (
        await Visitor(client).sign_in("viewer@example.com", "a long enough secret")
    ).status_code == 303
    rows = await fetch(app_settings, "SELECT role FROM memberships")
    assert rows == [{"role": "viewer"}]


async def test_mistakes_are_refused_and_write_nothing(
    tenant: Tenant, app_settings: Settings
) -> None:
    short = user_create(app_settings, "a@example.com", "--workspace", tenant.slug,
                        "--password-stdin", stdin="short\n")  # fmt: skip
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    unknown = user_create(app_settings, "a@example.com", "--workspace", "nope")
    assert unknown.returncode == 1
    bad = user_create(app_settings, "not-an-email", "--workspace", tenant.slug)
    assert bad.returncode == 1
    assert "email" in bad.stderr
    assert await fetch(app_settings, "SELECT id FROM users") == []
    assert user_create(app_settings, "a@example.com", "--workspace", tenant.slug).returncode == 0
    again = user_create(app_settings, "a@example.com", "--workspace", tenant.slug)
    assert again.returncode == 1
    assert "already a member" in again.stderr
