"""The core runs headless: nothing outside the views and Qt adapters imports Qt (also checked by lint-imports); and
no module of ``counter_desk`` imports itself back through others."""

from __future__ import annotations

import itertools
import pkgutil
import subprocess
import sys

import grimp

import counter_desk

QT_ALLOWED = ("counter_desk.views", "counter_desk.qt")


def test_core_modules_import_without_qt() -> None:
    core = [
        m.name
        for m in pkgutil.walk_packages(counter_desk.__path__, "counter_desk.")
        if not m.name.startswith(QT_ALLOWED) and not m.name.startswith("counter_desk._data")
    ]
    assert "counter_desk.services.queue" in core and "counter_desk.cli" in core
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert proc.stdout.strip() == "", f"Qt imported by the core: {proc.stdout}"


# -- no import circle --------------------------------------------------------------------------------------------


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The import circles among the modules of ``package``, each as a closed chain ``[a, b, ..., a]``; a module
    already named in one circle starts no other. Every import counts, also one inside a function or under
    ``TYPE_CHECKING``."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    cycles: list[list[str]] = []
    named: set[str] = set()
    for module in modules:
        if module in named:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append([module, *back])
                named.update(back)
                break
    return cycles


def describe_cycle(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """``a -> b (line 12: from a import b) -> a (...)``: each link with the import that makes it."""
    links = []
    for importer, imported in itertools.pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = f" (line {details[0]['line_number']}: {details[0]['line_contents']})" if details else ""
        links.append(f"{importer} -> {imported}{where}")
    return "; ".join(links)


def test_the_cycle_finder_names_a_circle() -> None:
    graph = grimp.ImportGraph()
    links = [
        ("p.a", "p.b"),
        ("p.b", "p.c"),
        ("p.c", "p.a"),
        ("p.c", "p.d"),
        ("p.d", "q"),
        ("p.e", "p.f"),
        ("p.f", "p.e"),
    ]
    for importer, imported in links:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph, "p") == [["p.a", "p.b", "p.c", "p.a"], ["p.e", "p.f", "p.e"]]
    graph.remove_import(importer="p.c", imported="p.a")
    assert import_cycles(graph, "p") == [["p.e", "p.f", "p.e"]]
    graph.remove_import(importer="p.f", imported="p.e")
    assert import_cycles(graph, "p") == []


def test_the_import_graph_of_counter_desk_has_no_circle() -> None:
    """A circle makes start-up order matter and hides which module is the lower one; break it by moving the shared
    part down (as ``services.audit``, ``services.calendar`` and ``services.roles`` did for auth and rules)."""
    graph = grimp.build_graph("counter_desk", cache_dir=None)
    cycles = import_cycles(graph, "counter_desk")
    assert not cycles, "import circles:\n" + "\n".join(describe_cycle(graph, c) for c in cycles)
