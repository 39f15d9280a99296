"""course_utils.exercises.introduction (Track 1, notebook 00): the housing-price neuron, the choice of a
network type for the lecture notes' table of applications, and ``course_utils.grading.checks.outcome`` (a refusal as a value)."""

import numpy as np
import pytest

import course_utils.exercises.introduction as intro


def test_housing_price_neuron_is_a_relu_of_a_line_with_exactly_0_at_the_kink():
    sizes = np.array([[30.0, 50.0, 80.0], [120.0, 200.0, 10.0]])
    price = intro.housing_price_neuron(sizes, 2.0, -100.0)
    np.testing.assert_array_equal(price, [[0.0, 0.0, 60.0], [140.0, 300.0, 0.0]])
    assert price.dtype == np.float64 and price.shape == (2, 3)
    at_kink = intro.housing_price_neuron(50.0, 2.0, -100.0)  # w * size + b == 0 exactly
    assert type(at_kink) is np.float64 and at_kink == 0.0
    # integer sizes and parameters: float prices, the same values
    np.testing.assert_array_equal(intro.housing_price_neuron(np.array([40, 60]), 3, -150), [0.0, 30.0])


def test_network_type_gives_the_notes_answer_for_every_row_of_their_table():
    assert {app: intro.network_type(inputs, output) for app, (inputs, output, _) in
            intro.NOTES_APPLICATIONS.items()} == {
        "real estate": "standard", "online advertising": "standard", "photo tagging": "CNN",
        "speech recognition": "RNN", "machine translation": "RNN", "autonomous driving": "custom/hybrid"}
    assert {t for *_, t in intro.NOTES_APPLICATIONS.values()} == set(intro.NETWORK_TYPES)


def test_network_type_decides_by_the_parts_the_inputs_and_the_output_need():
    assert intro.network_type("image", "text") == "custom/hybrid"        # a CNN reads, an RNN writes
    assert intro.network_type("structured", "text") == "custom/hybrid"
    assert intro.network_type("audio", "label") == "RNN"                 # a spoken command, one label
    assert intro.network_type("radar", "positions") == "standard"
    assert intro.network_type(["structured", "radar"], "number") == "custom/hybrid"  # two kinds of input
    assert intro.network_type(("image", "image"), "label") == "CNN"     # a kind given twice counts once
    assert intro.network_type(["text"], "text") == "RNN"


@pytest.mark.parametrize("inputs, output, message", [
    ("video", "label", "unknown input kind 'video'; the input kinds are structured, radar, image, audio, text"),
    (["image", "sonar"], "label", "unknown input kind 'sonar'"),
    ("image", "probability", "unknown output kind 'probability'; the output kinds are number, label, text, positions"),
    ([], "label", "inputs must be an input kind or a non-empty list of them, got []"),
    (7, "label", "inputs must be an input kind or a non-empty list of them, got 7"),
    ({"image"}, "label", "inputs must be an input kind or a non-empty list of them, got {'image'}"),
])
def test_network_type_refuses_what_it_does_not_know(inputs, output, message):
    with pytest.raises(ValueError) as err:
        intro.network_type(inputs, output)
    assert str(err.value).startswith(message)


def test_outcome_turns_a_value_error_into_a_value_and_lets_a_crash_through():
    from course_utils.grading.checks import outcome

    assert outcome(intro.network_type, "image", "label") == "CNN"
    assert outcome(intro.network_type, "video", "label") == "raises ValueError"
    assert outcome(intro.network_type, inputs="text", output="text") == "RNN"
    with pytest.raises(TypeError):
        outcome(intro.network_type, "image")  # a missing argument is a crash, not a refusal
