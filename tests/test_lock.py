"""The lock pins one set of versions for every Python the project admits.

The README promises Python 3.11 to 3.13 and CI runs the suite on the oldest
and the newest; that only covers the middle if every admitted Python installs
the same versions. A universal lock with a per-Python fork (``pulp==4.2.0 ;
python_full_version >= '3.12'``, as it once had) would put an untested major
version in front of the users of a newer Python.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> list[tuple[str, str, str]]:
    pins = []
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.strip().partition("==")
        pins.append((name.lower(), version, marker.strip()))
    return pins


def test_no_package_is_pinned_per_python_version() -> None:
    forked = [
        f"{name}=={version} ; {marker}" for name, version, marker in _pins() if re.search(r"python_(full_)?version", marker)
    ]
    assert forked == []


def test_every_package_is_pinned_once_and_exactly() -> None:
    names = [name for name, _, _ in _pins()]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"\d+(\.\d+)*(\.post\d+)?", version) for _, version, _ in _pins())


def test_the_direct_dependencies_are_all_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = {re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in wanted}
    locked = {name.replace("_", "-") for name, _, _ in _pins()}
    assert names <= locked


def test_the_admitted_pythons_are_the_tested_ones() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\n" in ci and "3.13" in ci
