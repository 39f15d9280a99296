"""course_utils.data.style_images: the content photographs and grey textures of notebook 4/08, cropped and
shrunk; chelsea comes from the data store's checked photos set."""

import numpy as np
import pytest

from course_utils.data.store import load_photos
from course_utils.data.style_images import CONTENT_NAMES, TEXTURE_NAMES, load_style_images


def test_shapes_ranges_and_names():
    contents, textures = load_style_images(32)
    assert tuple(contents) == CONTENT_NAMES == ("chelsea", "astronaut", "coffee")
    assert tuple(textures) == TEXTURE_NAMES == ("brick", "grass", "gravel")
    for image in [*contents.values(), *textures.values()]:
        assert image.shape == (32, 32, 3) and image.dtype == np.float32
        assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.05
    for texture in textures.values():
        np.testing.assert_array_equal(texture[..., 0], texture[..., 2])   # grey: three equal channels
    assert not np.array_equal(contents["chelsea"][..., 0], contents["chelsea"][..., 2])


def test_chelsea_is_the_stores_photograph_cropped_and_shrunk():
    _, chelsea = load_photos()
    small = load_style_images(10)[0]["chelsea"]
    block = chelsea[0:300, 70:370].astype(np.float64) / 255
    # the mean colour survives anti-aliased shrinking to within a few hundredths
    np.testing.assert_allclose(small.mean(axis=(0, 1)), block.mean(axis=(0, 1)), atol=0.02)
    assert load_style_images(64)[0]["chelsea"].shape == (64, 64, 3)


@pytest.mark.parametrize("size", [7, 257, 32.0, True])
def test_a_bad_size_is_refused(size):
    with pytest.raises(ValueError, match="size must be an integer from 8 to 256"):
        load_style_images(size)
