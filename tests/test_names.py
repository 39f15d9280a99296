"""No two public names in course_utils mean different things.

Outside ``course_utils.exercises`` (whose adapters keep the classic exercise signatures on purpose),
a public function or class defined in two modules must have one signature. Re-exports (the same
object imported elsewhere) are one definition.
"""

import importlib
import inspect
import pkgutil
from collections import defaultdict

import course_utils


def public_definitions():
    """name -> {module: signature} for every public function and class defined in a course_utils module."""
    found = defaultdict(dict)
    for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # imported, not defined here
            try:
                # parameters only: autodiff's relu(z) returns a Tensor, the same function lifted
                signature = str(inspect.signature(obj).replace(return_annotation=inspect.Signature.empty))
            except (TypeError, ValueError):
                signature = "?"
            found[name][module.__name__] = signature
    return found


def clashes(found, exclude=("course_utils.exercises.",)):
    out = {}
    for name, where in found.items():
        kept = {m: s for m, s in where.items() if not m.startswith(exclude)}
        if len(kept) > 1 and len(set(kept.values())) > 1:
            out[name] = kept
    return out


def test_no_public_name_is_defined_twice_with_different_signatures():
    assert clashes(public_definitions()) == {}


def test_the_check_finds_a_clash():
    """The check itself: a planted second `predict` with another signature is reported."""
    found = public_definitions()
    found["predict"]["course_utils.models.fake"] = "(w, b, X)"
    assert "predict" in clashes(found)
    assert "course_utils.models.fake" in clashes(found)["predict"]


def test_exercise_names_that_shadow_the_library_are_only_in_exercises():
    """Where an adapter keeps a classic name with another meaning, the library name lives in one concept module."""
    found = public_definitions()
    for name in ("L_model_backward", "linear_backward", "batchnorm_forward", "predict"):
        library = [m for m in found[name] if not m.startswith("course_utils.exercises.")]
        assert len(library) == 1, (name, found[name])
