"""Weights the kit trains itself (no downloaded weights): committed, checked by the manifest, and retrainable.

Each model of ``store.KIT_MODELS`` is trained by ``python -m course_utils.data build NAME`` from generated or
packaged data; its file ``data/weights/NAME.h5`` is committed with its manifest entry, so a clone does not train
it again and ``make lab``'s first run stays short."""

import json
import subprocess

import pytest

from course_utils.data import store
from helpers import REPO

MANIFEST = json.loads((REPO / "data" / "manifest.json").read_text())


@pytest.mark.parametrize("name", sorted(store.KIT_MODELS))
def test_a_kit_model_is_committed_with_its_seed_figures_and_checksum(name):
    entry = MANIFEST[name]
    assert entry["file"] == f"weights/{name}.h5"
    assert isinstance(entry["seed"], int)
    assert entry["figures"] and all(isinstance(v, (int, float)) for v in entry["figures"].values()), entry["figures"]
    assert entry["train_seconds"] > 0
    for key in ("source", "licence", "how_built"):
        assert entry[key].strip(), key
    path = REPO / "data" / entry["file"]
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", entry["file"]], cwd=REPO / "data",
                             capture_output=True, text=True)
    assert tracked.returncode == 0, f"{path} is not committed: a clone would have to train it"
    assert path.stat().st_size < 2_000_000, f"{path}: {path.stat().st_size} bytes"
    arrays = store.load_arrays(name)           # its checksum against the manifest
    assert sorted(arrays) == sorted(entry["arrays"])


def test_a_kit_model_whose_module_is_missing_is_named(monkeypatch):
    build = store._kit_builder("course_utils.models.no_such_model")
    with pytest.raises(store.DataError, match=r"course_utils\.models\.no_such_model\.kit_weights cannot be imported"):
        build()


def test_make_clean_keeps_the_committed_weights():
    makefile = (REPO / "Makefile").read_text()
    clean = makefile.split("\nclean:")[1].split("\n\n")[0]
    assert "data/*.h5" in clean and "weights" not in clean
