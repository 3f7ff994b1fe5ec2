"""The apps depend downwards only (DESIGN.md "Layers"): the import-linter contracts hold.

``make check`` runs ``lint-imports`` too; this test makes ``pytest`` alone catch a cycle.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

# No query here, but the suite's session fixture (the two test centers) needs the test database.
pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def importlinter_config() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_app_of_the_project_is_checked():
    """A new top-level app (demo/ included) must join the contract, or its imports go unchecked."""
    apps = {path.parent.name for path in REPO_ROOT.glob("*/__init__.py") if path.parent.name != "tests"}
    config = importlinter_config()
    assert apps <= set(config["root_packages"]), apps - set(config["root_packages"])
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    assert {layer.strip("()") for layer in layers} >= apps
