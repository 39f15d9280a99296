"""Data: the HDF5 store of real data sets with its manifest, seeded synthetic data, encodings.

- :mod:`course_utils.data.store` -- build ``data/*.h5`` from installed packages (faces, digits, Seattle
  temperatures, scikit-image's photographs and textures), load them with a checksum (``python -m
  course_utils.data build``); the weights the kit trains itself (``data/weights/``, committed)
- :mod:`course_utils.data.text` -- Track 5's text sets in the same store: census names, the Shakespeare
  corpus and GloVe 6B 50-d word vectors (``load_names``, ``load_shakespeare``, ``load_glove``)
- :mod:`course_utils.data.sentiment` -- Track 5's sentiment sentences (the kit's own, five classes, with hard
  sentences where negation and word order decide), in the same store
- :mod:`course_utils.data.dates` -- seeded human-readable dates in seven locales (faker, babel) and their ISO
  forms, with the character vocabularies (made at run time, no file of their own)
- :mod:`course_utils.data.synthetic` -- seeded 2-D data sets (flower, circles, moons, blobs)
- :mod:`course_utils.data.encoding` -- one-hot labels
- :mod:`course_utils.data.augment` -- data augmentation: small seeded shifts and rotations of images
- :mod:`course_utils.data.splits` -- split sizes by data size, seeded train/dev/test and training-dev splits
- :mod:`course_utils.data.mismatch` -- the "mobile" digits: the stored digits degraded reproducibly
  (noise, blur, rotation), with per-image tags (made at run time, no file of their own)
- :mod:`course_utils.data.scenes` -- seeded scenes of three shape classes on textured backgrounds with exact
  boxes and masks (Track 4's detection and segmentation)
- :mod:`course_utils.data.style_images` -- content photographs (chelsea, astronaut, coffee) and grey textures
  (brick, grass, gravel) of the photos set, cropped and shrunk for style transfer

The loaders are re-exported here: ``from course_utils.data import load_digits_split``.
"""

from course_utils.data.store import (DATA_DIR, DataError, build, content_sha256, load_arrays,
                                     load_digits_split, load_faces, load_photos, load_seattle_temperatures)
from course_utils.data.text import REQUIRED_WORDS, WordVectors, load_glove, load_names, load_shakespeare

__all__ = ["DATA_DIR", "DataError", "build", "content_sha256", "load_arrays", "load_digits_split",
           "load_faces", "load_photos", "load_seattle_temperatures", "REQUIRED_WORDS", "WordVectors", "load_glove",
           "load_names", "load_shakespeare"]
