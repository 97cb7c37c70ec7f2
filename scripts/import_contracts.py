"""An import-linter contract type of this project: what one app may take from another.

`layers` and `independence` contracts check which app imports which; this one checks what
crosses: between two apps (the first component of a module's name), an import must not name a
private name (`_x`), a private module (`…._common`), or another app's pages or API (a module
named `views`, `forms`, `urls`, `admin` or `api`, or under one). The kernel publishes what the
apps share in `informatics.web` (pages) and `informatics.rest` (API) instead.

Configured in pyproject.toml ([tool.importlinter]) and run by `lint-imports` (make lint, CI).
"""

import ast
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output

ENTRY_POINTS = frozenset({"views", "forms", "urls", "admin", "api"})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _source(module: str) -> Path | None:
    """The module's file, found without importing anything (apps need Django set up)."""
    base = Path.cwd().joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def problems_in(module: str, tree: ast.AST, apps: frozenset[str]) -> list[str]:
    """What `module` takes from other apps that it should not, one line per name."""
    own = module.split(".")[0]
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importer's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            targets = [(source, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [(alias.name, "") for alias in node.names]
        else:
            continue
        for source, name in targets:
            parts = source.split(".")
            if parts[0] not in apps or parts[0] == own:
                continue
            where = f"{module}:{node.lineno} imports {source}{'.' + name if name else ''}"
            if _is_private(name) or any(_is_private(part) for part in parts[1:]):
                found.append(f"{where} (a private name of {parts[0]})")
            elif ENTRY_POINTS & {*parts[1:], name}:
                found.append(f"{where} (the pages or API of {parts[0]})")
    return found


class CrossAppContract(Contract):
    """Apps share only public, non-entry-point names (see the module docstring).

    Options: `apps`, the root packages that are apps.
    """

    type_name = "cross_app"

    apps = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = frozenset(str(app) for app in self.apps)  # type: ignore[attr-defined]
        found: list[str] = []
        for module in sorted(graph.modules):
            if module.split(".")[0] not in apps or ".migrations." in f"{module}.":
                continue
            path = _source(module)
            if path is not None:
                if path.name == "__init__.py":
                    module = f"{module}.__init__"  # relative imports resolve against itself
                found += problems_in(module, ast.parse(path.read_text()), apps)
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(f"- {line}", bold=False)
        output.new_line()
