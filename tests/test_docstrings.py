"""Every public function that raises says so: its docstring has a ``Raises`` line.

The project's docstring standard asks for a ``Raises:`` line wherever a function validates its
input, including errors raised by the private helpers it calls. This file checks that rule
statically: every module of ``course_utils`` (found with ``pkgutil.walk_packages``, so a new module
is checked without being listed) is parsed with ``ast``, and a public function, or a public method
of a public class, fails if its body holds a ``raise`` -- directly, or through a call to a private
module-level function of the same module that raises (recursively) -- while its docstring never
says "Raises". Raises reached through *public* functions are not followed: those document their
own. The checker is tested on a planted source first, so it cannot pass by checking nothing.
"""

import ast
import pkgutil
from pathlib import Path

import course_utils


def _is_function(node) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))


def undocumented_raisers(source: str) -> list[tuple[int, str]]:
    """``[(line, name)]`` of the public functions and public methods of public classes in ``source``
    that raise (directly or through a private module-level function that raises) and whose
    docstring lacks "Raises". Methods are named ``Class.method``."""
    tree = ast.parse(source)
    private = {n.name: n for n in tree.body if _is_function(n) and n.name.startswith("_")}
    known: dict[str, bool] = {}

    def raises(fn, seen: frozenset) -> bool:
        for node in ast.walk(fn):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name in private and name not in seen and helper_raises(name, seen):
                    return True
        return False

    def helper_raises(name: str, seen: frozenset) -> bool:
        if name not in known:
            result = raises(private[name], seen | {name})
            if result or not seen:  # a "no" found inside a cycle may be partial: cache only firm answers
                known[name] = result
            return result
        return known[name]

    candidates = []
    for node in tree.body:
        if _is_function(node) and not node.name.startswith("_"):
            candidates.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            candidates += [(f"{node.name}.{m.name}", m) for m in node.body
                           if _is_function(m) and not m.name.startswith("_")]
    return [(fn.lineno, name) for name, fn in candidates
            if "Raises" not in (ast.get_docstring(fn) or "") and raises(fn, frozenset())]


def _module_files() -> dict[str, Path]:
    """``{module name: source file}`` for course_utils and every module below it (not ``__main__``)."""
    files = {"course_utils": Path(course_utils.__file__)}
    for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
        if info.name.rsplit(".", 1)[-1] == "__main__":  # runs a command line; not library code
            continue
        files[info.name] = Path(info.module_finder.find_spec(info.name).origin)
    return files


# --- the checker itself -------------------------------------------------------------------------

PLANTED = '''
def _check(x):
    if x < 0:
        raise ValueError("x must be >= 0")


def _deeper(x):
    _check(x)


def _ping(x):
    return _pong(x)


def _pong(x):
    return _ping(x)


def good(x):
    """Twice x.

    Raises: ValueError if x < 0.
    """
    _deeper(x)
    return 2 * x


def bad(x):
    """Twice x, but silent about the ValueError its helper's helper raises."""
    _deeper(x)
    return 2 * x


def direct(x):
    """Raises nothing, it says -- wrongly, but the word is there."""
    raise TypeError


def quiet(x):
    """Calls only helpers that never raise (and call each other)."""
    return _ping(x) + abs(x)


class Public:
    """A public class."""

    def method(self):
        """Silent about its error."""
        raise RuntimeError("no")

    def documented(self):
        """Checks.

        Raises: ValueError if self is negative.
        """
        _check(self)

    def _private(self):
        raise RuntimeError("private methods are not checked")


class _Hidden:
    def method(self):
        raise RuntimeError("methods of private classes are not checked")
'''


def test_the_checker_finds_a_planted_undocumented_raise():
    found = undocumented_raisers(PLANTED)
    assert [name for _, name in found] == ["bad", "Public.method"], found


def test_the_checker_passes_a_documented_source():
    assert undocumented_raisers('def f(x):\n    """Raises: ValueError always."""\n    raise ValueError\n') == []
    assert undocumented_raisers('def f(x):\n    """Never raises a thing? It does."""\n    raise ValueError\n') == [(1, "f")]


# --- the package ---------------------------------------------------------------------------------

def test_the_walk_finds_the_package_tree():
    files = _module_files()
    for name in ("course_utils.exercises.regularization", "course_utils.nn.losses", "course_utils.viz.playground",
                 "course_utils.optim.rules", "course_utils.gradcheck"):
        assert name in files
    assert not any(name.endswith("__main__") for name in files)
    assert all(path.suffix == ".py" and path.is_file() for path in files.values())


def test_every_public_function_that_raises_documents_it():
    missing = [f"{name}:{line} {function}"
               for name, path in sorted(_module_files().items())
               for line, function in undocumented_raisers(path.read_text(encoding="utf-8"))]
    assert not missing, ("these public functions raise (directly or through a private helper of their module) "
                         "but their docstrings have no 'Raises:' line:\n" + "\n".join(missing))
