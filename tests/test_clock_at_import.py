"""No test reads the clock when it is imported: collection may happen before local midnight and the test after it,
and then "today" of the test and "today" of the code it calls are two days (the CI run of 2026-12-06 failed 11
tests that way). Dates a test needs are computed inside it, or in a fixture, or lazily in a parametrize value."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLOCK = {"today", "now", "localdate", "localtime", "utcnow"}


def _reads_clock(node: ast.AST) -> bool:
    """A call of today()/now()/… anywhere in `node`, except inside a lambda or a function (called later)."""
    if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name in CLOCK:
            return True
    return any(_reads_clock(child) for child in ast.iter_child_nodes(node))


def clock_reads_at_import(tree: ast.Module) -> list[int]:
    lines = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            parts: list[ast.AST] = [*stmt.decorator_list]
            if isinstance(stmt, ast.ClassDef):  # a class body runs at import; its methods do not
                parts += [s for s in stmt.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
                parts += [d for s in stmt.body if isinstance(s, ast.FunctionDef) for d in s.decorator_list]
            else:
                parts += [d for d in stmt.args.defaults + stmt.args.kw_defaults if d is not None]
        else:
            parts = [stmt]
        lines += [p.lineno for p in parts if _reads_clock(p)]
    return lines


def test_the_checker_sees_a_clock_read_at_import_and_not_one_inside_a_test():
    bad = ast.parse(
        "import datetime\nTODAY = datetime.date.today()\n"
        "@pytest.mark.parametrize('d', [datetime.date.today()])\ndef test_a(d): pass\n"
        "def test_b(d=timezone.now()): pass\n"
    )
    good = ast.parse(
        "def test_a():\n    d = datetime.date.today()\n"
        "@pytest.mark.parametrize('d', [lambda: datetime.date.today()])\ndef test_b(d): pass\n"
    )
    assert clock_reads_at_import(bad) == [2, 3, 5] and clock_reads_at_import(good) == []


def test_no_test_module_reads_the_clock_at_import():
    found = []
    paths = [*ROOT.glob("sqdj/**/tests/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("sqdj/testing/*.py")]
    for path in sorted(paths):
        lines = clock_reads_at_import(ast.parse(path.read_text(encoding="utf-8")))
        found += [f"{path.relative_to(ROOT)}:{n}" for n in lines]
    assert found == []
