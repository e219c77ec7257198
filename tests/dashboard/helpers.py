"""A signed-in visitor of the dashboard, as a browser without JavaScript acts: forms and cookies."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from clicktrail import admin
from clicktrail.config import Settings
from clicktrail.models import Role

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def make_user(
    settings: Settings, email: str, slug: str, role: Role = Role.owner, password: str = PASSWORD
) -> None:
    await admin.run(settings, lambda ctx: admin.create_user(ctx, email, slug, role, password))


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Visitor:
    client: httpx.AsyncClient

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.client.get("/dashboard/sign-in")
        token = csrf_of(form.text)
        return await self.client.post(
            "/dashboard/sign-in", data={"csrf": token, "email": email, "password": password}
        )

    async def page(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def submit(self, page: str, action: str, **fields: str) -> httpx.Response:
        """Posts `fields` to `action` with the CSRF token of `page`, as its form would."""
        token = csrf_of((await self.client.get(page)).text)
        return await self.client.post(action, data={"csrf": token, **fields})
