"""QR codes, cursor paging, counts, upsert and the bulk operations through Dub's SDKs, PyPI
`dub` 0.39.0 and npm `dub` (tests/contract/node), unmodified, against a live server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dub import Dub
from dub.models import components, errors, operations

from tests.contract.sdk_clients import run_node
from tests.support import LiveServer, Tenant

URL = "https://example.com/landing"


@pytest.fixture
def seeded(live_server: LiveServer) -> tuple[Tenant, Dub, list[str]]:
    tenant = live_server.tenant("acme")
    dub = Dub(token=tenant.key, server_url=live_server.url)
    made = [dub.links.create(request={"url": URL, "key": f"k{n}"}).id for n in range(5)]
    return tenant, dub, made


def test_python_sdk_accepts_every_answer(seeded: tuple[Tenant, Dub, list[str]]) -> None:
    _, dub, made = seeded
    image = dub.qr_codes.get(
        request=operations.GetQRCodeRequest(url=URL, size=200, level=operations.Level.H)
    )
    assert "PNG" in image
    assert "IHDR" in image
    seen: list[str] = []
    after: str | None = None
    while page := _page(dub, after):
        seen += [link.id for link in page]
        after = page[-1].id
        assert len(seen) <= len(made), "paging does not end"
    assert seen == made[::-1]
    assert dub.links.count(request={}) == len(made)
    first = dub.links.upsert(request={"url": f"{URL}/up"})
    assert dub.links.upsert(request={"url": f"{URL}/up", "title": "T"}).id == first.id


def _page(dub: Dub, after: str | None) -> list[components.LinkSchema]:
    answer = dub.links.list(request=operations.GetLinksRequest(page_size=2, starting_after=after))
    assert answer is not None
    return answer.result


def test_python_sdk_bulk_with_per_item_errors(seeded: tuple[Tenant, Dub, list[str]]) -> None:
    _, dub, _made = seeded
    items = [operations.RequestBody(url=URL, key=key) for key in ("bulk", "k0")]
    answer = dub.links.create_many(request=items)
    assert isinstance(answer[0], components.LinkSchema)
    assert answer[0].key == "bulk"
    assert isinstance(answer[1], components.LinkErrorSchema)
    assert answer[1].code == components.Code.CONFLICT
    updated = dub.links.update_many(request={"link_ids": [answer[0].id], "data": {"title": "B"}})
    assert [link.title for link in updated] == ["B"]
    assert dub.links.delete_many(request={"link_ids": [answer[0].id]}).deleted_count == 1
    with pytest.raises(errors.UnprocessableEntity):
        dub.links.create(request={"url": URL, "tag_ids": ["tag_1"]})


def test_node_sdk_accepts_every_answer(
    seeded: tuple[Tenant, Dub, list[str]], live_server: LiveServer, tmp_path: Path
) -> None:
    tenant, _, made = seeded
    inputs = {
        "base_url": live_server.url, "api_key": tenant.key, "url": URL, "made": made,
        "page_size": 2, "taken_key": "k0",
    }  # fmt: skip
    run = run_node("link_batches", json.dumps(inputs), tmp_path)
    assert run.passed, run.output
    assert set(run.steps) >= {"qr", "cursor_pages", "upsert", "create_many", "delete_many"}


def test_python_sdk_domains(seeded: tuple[Tenant, Dub, list[str]]) -> None:
    _, dub, _made = seeded
    created = dub.domains.create(
        request=operations.CreateDomainRequestBody(
            slug="go.acme.test", not_found_url="https://acme.test/404"
        )
    )
    assert (created.slug, created.not_found_url) == ("go.acme.test", "https://acme.test/404")
    listed = dub.domains.list(request=operations.ListDomainsRequest())
    assert listed is not None
    assert [domain.id for domain in listed.result] == [created.id]
    updated = dub.domains.update(
        slug="go.acme.test",
        request_body=operations.UpdateDomainRequestBody(
            archived=True, placeholder="https://a.test"
        ),
    )
    assert (updated.archived, updated.placeholder) == (True, "https://a.test")
    assert dub.domains.delete(slug="go.acme.test").slug == "go.acme.test"
    with pytest.raises(errors.NotFound):
        dub.domains.delete(slug="go.acme.test")


def test_python_sdk_folders(seeded: tuple[Tenant, Dub, list[str]]) -> None:
    _, dub, _made = seeded
    folder = dub.folders.create(request=operations.CreateFolderRequestBody(name="Spring"))
    assert (folder.name, folder.access_level) == ("Spring", components.AccessLevel.WRITE)
    link = dub.links.create(request={"url": URL, "folder_id": folder.id})
    assert link.folder_id == folder.id
    listed = dub.folders.list(request=operations.ListFoldersRequest())
    assert [f.id for f in listed] == [folder.id]
    renamed = dub.folders.update(
        id=folder.id, request_body=operations.UpdateFolderRequestBody(name="Summer")
    )
    assert renamed.name == "Summer"
    with pytest.raises(errors.UnprocessableEntity):
        dub.folders.delete(id=folder.id)  # it has a link
    dub.links.delete(link_id=link.id)
    assert dub.folders.delete(id=folder.id).id == folder.id
