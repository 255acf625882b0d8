"""The documents cite tests that exist: every `test_file.py::test_name` in them resolves."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "docs/RELIABILITY.md", "docs/MIGRATING.md", "benchmarks/README.md"]
# `test_x.py::test_name`, `::test_name` (same file as the citation before it on the line),
# optionally `::Class::test_name` and a `[case]`.
CITATION = re.compile(
    r"(?:tests/)?(test_[a-z0-9_]+\.py)?::([A-Za-z0-9_]+)(?:::([A-Za-z0-9_]+))?(?:\[.*\])?"
)
TEST_FILE = re.compile(r"(?:tests/)?(test_[a-z0-9_]+\.py)")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {node.name for node in ast.walk(tree) if isinstance(node, kinds)}


def _citations(document: str) -> list[tuple[int, str, list[str]]]:
    found = []
    for number, line in enumerate((ROOT / document).read_text().splitlines(), 1):
        current = None
        for quoted in re.findall(r"`([^`]*)`", line):
            if cited := CITATION.fullmatch(quoted):
                current = cited.group(1) or current
                names = [n for n in cited.group(2, 3) if n]
                found.append((number, current or "", names))
            elif named := TEST_FILE.fullmatch(quoted):
                current = named.group(1)
    return found


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_cited_test_exists(document: str) -> None:
    definitions = {p.name: _defined(p) for p in (ROOT / "tests").glob("test_*.py")}
    citations = _citations(document)
    missing = [
        f"{document}:{line}: {file or '(no file)'}::{name}"
        for line, file, names in citations
        for name in names
        if name not in definitions.get(file, set())
    ]
    assert missing == []


def test_the_reliability_document_cites_tests() -> None:
    # The check above proves nothing if the pattern stops matching the citations.
    assert len(_citations("docs/RELIABILITY.md")) > 50
