"""Only the recording step writes events, and only the folder writes what is derived from
them (link counters, customer totals, rollups): read from the source, as a reviewer would."""

from __future__ import annotations

import ast
from pathlib import Path

import clicktrail

SOURCE = Path(clicktrail.__file__).parent
DERIVED = frozenset({
    "clicks", "leads", "sales", "conversions", "sale_amount_high", "sale_amount_low",
    "last_clicked", "last_lead_at", "last_conversion_at", "first_sale_at",
})  # fmt: skip
EVENTS = frozenset({"Click", "Lead", "Sale"})
# leads and sales: Core INSERTs of their column values, built by tracking/service.py and sales.py
RECORDING = {"redirect/clicks.py", "tracking/repository.py"}
FOLDER = {"folding/repository.py"}
ROLLUP_WRITERS = {"analytics/rollups.py", "analytics/rebuild.py"}


def modules() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(SOURCE)): ast.parse(path.read_text())
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _name(node: ast.AST) -> str:
    """`Link` for `Link` and for `Link.__table__`."""
    if isinstance(node, ast.Attribute):
        return _name(node.value)
    return node.id if isinstance(node, ast.Name) else ""


def calls(tree: ast.Module, *names: str) -> list[ast.Call]:
    return [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in names
    ]  # fmt: skip


def set_keys(tree: ast.Module) -> set[str]:
    """Columns given to `.values(...)` anywhere in a module, by keyword or dict key."""
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "values":
            keys |= {k.arg for k in node.keywords if k.arg}
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    keys |= {getattr(k, "attr", getattr(k, "value", "")) for k in arg.keys}
    return keys


def test_only_the_folder_updates_link_counters_and_customer_totals() -> None:
    writers = set()
    for path, tree in modules().items():
        updated = {_name(call.args[0]) for call in calls(tree, "update") if call.args}
        if updated & {"Link", "Customer"} and set_keys(tree) & DERIVED:
            writers.add(path)
        for call in calls(tree, "update"):
            if call.args and _name(call.args[0]) in {"Link", "Customer"}:
                for node in ast.walk(tree):
                    if isinstance(node, ast.keyword) and node.arg in DERIVED:
                        writers.add(path)
    assert writers == FOLDER


def test_only_analytics_writes_rollups_and_only_the_folder_calls_it() -> None:
    writers, callers = set(), set()
    for path, tree in modules().items():
        for call in calls(tree, "insert", "update", "delete", "upsert_into"):
            if call.args and _name(call.args[0]) == "Rollup":
                writers.add(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "clicktrail.analytics.rollups":
                callers.add(path)
            if isinstance(node, ast.Attribute) and node.attr in {"add", "subtract"}:
                callers |= {path} if _name(node) == "rebuild" else set()
    assert writers <= ROLLUP_WRITERS
    assert callers - {p for p in callers if p.startswith("analytics/")} == FOLDER


def test_only_the_recording_step_creates_events() -> None:
    creators = set()
    for path, tree in modules().items():
        if calls(tree, *EVENTS):
            creators.add(path)
        for call in calls(tree, "insert"):
            if call.args and _name(call.args[0]) in EVENTS:
                creators.add(path)
    assert creators == RECORDING
