"""Notebooks import only what they teach with: course_utils's concept packages plus their own adapter
module in course_utils.exercises (ARCHITECTURE.md), never another notebook's."""

import json
import re

import pytest

from helpers import REPO, nb_id, source_notebooks

#: notebook -> its adapter module in course_utils/exercises/ (None: its graded functions have library signatures)
ADAPTERS = {
    "1_neural_networks/00_introduction": "introduction",
    "1_neural_networks/01_numpy_basics": "numpy_basics",
    "1_neural_networks/02_logistic_regression": "logistic_regression",
    "1_neural_networks/03_shallow_network": "shallow_network",
    "1_neural_networks/04_deep_network_step_by_step": "deep_step_by_step",
    "1_neural_networks/05_deep_network_application": "deep_network_application",
    "2_improving_deep_networks/01_initialization": "initialization",
    "2_improving_deep_networks/02_regularization": "regularization",
    # gradient checking checks notebook 02's network: it imports that adapter as the network it checks
    "2_improving_deep_networks/03_gradient_checking": ("gradient_checking", "regularization"),
    "2_improving_deep_networks/04_optimization": "optimization",
    "2_improving_deep_networks/05_exponentially_weighted_averages": None,
    "2_improving_deep_networks/06_hyperparameter_search": None,
    "2_improving_deep_networks/07_batch_norm_and_softmax": "batch_norm_and_softmax",
    "2_improving_deep_networks/08_autodiff": None,
    # Track 3's graded functions have the library's signatures: the hidden tests' reference is the library
    "3_ml_strategy/01_goals_and_metrics": None,
    "3_ml_strategy/02_data_splits_and_mismatch": None,
    "3_ml_strategy/03_human_level_and_bias_variance": None,
    "3_ml_strategy/04_error_analysis_and_end_to_end": None,
    "4_convolutional_networks/01_convolution_step_by_step": None,
    "4_convolutional_networks/02_fast_convolution": "fast_convolution",
    "4_convolutional_networks/03_cnn_application": None,
    "4_convolutional_networks/04_residual_and_efficient_networks": None,
    "4_convolutional_networks/05_object_detection": None,
    "4_convolutional_networks/06_unet_segmentation": None,
    "4_convolutional_networks/07_face_verification": None,
    "4_convolutional_networks/08_neural_style_transfer": None,
    "5_sequence_models/01_rnn_step_by_step": "rnn_step_by_step",
    "5_sequence_models/02_gru_lstm_and_vanishing_gradients": "gru_lstm_and_vanishing_gradients",
    "5_sequence_models/03_character_language_model": "character_language_model",
    "5_sequence_models/04_word_vectors": "word_vectors",
    "5_sequence_models/05_word2vec_negative_sampling": None,
    "5_sequence_models/06_sentiment_classification": None,
    "5_sequence_models/07_attention_date_translation": None,
    "5_sequence_models/08_beam_search": None,
    "5_sequence_models/09_transformer": None,
}
IMPORT = re.compile(r"^\s*(?:from\s+(course_utils(?:\.\w+)*)\s+import\s+([\w ,()*]+)|import\s+(course_utils(?:\.\w+)*))", re.M)
CONCEPTS = {"nn", "optim", "models", "metrics", "data", "strategy", "text", "viz", "grading", "exercises", "autodiff", "gradcheck",
            "rng"}


def imported_modules(path):
    """Every course_utils module a notebook's code cells import (``from course_utils import x`` counts as x)."""
    found = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for m in IMPORT.finditer("".join(cell["source"])):
            if m.group(1) == "course_utils":
                found |= {f"course_utils.{n.strip()}" for n in m.group(2).strip("() ").split(",") if n.strip()}
            else:
                found.add(m.group(1) or m.group(3))
    return found


def test_every_notebook_is_listed():
    assert sorted(nb_id(p) for p in source_notebooks()) == sorted(ADAPTERS)


@pytest.mark.parametrize("path", source_notebooks(), ids=nb_id)
def test_imports_are_concept_packages_and_the_own_adapter(path):
    own = ADAPTERS[nb_id(path)]
    own = set() if own is None else {own} if isinstance(own, str) else set(own)
    modules = imported_modules(path)
    assert modules, "a notebook teaches with course_utils"
    for module in modules:
        parts = module.split(".")
        assert len(parts) > 1 and parts[1] in CONCEPTS, f"{module}: not a concept package of course_utils"
        if parts[1] == "exercises":
            assert len(parts) == 3 and parts[2] in own, f"{module}: another notebook's adapter"
    assert {f"course_utils.exercises.{a}" for a in own} <= modules, "the notebook's own adapter is not imported"


def test_every_adapter_belongs_to_a_notebook():
    named = set()
    for a in ADAPTERS.values():
        named |= set() if a is None else {a} if isinstance(a, str) else set(a)
    on_disk = {p.stem for p in (REPO / "course_utils" / "exercises").glob("*.py") if p.stem != "__init__"}
    assert on_disk == named
