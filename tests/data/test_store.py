"""The data build command and the checksum-verifying loaders."""

import json
import subprocess
import sys

import numpy as np
import pytest

from course_utils.data import store as data
from helpers import REPO


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    data.build(["faces"], data_dir=d, log=lambda m: None)   # the set these tests read (the command test builds more)
    return d


def test_build_reproduces_the_committed_manifest(built):
    committed = json.loads((REPO / "data" / "manifest.json").read_text())
    fresh = json.loads((built / "manifest.json").read_text())
    assert fresh["faces"]["sha256"] == committed["faces"]["sha256"], "the build is not reproducible"
    for key in ("source", "licence", "how_built", "arrays", "file"):
        assert fresh["faces"][key], key


def test_faces_split_is_stratified_and_disjoint(built):
    train_x, train_y, test_x, test_y, classes = data.load_faces(built)
    assert train_x.shape == (150, 25, 25) and test_x.shape == (50, 25, 25)
    assert train_y.shape == (1, 150) and test_y.shape == (1, 50)
    assert train_y.sum() == 75 and test_y.sum() == 25
    assert list(classes) == [b"non-face", b"face"]
    assert 0.0 <= train_x.min() and train_x.max() <= 1.0
    # no test image is also a training image
    flat_train = {img.tobytes() for img in train_x}
    assert not any(img.tobytes() in flat_train for img in test_x)


def test_missing_file_names_the_build_command(built, tmp_path):
    (tmp_path / "manifest.json").write_text((built / "manifest.json").read_text())
    with pytest.raises(data.DataError, match="missing.*python -m course_utils.data build"):
        data.load_faces(tmp_path)


def test_corrupt_file_is_detected(built, tmp_path):
    (tmp_path / "manifest.json").write_text((built / "manifest.json").read_text())
    (tmp_path / "faces.h5").write_bytes((built / "faces.h5").read_bytes()[:5000])
    with pytest.raises(data.DataError, match="corrupt.*--force"):
        data.load_faces(tmp_path)


def test_changed_content_fails_the_checksum(built, tmp_path):
    import h5py

    (tmp_path / "manifest.json").write_text((built / "manifest.json").read_text())
    (tmp_path / "faces.h5").write_bytes((built / "faces.h5").read_bytes())
    with h5py.File(tmp_path / "faces.h5", "r+") as f:
        f["train_y"][0, 0] = 1 - f["train_y"][0, 0]
    with pytest.raises(data.DataError, match="does not match its checksum"):
        data.load_faces(tmp_path)


def test_build_command_is_idempotent_and_repairs(built, tmp_path):
    # every packaged set; the kit-trained models are committed and trained only on request (test_kit_models.py)
    packaged = [name for name in data.BUILDERS if name not in data.KIT_MODELS]
    cmd = [sys.executable, "-m", "course_utils.data", "build", *packaged, "--data-dir", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "built faces" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "up to date" in second.stdout
    (tmp_path / "faces.h5").write_bytes(b"garbage")
    third = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "rebuilding" in third.stdout
    np.testing.assert_array_equal(data.load_faces(tmp_path)[1], data.load_faces(built)[1])


def test_builds_running_at_once_keep_each_others_manifest_entries(tmp_path, monkeypatch):
    """Two kit models trained at once: the second build to finish wrote back the manifest it read at its
    start and erased the first's entry (date_attention's weights then failed their checksum). Here build
    "first" runs a whole build of "second" while it trains; both entries must survive, and load."""
    import course_utils.data.store as store

    def second():
        return {"w": np.arange(3, dtype=np.float32)}, {"source": "test", "licence": "MIT", "how_built": "test"}

    def first():
        store.build(["second"], tmp_path, log=lambda m: None)    # finishes while "first" is still building
        return {"w": np.ones(2, dtype=np.float32)}, {"source": "test", "licence": "MIT", "how_built": "test"}

    monkeypatch.setitem(store.BUILDERS, "first", first)
    monkeypatch.setitem(store.BUILDERS, "second", second)
    manifest = store.build(["first"], tmp_path, log=lambda m: None)
    assert sorted(manifest) == ["first", "second"]
    assert sorted(json.loads((tmp_path / "manifest.json").read_text())) == ["first", "second"]
    assert store.load_arrays("second", tmp_path)["w"].tolist() == [0.0, 1.0, 2.0]
    assert store.load_arrays("first", tmp_path)["w"].tolist() == [1.0, 1.0]
    assert not (tmp_path / "manifest.json.tmp").exists()
