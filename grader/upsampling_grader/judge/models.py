"""A student's Keras model, rebuilt by the judge from plain data: its layers' settings and weights.

The kernel sends ``model.to_json()`` and ``model.get_weights()`` (see
``upsampling_course.answers.describe_model``); :func:`rebuild` checks every
object the configuration names against an allowlist of Keras's own layers,
initializers and activations (no Lambda layer, no custom object, nothing that
carries code), deserialises it with Keras's safe mode on, and loads the
weights after checking their count and shapes. The judge then samples and
measures the rebuilt model itself: nothing of the student's runs here.
"""

from __future__ import annotations

import json

import numpy as np

from upsampling_course.keras_setup import keras_module
from upsampling_grader.judge.answers import Wrong

LAYERS = frozenset(
    {
        "InputLayer", "Dense", "Reshape", "Flatten", "Conv2D", "Conv2DTranspose", "UpSampling2D",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "ReLU", "LeakyReLU",
        "ELU", "PReLU", "Activation", "Dropout", "SpatialDropout2D", "ZeroPadding2D",
        "Cropping2D", "Add", "Concatenate", "Multiply", "Identity", "Rescaling",
    }
)  # fmt: skip
MODELS = frozenset({"Functional", "Sequential"})
OTHER_OBJECTS = {
    "keras": {"DTypePolicy", "FloatDTypePolicy"},
    "keras.initializers": {
        "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "Zeros", "Ones", "Constant",
        "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal", "LecunNormal",
        "LecunUniform", "VarianceScaling",
    },
    "keras.regularizers": {"L1", "L2", "L1L2"},
    "keras.constraints": {"MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm"},
}  # fmt: skip
ACTIVATIONS = frozenset(
    {"linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "elu", "selu", "gelu",
     "swish", "silu", "softplus", "hard_sigmoid", "relu6", "exponential"}
)  # fmt: skip
MAX_CONFIG_CHARS = 2_000_000
MAX_WEIGHTS = 5_000_000  # numbers in all weights together


def _check(node: object, path: str) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check(item, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    if "class_name" in node and node.get("class_name") != "__keras_tensor__":
        name, module = node.get("class_name"), node.get("module")
        registered = node.get("registered_name")
        if (
            name in MODELS
            or (module == "keras.layers" and name in LAYERS)
            or name in OTHER_OBJECTS.get(module, ())
        ):
            pass
        else:
            raise Wrong(f"the model uses {module}.{name}, which the grader does not accept")
        if registered not in (None, name):
            raise Wrong(f"the model registers a custom object ({registered})")
    for key, value in node.items():
        if key == "activation" and not (isinstance(value, str) and value in ACTIVATIONS):
            raise Wrong(f"the model uses an activation the grader does not accept ({value!r})")
        if key in ("function", "function_type", "module_name"):
            raise Wrong("the model holds code (a Lambda or custom layer)")
        _check(value, f"{path}.{key}")


def rebuild(config_json: object, weights: object):
    """The Keras model a student's kernel described (Wrong with a reason if it cannot be)."""
    keras = keras_module()
    from keras.src.saving.serialization_lib import SafeModeScope

    if type(config_json) is not str or len(config_json) > MAX_CONFIG_CHARS:
        raise Wrong("the model's description is missing or too large")
    try:
        config = json.loads(config_json)
    except ValueError:
        raise Wrong("the model's description is not JSON") from None
    _check(config, "model")
    if type(weights) is not list or not all(isinstance(w, np.ndarray) for w in weights):
        raise Wrong("the model's weights are not a list of arrays")
    if sum(w.size for w in weights) > MAX_WEIGHTS:
        raise Wrong(f"the model has more than {MAX_WEIGHTS:,} weights")
    try:
        with SafeModeScope(True):
            model = keras.models.model_from_json(config_json)
    except Exception as error:
        raise Wrong(f"the grader could not rebuild the model ({type(error).__name__})") from None
    expected = [tuple(w.shape) for w in model.get_weights()]
    if expected != [tuple(w.shape) for w in weights]:
        raise Wrong("the model's weights do not fit its layers")
    model.set_weights([w.astype("float32") for w in weights])
    return model


def model_of(answer, what: str):
    """The rebuilt model of an ``Asker.model`` answer (Wrong with a reason if there is none)."""
    from upsampling_grader.judge.answers import value_of

    described = value_of(answer, what)
    if type(described) is not dict or set(described) != {"config", "weights"}:
        raise Wrong(f"{what} is not a Keras model")
    return rebuild(described["config"], described["weights"])
