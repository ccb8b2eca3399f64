"""The house rules, checked from the imports: one direction, no cycles, data from the package.

speech.content, speech.ssml   what is said             (imports nothing above it)
intents                       the skill                (never the web service)
skill                         web service and Lambda
speech.simulator, speech.tts  tools around the skill   (siblings: neither imports the other)
skill.cli                     the composition root: the only module that imports upward,
                              and only inside the command that needs it
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("skill", "intents", "speech")
CLI = "skill.cli"
LAYERS = (
    ("content", ("speech", "speech.content", "speech.ssml")),
    ("skill", ("intents",)),
    ("service", ("skill",)),
    ("simulator", ("speech.simulator",)),
    ("tts", ("speech.tts",)),
    ("cli", (CLI,)),
)
# What each layer may import besides itself: everything below it, but the tools not each other.
ALLOWED = {
    "content": {"content"},
    "skill": {"content", "skill"},
    "service": {"content", "skill", "service"},
    "simulator": {"content", "skill", "service", "simulator"},
    "tts": {"content", "skill", "service", "tts"},
    "cli": {"content", "skill", "service", "simulator", "tts", "cli"},
}


@dataclass(frozen=True, slots=True)
class Import:
    source: str
    target: str
    lazy: bool  # inside a function: runs only when that function does


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def own_module(name: str) -> str | None:
    """The most specific module of ours that `name` names, if any."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lazy_nodes = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from a.b import c` imports the module a.b.c when there is one, else names of a.b.
            targets = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            module = own_module(target)
            if module is not None and module != name:
                yield Import(name, module, id(node) in lazy_nodes)


IMPORTS = [found for name, path in MODULES.items() for found in imports_of(name, path)]


def layer(module: str) -> str:
    best = ""
    chosen = ""
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > len(best):
                best, chosen = prefix, name
    assert chosen, f"{module} belongs to no layer"
    return chosen


def test_every_module_belongs_to_a_layer() -> None:
    assert {layer(module) for module in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("found", IMPORTS, ids=lambda i: f"{i.source}->{i.target}")
def test_imports_run_one_way(found: Import) -> None:
    source, target = layer(found.source), layer(found.target)
    assert target in ALLOWED[source], f"{found.source} ({source}) imports {found.target} ({target})"


def test_the_command_line_imports_upward_only_when_a_command_runs() -> None:
    upward = [i for i in IMPORTS if i.source == CLI and layer(i.target) != "content"]
    assert upward, "the CLI composes the layers"
    eager = [i.target for i in upward if not i.lazy and layer(i.target) != "service"]
    assert eager == []


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        graph[found.source].add(found.target)
    cycles = [component for component in strongly_connected(graph) if len(component) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["d"]]


REACHING_OUT = re.compile(r"parent\.parent|\.parents\[|['\"](tests|interaction_model)['\"/]")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_package_code_reads_its_own_package_not_the_checkout(module: str) -> None:
    source = MODULES[module].read_text(encoding="utf-8")
    assert not REACHING_OUT.search(source), f"{module} reaches outside its package"


def test_test_modules_do_not_import_each_other() -> None:
    for path in (REPO / "tests").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("tests.test_"), f"{path.name} imports a test"
                assert node.module != "tests.conftest", f"{path.name} imports conftest"


def test_the_readme_has_a_line_for_every_subpackage() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## What is in the repo") :].split("\n## ", 1)[0]
    packages = sorted(
        path.parent.relative_to(REPO).as_posix()
        for path in MODULES.values()
        if path.name == "__init__.py" and path.parent.name not in PACKAGES
    )
    missing = [package for package in packages if f"| `{package}/` |" not in table]
    assert missing == []
