"""The package layout shows the flow, and keeps it: stages import only the stages before them.

files -> ingest -> index -> query -> retrieval -> answering -> assistant -> evaluation -> web -> cli
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QA = REPO / "qa"
MAX_LINES = 450

# The ground floor (0) imports nothing of qa's stages; each stage may import those before it.
STAGES = {
    "qa.types": 0,
    "qa.errors": 0,
    "qa.config": 0,
    "qa.atomic": 0,
    "qa.progress": 0,
    "qa.ingest": 1,
    "qa.index": 2,
    "qa.query": 3,
    "qa.retrieval": 4,
    "qa.answering": 5,
    "qa.assistant": 6,
    "qa.encoders": 6,  # the models the assistant loads for a build and for questions
    "qa.evaluation": 7,
    "qa.web": 8,
    "qa.cli": 9,
    "qa.__main__": 10,
    "qa": 10,  # the package facade re-exports the API lazily
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int:
    """The stage of a module: its longest listed prefix."""
    while module not in STAGES:
        module = module.rsplit(".", 1)[0]
    return STAGES[module]


def qa_imports(path: Path) -> set[str]:
    """Every qa module the file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "qa"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "qa":
                found.add(node.module)
    return found


MODULES = {module_name(p): p for p in sorted(QA.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_stage_imports_only_the_stages_before_it(module):
    own = stage_of(module)
    # `import qa` alone reads qa.__version__; the facade imports nothing until asked
    later = {m for m in qa_imports(MODULES[module]) if m != "qa" and stage_of(m) > own}
    assert not later, f"{module} (stage {own}) imports later stages: {sorted(later)}"


def test_no_import_cycle_in_qa_or_app():
    graph = {m: {i for i in qa_imports(p) if i in MODULES} for m, p in MODULES.items()}
    graph["app"] = {i for i in qa_imports(REPO / "app.py") if i in MODULES}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            # importing qa.x.y runs qa.x's __init__ first: the package itself is not a cycle
            if not module.startswith(imported + "."):
                visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_app_py_is_only_the_entry_point():
    assert len((REPO / "app.py").read_text("utf-8").splitlines()) <= 15


@pytest.mark.parametrize("path", sorted(QA.rglob("*.py")), ids=lambda p: str(p.relative_to(QA)))
def test_no_module_is_over_the_size_limit(path):
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines (limit {MAX_LINES})"


def test_no_function_class_or_setting_is_named_after_one_document():
    named = []
    for path in QA.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.arg):
                names = [node.arg]
            named += [f"{path.relative_to(REPO)}: {n}" for n in names if re.search("plan", n, re.I)]
    assert not named, named


def test_the_decline_speaks_of_the_documents_not_one_of_them():
    from qa.answering.compose import DECLINE_TEXT

    assert "documents" in DECLINE_TEXT and "plan" not in DECLINE_TEXT.lower()
