"""Compact, readable descriptions of Keras models.

``model.summary()`` prints a wide box-drawn table that wraps badly on a phone
and in a book page. The chapters show these tables instead: one row per layer,
the output shape without the batch axis, and the parameter count.
Used by every chapter that builds a model.
"""

from __future__ import annotations

from typing import Any


def output_shapes(model: Any) -> list[tuple[int | None, ...]]:
    """Output shape of each layer of ``model`` without the batch axis."""
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def layer_table(model: Any):
    """A pandas DataFrame with one row per layer: name, type, output shape, parameters.

    The total parameter count is the sum of the ``parameters`` column, which is
    what ``model.count_params()`` reports too.
    """
    import pandas as pd

    rows = [
        {
            "layer": layer.name,
            "type": type(layer).__name__,
            "output shape": " × ".join(str(d) for d in layer.output.shape[1:]),
            "parameters": layer.count_params(),
        }
        for layer in model.layers
    ]
    table = pd.DataFrame(rows).set_index("layer")
    table.index.name = None  # one header row instead of two in the rendered table
    return table
