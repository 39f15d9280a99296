"""Small content photographs and grey textures for neural style transfer (Track 4, notebook 08).

Every picture is shipped inside scikit-image (``skimage.data``), so nothing is downloaded; all six come
from the data store's ``photos`` set (``python -m course_utils.data build``), checked against its sha256.

Each picture is cropped to a square around its subject and shrunk with anti-aliasing
(``skimage.transform.resize``) to ``size x size``, so that gradient descent on a generated image of that
size runs in seconds.

* contents (colour photographs): ``"chelsea"`` (a cat's face), ``"astronaut"`` (Eileen Collins' portrait),
  ``"coffee"`` (a cup of coffee);
* textures (grey, 512 x 512 in the package; the top-left quarter, 256 x 256, is used so that a brick
  or a pebble stays several pixels wide after shrinking): ``"brick"``, ``"grass"``, ``"gravel"``, given
  three equal channels so that they enter the same network as the photographs.

Sources and licences (scikit-image's ``skimage.data`` docstrings; the package is BSD-3-Clause): chelsea,
Stefan van der Walt, CC0; astronaut (Eileen Collins), NASA Great Images, public domain; coffee, Rachel
Michetti (Pikolo Espresso Bar), CC0; brick (CC0Textures "Bricks25"), gravel (CC0Textures "Gravel04") and
grass (DeviantArt "Grass-01" by linolafett), CC0, grey 512 x 512 versions made by scikit-image.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["CONTENT_NAMES", "TEXTURE_NAMES", "load_style_images"]

CONTENT_NAMES = ("chelsea", "astronaut", "coffee")
TEXTURE_NAMES = ("brick", "grass", "gravel")

#: (row slice, column slice) of the square kept from each picture before shrinking
_CROPS = {
    "chelsea": (slice(0, 300), slice(70, 370)),
    "astronaut": (slice(0, 300), slice(80, 380)),
    "coffee": (slice(10, 390), slice(110, 490)),
    "brick": (slice(0, 256), slice(0, 256)),
    "grass": (slice(0, 256), slice(0, 256)),
    "gravel": (slice(0, 256), slice(0, 256)),
}


@functools.lru_cache(maxsize=4)
def _pictures(data_dir):
    """Every picture as scikit-image ships it (uint8), read once per data folder from the data store's photos
    set. Callers copy before changing anything."""
    from course_utils.data.store import load_arrays

    stored = load_arrays("photos", data_dir)
    return {name: stored[name] for name in (*CONTENT_NAMES, *TEXTURE_NAMES)}


def load_style_images(size=64, data_dir=None):
    """The content photographs and the textures, cropped square and shrunk to ``size x size``.

    Arguments: size -- the side in pixels, an integer from 8 to 256; data_dir -- the data folder of the
        store (default: the store's own).
    Returns: ``(contents, textures)``: two dicts ``{name: (size, size, 3) float32}`` with values in
        [0, 1], in the order of :data:`CONTENT_NAMES` and :data:`TEXTURE_NAMES`; a texture's three
        channels are equal.
    Raises: ValueError if size is not an integer from 8 to 256; DataError (the store's) if the photos
        set is missing or fails its checksum.
    Source: scikit-image's ``skimage.data`` (see the module docstring for each picture's author and licence).
    """
    from skimage.transform import resize

    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 256:
        raise ValueError(f"load_style_images: size must be an integer from 8 to 256, got {size!r}")
    out = []
    for names in (CONTENT_NAMES, TEXTURE_NAMES):
        images = {}
        for name in names:
            rows, cols = _CROPS[name]
            pictures = _pictures(None if data_dir is None else str(data_dir))
            picture = pictures[name][rows, cols].astype(np.float64) / 255.0
            if picture.ndim == 2:
                picture = np.repeat(picture[:, :, None], 3, axis=2)
            small = resize(picture, (int(size), int(size)), anti_aliasing=True, mode="reflect")
            images[name] = np.clip(small, 0.0, 1.0).astype(np.float32)
        out.append(images)
    return out[0], out[1]
