"""The README's code map names every module of digitpad and trainers, each with what it holds, and
nothing that is gone: a new module that is not written into the map fails here, not in a reader's
search for it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("digitpad", "trainers")


def code_map() -> dict[str, str]:
    """The map's entries: each module's path (a package's is its __init__.py) -> what its line
    says. An entry is a line whose first word ends in `.py` or `/`; two more spaces of indent
    put it inside the package above it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## How the code is organised\n", 1)[1].split("\n## ", 1)[0]
    [block] = [b for b in re.findall(r"```\n(.*?)```", section, re.S) if b.startswith("digitpad/")]
    entries: dict[str, str] = {}
    inside: list[str] = []
    for line in block.splitlines():
        name, _, says = line.strip().partition(" ")
        if not name.endswith((".py", "/")):
            continue  # a line continuing the entry above
        depth = (len(line) - len(line.lstrip())) // 2
        inside = inside[:depth]
        if name.endswith("/"):
            inside.append(name.rstrip("/"))
            name = "__init__.py"
        path = "/".join([*inside, name])
        assert path not in entries, f"the code map names {path} twice"
        entries[path] = says.strip()
    return entries


def test_the_code_map_names_every_module_once_and_says_what_it_holds():
    modules = {
        p.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
    }
    entries = code_map()
    assert sorted(modules - entries.keys()) == [], "modules missing from the README's code map"
    assert sorted(entries.keys() - modules) == [], "the README's code map names missing modules"
    assert [path for path, says in entries.items() if len(says.split()) < 2] == []
