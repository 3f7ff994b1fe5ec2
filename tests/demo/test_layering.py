"""The demo sits on top: nothing outside demo/ imports it (tests of the demo, in tests/demo/, may, and so
does the load harness of ``make reliability``, tests/reliability/, which seeds its centers with it)."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("tenants", "portal", "operations", "cms", "tests")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def demo_importers() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.is_relative_to(ROOT / "tests" / "demo") or path.is_relative_to(
                ROOT / "tests" / "reliability"
            ):
                continue
            if any(name == "demo" or name.startswith("demo.") for name in imported_modules(path)):
                found.append(str(path.relative_to(ROOT)))
    return found


def test_nothing_outside_demo_imports_demo():
    assert demo_importers() == []


def test_the_scan_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from demo.staff import DEMO_STAFF\n", encoding="utf-8")
    assert "demo.staff" in imported_modules(module)


def test_demo_imports_no_management_command():
    for path in sorted((ROOT / "demo").rglob("*.py")):
        if "management" in path.parts:
            continue
        assert not any(".management.commands" in name for name in imported_modules(path)), path
