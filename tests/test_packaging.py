"""What CI runs: the README's test command, and the declared lower bounds."""

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readmes_test_command_in_new_environments():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = 'python -m pip install ".[test]" && python -m pytest'
    assert f"```bash\n{command}\n```" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = ci.splitlines()
    assert command in lines
    # In a virtual environment made by the script itself, removed at the end.
    assert lines.index(command) > min(
        i for i, line in enumerate(lines) if "venv" in line
    )
    assert "mktemp -d" in ci and "trap" in ci
    assert "unset" not in ci  # the machine's environment is kept


def test_lower_bounds_pin_every_declared_bound():
    with open(ROOT / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    expected = {}
    for text in requirements:
        requirement = Requirement(text)
        for specifier in requirement.specifier:
            if specifier.operator in (">=", "=="):
                name = requirement.name.lower().replace("_", "-")
                expected[name] = specifier.version
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "lower_bounds.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    pins = dict(line.split("==") for line in result.stdout.splitlines())
    assert pins == expected
    for name in ("numpy", "scipy", "scikit-learn", "pandas", "matplotlib", "dask"):
        assert name in pins
