"""Print a pip constraints file that pins every dependency to its lower bound.

Reads ``pyproject.toml`` (the runtime dependencies and every optional
extra) and turns each ``name>=X`` into ``name==X``; a requirement pinned
with ``==`` keeps its pin, and one without a lower bound is left out. CI
installs the test extra with these constraints in a fresh virtual
environment, so that the declared lower bounds are tested::

    python .ci/lower_bounds.py > lower-bounds.txt
    python -m pip install -c lower-bounds.txt ".[test]"

A package named twice (in several extras) must have the same lower bound
everywhere; the script refuses otherwise.
"""

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip install tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>[^;]*)"
)


def _normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lower_bounds(pyproject):
    """``{package: version}`` of every lower bound (or ``==`` pin) declared."""
    project = pyproject["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    bounds = {}
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r}")
        name = _normalized(match["name"])
        version = None
        for clause in match["spec"].split(","):
            clause = clause.strip()
            for operator in ("==", ">="):
                if clause.startswith(operator):
                    version = clause[len(operator) :].strip()
        if version is None:
            continue
        if bounds.get(name, version) != version:
            raise ValueError(
                f"{name} has two lower bounds in pyproject.toml: "
                f"{bounds[name]} and {version}"
            )
        bounds[name] = version
    return bounds


def main():
    with open(ROOT / "pyproject.toml", "rb") as f:
        bounds = lower_bounds(tomllib.load(f))
    for name, version in sorted(bounds.items()):
        sys.stdout.write(f"{name}=={version}\n")


if __name__ == "__main__":
    main()
