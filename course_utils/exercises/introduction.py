"""Track 1, notebook 00 (introduction): the two small exercises of the lecture notes' week 1.

``housing_price_neuron`` is the notes' first neural network: one neuron that turns a house's size into
a price with a ReLU of a linear function (:func:`course_utils.nn.activations.relu`). ``network_type``
picks the kind of network the notes' table of supervised-learning applications pairs with an
application, from the kinds of its inputs and of its output.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import relu

__all__ = ["INPUT_KINDS", "OUTPUT_KINDS", "NETWORK_TYPES", "NOTES_APPLICATIONS", "housing_price_neuron",
           "network_type"]

#: input kind -> the part of a network that reads it. Structured data (a row of a table: a house's
#: size and bedrooms, a user's profile) and a radar unit's report (the distance and speed of each
#: object it detects: a fixed list of numbers) go into a standard, fully connected network; an
#: image into a convolutional network (CNN); audio and text, which are sequences in time, into a
#: recurrent network (RNN).
INPUT_KINDS = {"structured": "standard", "radar": "standard", "image": "CNN", "audio": "RNN", "text": "RNN"}
#: output kinds: a number (a price), a label (click or not, one of 1000 objects), text (a sentence:
#: a sequence, which only a recurrent part can produce word by word), positions (of other cars).
OUTPUT_KINDS = ("number", "label", "text", "positions")
#: the four answers, as the lecture notes name them
NETWORK_TYPES = ("standard", "CNN", "RNN", "custom/hybrid")
#: the notes' table (course 1, week 1): application -> (inputs, output, network type)
NOTES_APPLICATIONS = {
    "real estate": ("structured", "number", "standard"),
    "online advertising": ("structured", "label", "standard"),
    "photo tagging": ("image", "label", "CNN"),
    "speech recognition": ("audio", "text", "RNN"),
    "machine translation": ("text", "text", "RNN"),
    "autonomous driving": (("image", "radar"), "positions", "custom/hybrid"),
}


def housing_price_neuron(size, w, b):
    """The housing-price neuron: ``max(0, w * size + b)``, for one size or an array of sizes.

    Arguments: size -- a number or an array of any shape (house sizes); w, b -- numbers (the
    neuron's weight and bias).
    Returns: a float array of the shape of ``size`` (a ``np.float64`` for a number): the predicted
    prices, 0 wherever ``w * size + b <= 0`` (at the kink, ``w * size + b == 0``, exactly 0).
    """
    return relu(w * np.asarray(size, dtype=float) + b)


def network_type(inputs, output: str) -> str:
    """The kind of network for an application, from the kinds of its inputs and of its output.

    Arguments:
        inputs -- one input kind (a str) or a list or tuple of them: ``"structured"``, ``"radar"``,
            ``"image"``, ``"audio"``, ``"text"`` (:data:`INPUT_KINDS`); a kind given twice counts once.
        output -- ``"number"``, ``"label"``, ``"text"`` or ``"positions"`` (:data:`OUTPUT_KINDS`).
    Returns: one of ``"standard"``, ``"CNN"``, ``"RNN"``, ``"custom/hybrid"``. Each input kind needs
        the part :data:`INPUT_KINDS` names, and a text output needs a recurrent part to write it. One
        input kind whose part is the only part needed gives that part's type; two or more input
        kinds, or an output that needs another part than the input's (an image described in a
        sentence: a CNN and an RNN), give ``"custom/hybrid"``.
    Raises: ValueError if ``inputs`` is empty, is neither a str nor a list or tuple of str, or holds
        an unknown kind, or if ``output`` is not an output kind (the message lists the known kinds).
    """
    kinds = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(kinds, (list, tuple)) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise ValueError(f"inputs must be an input kind or a non-empty list of them, got {inputs!r}")
    unknown = [k for k in kinds if k not in INPUT_KINDS]
    if unknown:
        raise ValueError(f"unknown input kind {unknown[0]!r}; the input kinds are {', '.join(INPUT_KINDS)}")
    if output not in OUTPUT_KINDS:
        raise ValueError(f"unknown output kind {output!r}; the output kinds are {', '.join(OUTPUT_KINDS)}")
    kinds = set(kinds)
    parts = {INPUT_KINDS[k] for k in kinds} | ({"RNN"} if output == "text" else set())
    return parts.pop() if len(kinds) == 1 and len(parts) == 1 else "custom/hybrid"
