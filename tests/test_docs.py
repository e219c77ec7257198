"""The README's SDK example runs as written against a real server and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA
from tests.support import LiveServer

README = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDER_CLICK = "Xc8Yh2kP0qLm3NsT"


def sdk_example() -> str:
    section = README.read_text().split("## Using Dub's SDKs", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert match is not None
    return match.group(1)


def run(code: str, namespace: dict[str, object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # noqa: S102 - the README's own example
    return out.getvalue()


def test_the_readme_sdk_example(live_server: LiveServer) -> None:
    tenant = live_server.tenant("docs")
    code = sdk_example().replace('"dub_..."', repr(tenant.key))
    code = code.replace('"http://localhost:8000"', repr(live_server.url))
    first, rest = code.split("\n# the visitor landed on", 1)
    second = "# the visitor landed on" + rest
    namespace: dict[str, object] = {}
    run(first, namespace)
    key = namespace["link"].key  # type: ignore[attr-defined]
    visit = httpx.get(f"{live_server.url}/{key}", headers={"User-Agent": BROWSER_UA})
    click_id = parse_qs(urlsplit(visit.headers["location"]).query)["dub_id"][0]
    printed = run(second.replace(PLACEHOLDER_CLICK, click_id), namespace).split()
    promised = re.search(r"print\(sale\.sale\.amount\)\s+# ([\d.]+)", second)
    assert promised is not None
    assert printed == [promised.group(1), promised.group(1)]  # the sale, and the link's total
