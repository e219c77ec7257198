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
        dub.links.create(request={"url": URL, "tag_ids": ["tag_1"]})  # no such tag


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
    assert set(run.steps) >= {"tag_create", "tag_list", "tag_update", "tag_link", "tag_delete"}


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


def test_python_sdk_tags(seeded: tuple[Tenant, Dub, list[str]]) -> None:
    _, dub, _made = seeded
    spring = dub.tags.create(
        request=operations.CreateTagRequestBody(name="Spring", color=operations.Color.GREEN)
    )
    assert (spring.name, spring.color.value) == ("Spring", "green")
    fall = dub.tags.create(request={"name": "Fall"})
    listed = dub.tags.list(request=operations.GetTagsRequest(ids=[spring.id, fall.id]))
    assert [tag.name for tag in listed] == ["Fall", "Spring"]
    found = dub.tags.list(request=operations.GetTagsRequest(search="spr", page_size=10))
    assert [tag.id for tag in found] == [spring.id]
    by_ids = dub.links.create(request={"url": URL, "tag_ids": [spring.id, fall.id]})
    assert [(tag.id, tag.name) for tag in by_ids.tags or []] == [
        (spring.id, "Spring"),
        (fall.id, "Fall"),
    ]
    by_names = dub.links.create(request={"url": URL, "tag_names": ["fall"]})
    assert [tag.id for tag in by_names.tags or []] == [fall.id]
    tagged = dub.links.list(request=operations.GetLinksRequest(tag_ids=[fall.id]))
    assert tagged is not None
    assert {link.id for link in tagged.result} == {by_ids.id, by_names.id}
    renamed = dub.tags.update(
        id=spring.id, request_body=operations.UpdateTagRequestBody(name="Summer")
    )
    assert renamed.name == "Summer"
    assert dub.tags.delete(id=fall.id).id == fall.id
    assert [tag.name for tag in dub.links.get(request={"link_id": by_ids.id}).tags or []] == [
        "Summer"
    ]
    with pytest.raises(errors.NotFound):
        dub.tags.delete(id=fall.id)
    with pytest.raises(errors.Conflict):
        dub.tags.create(request={"name": "Summer"})
