"""No import cycles at module level (imports inside functions and under TYPE_CHECKING do not
count: they run after every module has loaded)."""

import ast
from pathlib import Path

import masterstream

ROOT = Path(masterstream.__file__).parent
# Packages whose __init__ still re-exports eagerly from submodules that import the package
# back: known, and not to grow. The lazily re-exporting packages (lazy_exports) are cycle-free.
KNOWN = {"masterstream.api", "masterstream.commands", "masterstream.monitoring"}


def module_names() -> dict[str, tuple[Path, bool]]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        names[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return names


def load_time_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            test = node.test
            type_checking = getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"
            found += load_time_imports(node.orelse if type_checking else node.body + node.orelse)
        elif isinstance(node, ast.Try):
            found += load_time_imports(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                found += load_time_imports(handler.body)
    return found


def import_graph() -> dict[str, set[str]]:
    names = module_names()
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in names.items():
        package = name if is_package else name.rpartition(".")[0]
        targets: list[str] = []
        for node in load_time_imports(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
            module = module if node.level else node.module or ""
            targets += [module, *(f"{module}.{alias.name}" for alias in node.names)]
        parts_of = (t.split(".") for t in targets)
        graph[name] = {
            ".".join(p[:i]) for p in parts_of for i in range(1, len(p) + 1)
        } & names.keys() - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while (member := stack.pop()) != node:
                        component.add(member)
                    component.add(node)
                    if len(component) > 1:
                        found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycle_beyond_the_known_eager_packages():
    graph = import_graph()
    assert len(graph) > 100 and graph["masterstream.api.app"]  # the graph was read
    unexpected = [
        sorted(component)
        for component in cycles(graph)
        if not any(all(m == k or m.startswith(k + ".") for m in component) for k in KNOWN)
    ]
    assert unexpected == []


def test_the_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
