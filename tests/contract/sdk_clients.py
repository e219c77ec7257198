"""Dub's official SDKs as clients of a live server, each run in its own environment: the current
Python generation in this virtualenv, the older ones in .venv-sdk/, the npm package under
tests/contract/node/ (`make sdks` installs them, and `make test` does it first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from tests.contract.sdk_scripts.harness import INPUTS_VARIABLE, Inputs, Outcome

ROOT = Path(__file__).resolve().parents[2]
NODE_PROJECT = ROOT / "tests" / "contract" / "node"
REPORT_VARIABLE = "SDK_TEST_REPORT"
TIMEOUT = 120  # seconds for one client run; an SDK's defaults retry nothing and wait no longer


class SdkClient(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def current(self) -> bool:
        """True for today's generation: nullable sale answers, a `link` in the lead answer and
        no `track.customer`."""
        ...

    def run(self, inputs: Inputs, scenario: str, workdir: Path) -> dict[str, Outcome]:
        """The outcome of every step of `scenario`, by step name."""
        ...


@dataclass(frozen=True)
class PythonSdk:
    version: str
    python: Path
    script: str  # a module of tests.contract.sdk_scripts
    current: bool = False

    @property
    def name(self) -> str:
        return f"pypi-dub-{self.version}"

    def run(self, inputs: Inputs, scenario: str, workdir: Path) -> dict[str, Outcome]:
        if not self.python.exists():
            pytest.fail(f"{self.python} is missing: `make sdks` installs dub {self.version}")
        command = [str(self.python), "-m", f"tests.contract.sdk_scripts.{self.script}", scenario]
        done = _run(command, inputs.to_json(), workdir)
        assert done.returncode == 0, f"{self.name} {scenario} failed:\n{done.stderr}"
        steps: dict[str, Outcome] = json.loads(done.stdout)
        return steps


@dataclass(frozen=True)
class NodeSdk:
    version: str
    current: bool = True

    @property
    def name(self) -> str:
        return f"npm-dub-{self.version}"

    def run(self, inputs: Inputs, scenario: str, workdir: Path) -> dict[str, Outcome]:
        done = run_node(scenario, inputs.to_json(), workdir)
        assert done.passed, f"{self.name} {scenario} failed:\n{done.output}"
        return done.steps


@dataclass(frozen=True)
class NodeRun:
    """What one `node --test` run left behind."""

    steps: dict[str, Outcome]  # by step name, as far as the run got
    passed: bool  # every node test passed
    output: str  # the spec reporter's, for failure messages


def run_node(scenario: str, inputs: str, workdir: Path) -> NodeRun:
    """`node --test` of `<scenario>.test.mjs` with `inputs` (JSON) in $SDK_TEST_INPUTS. The file
    asserts on its own and reports each step's outcome, for the same checks as the Python SDKs'."""
    if not (NODE_PROJECT / "node_modules" / "dub").is_dir():
        pytest.fail(f"{NODE_PROJECT}/node_modules is missing: `make sdks` runs npm ci there")
    report = workdir / f"{scenario}.json"
    test_file = NODE_PROJECT / f"{scenario}.test.mjs"
    command = ["node", "--test", "--test-reporter=spec", str(test_file)]
    done = _run(command, inputs, workdir, {REPORT_VARIABLE: str(report)})
    steps: dict[str, Outcome] = json.loads(report.read_text()) if report.exists() else {}
    return NodeRun(steps, done.returncode == 0, done.stdout + done.stderr)


def _run(
    command: list[str], inputs: str, workdir: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {INPUTS_VARIABLE: inputs} | (extra or {})
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _npm_dub_version() -> str:
    package = json.loads((NODE_PROJECT / "package.json").read_text())
    version: str = package["dependencies"]["dub"]
    return version


SDK_VENVS = ROOT / ".venv-sdk"
CURRENT_PYTHON = PythonSdk("0.39.0", Path(sys.executable), "dub_0_39", current=True)
PYTHON_0_16 = PythonSdk("0.16.1", SDK_VENVS / "dub-0.16.1" / "bin" / "python", "dub_0_16")
PYTHON_0_14 = PythonSdk("0.14.0", SDK_VENVS / "dub-0.14.0" / "bin" / "python", "dub_0_14")
NODE = NodeSdk(_npm_dub_version())
ALL: list[SdkClient] = [CURRENT_PYTHON, PYTHON_0_16, PYTHON_0_14, NODE]
