"""Every error code is declared once, in an `error_codes.py`, and used by name.

A code written inline (`DomainError("invalid", …)`, `code="token_invalid"`, `{"code": "not_found"}`)
is a code no client can find in the schema and nobody can rename safely; the same code declared in
two apps may mean two things. The source (not the tests) is read as Python syntax trees, so a
comment or a docstring naming a code does not count.
"""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework import exceptions

from core import error_codes
from core.api import ErrorSerializer

ROOT = Path(settings.BASE_DIR)
# Not the platform's source: tests (which assert codes as clients see them), generated or vendored
# files, and what is not Python of ours.
SKIPPED_DIRS = {"tests", "migrations", "node_modules", "static", "templates", "locale", "var", "docs"}
# The exceptions whose first argument is the code (DomainError and its family), and the functions
# that build the error body from one.
CODE_FIRST = {"DomainError", "NotAllowed", "Conflict", "ImpossibleMove", "error_body", "error_response"}
# Exceptions that take the code as `code=` or second argument: DRF's and Django's.
CODE_SECOND = {
    name
    for name, value in vars(exceptions).items()
    if isinstance(value, type) and issubclass(value, exceptions.APIException)
} | {"ValidationError"}


def _source_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        found.extend(Path(folder) / f for f in files if f.endswith(".py") and f != "conftest.py")
    return sorted(found)


SOURCES = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _source_files()}


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _classes(tree: ast.AST) -> list[ast.ClassDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


SOURCE_CLASSES = [c for tree in SOURCES.values() for c in _classes(tree)]


def _subclasses(roots: set[str], tree: ast.AST) -> set[str]:
    """`roots` and every class of the source or of `tree` deriving from one of them (by name, to any depth)."""
    names = set(roots)
    classes = SOURCE_CLASSES + _classes(tree)
    while True:
        more = {c.name for c in classes if c.name not in names and any(_name(b) in names for b in c.bases)}
        if not more:
            return names
        names |= more


def _written_inline(node) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


def inline_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of every error code written as a string in `tree`."""
    known = tree in SOURCES.values()  # the source's own classes are counted once, not twice
    empty = ast.Module(body=[], type_ignores=[])
    code_first = _subclasses(CODE_FIRST, empty if known else tree)
    code_second = _subclasses(CODE_SECOND, empty if known else tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = _name(node.func)
            if callee not in code_first and callee not in code_second:
                continue
            position = 0 if callee in code_first else 1
            arguments = [kw.value for kw in node.keywords if kw.arg == "code"]
            if len(node.args) > position:
                arguments.append(node.args[position])
            found += [(a.lineno, f"{callee}({ast.unparse(a)})") for a in arguments if _written_inline(a)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code" and _written_inline(value):
                    found.append((value.lineno, f'{{"code": {ast.unparse(value)}}}'))
        elif isinstance(node, ast.Assign) and _written_inline(node.value):
            # An exception class's own code (DRF's `default_code`).
            if any(_name(t) == "default_code" for t in node.targets):
                found.append((node.lineno, f"default_code = {ast.unparse(node.value)}"))
    return found


def test_no_error_code_is_written_inline():
    # given the whole source, when it is read, then every code is a name from an error_codes module
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path, tree in SOURCES.items()
        if path.name != "error_codes.py"
        for line, what in inline_codes(tree)
    ]
    assert not problems, "error codes written inline (declare them in the app's error_codes.py):\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    "source",
    [
        'raise DomainError("invalid", "x")',
        'raise NotAllowed(code="not_yours", message="x")',
        'raise exceptions.AuthenticationFailed("x", code="token_invalid")',
        'raise forms.ValidationError("x", "bbox")',
        'return Response({"code": "not_processed", "detail": "x"})',
        'return error_response(f"{kind}_invalid", "x", status=400)',
        'class TokenForbidden(APIException):\n    default_code = "token_forbidden"',
        'class Refused(NotAllowed): pass\nraise Refused("refused", "x")',
    ],
)
def test_the_scan_finds_each_way_of_writing_a_code_inline(source):
    assert inline_codes(ast.parse(source)), source


def test_the_scan_lets_codes_used_by_name_through():
    source = (
        "raise DomainError(error_codes.INVALID, 'x')\n"
        "raise exceptions.AuthenticationFailed(_('x'), code=error_codes.TOKEN_INVALID)\n"
        "Jurisdiction.objects.create(code='vn')\n"
        "data = {'code': standard.code}\n"
    )
    assert inline_codes(ast.parse(source)) == []


def _declaring_modules() -> list[Path]:
    return [path for path in SOURCES if path.name == "error_codes.py"]


def test_every_code_is_declared_once_across_apps():
    # given every error_codes.py, when their codes are gathered, then no code is declared twice
    declared = defaultdict(list)
    for path in _declaring_modules():
        for name, code in error_codes.literal_codes(path).items():
            declared[code].append(f"{path.relative_to(ROOT)}:{name}")
    twice = {code: where for code, where in declared.items() if len(where) > 1}
    assert not twice, (
        "codes declared more than once (same meaning: declare it once, in core/error_codes.py or the lower app, "
        "and import it; another meaning: another code):\n" + "\n".join(f"{c}: {w}" for c, w in sorted(twice.items()))
    )
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in declared), "codes are snake_case"


def test_the_schema_lists_every_declared_code_and_only_those():
    # given the codes of every error_codes.py, then the error body's `code` offers exactly these
    in_files = {code for path in _declaring_modules() for code in error_codes.literal_codes(path).values()}
    choices = set(ErrorSerializer().fields["code"].choices)
    assert choices == in_files
    assert dict(error_codes.declared())["not_found"] == "core"


def test_the_codes_drf_gives_its_own_exceptions_are_declared():
    # The exception handler passes DRF's codes through (a 404 is `not_found`, a 405 `method_not_allowed`).
    drf_codes = {
        cls.default_code
        for cls in vars(exceptions).values()
        if isinstance(cls, type) and issubclass(cls, exceptions.APIException)
    }
    assert drf_codes <= set(ErrorSerializer().fields["code"].choices)
