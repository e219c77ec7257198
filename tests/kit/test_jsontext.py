"""`js_length` agrees with JavaScript's `JSON.stringify(value).length`, checked against node."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clicktrail.kit.jsontext import js_length

COUNT_IN_NODE = (
    "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    "console.log(JSON.stringify(texts.map((t) => JSON.stringify(JSON.parse(t)).length)));"
)
scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
)


def node_lengths(texts: list[str]) -> list[int]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (the npm SDK's contract tests need it too)")
    done = subprocess.run(
        [node, "-e", COUNT_IN_NODE], input=json.dumps(texts), capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    lengths: list[int] = json.loads(done.stdout)
    return lengths


@settings(max_examples=10, deadline=None)
@given(st.lists(st.dictionaries(st.text(), values, max_size=5), min_size=20, max_size=20))
def test_lengths_match_javascript(batch: list[dict[str, Any]]) -> None:
    texts = [json.dumps(value) for value in batch]  # ASCII escapes: node reads lone surrogates
    assert [js_length(json.loads(t)) for t in texts] == node_lengths(texts)


@pytest.mark.parametrize(
    ("value", "length"),
    [({"k": "日本語"}, 11), ({"k": "😀"}, 10), ({"k": 1.0}, 7), ({"k": 1e-7}, 10),
     ({"k": 10**400}, 10), ({"k": "\ud800"}, 14)],
)  # fmt: skip
def test_known_lengths(value: dict[str, Any], length: int) -> None:
    assert js_length(value) == length
