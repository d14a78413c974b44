"""Pictures and animations of the two views of Conv2DTranspose.

Used by the chapter *Conv2DTranspose* (and :func:`plot_matrices` by *UpSampling2D*).
Both views work on one channel:

* **scatter-add**: every input pixel adds a copy of the kernel, scaled by the
  pixel, into the output at stride ``s``; overlapping copies are summed;
* **zero insertion**: put ``s - 1`` zeros between the input pixels, pad the
  border with ``k - 1`` zeros, and slide the flipped kernel over the result
  as an ordinary convolution.

The ``*_frames`` functions compute what each step shows (plain NumPy, unit
tested); the ``draw_*`` functions draw one step; the ``animate_*`` functions
turn the steps into a matplotlib animation, which :func:`animation_html`
embeds in a page (frames are PNGs inside the HTML, so it plays offline).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation, patheffects
from matplotlib.patches import Rectangle

from upsampling_course.checks import positive_int
from upsampling_course.numpy_layers import insert_zeros


def _as_matrix(values, name: str) -> np.ndarray:
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array (one channel), got {matrix.shape}")
    return matrix


@dataclass(frozen=True)
class ScatterStep:
    """One step of scatter-add: after adding the copy for input pixel ``pixel``."""

    pixel: tuple[int, int] | None  # None for the empty starting canvas
    corner: tuple[int, int] | None  # where that copy's top-left lands in the output
    output: np.ndarray  # the running sum
    copies: np.ndarray  # how many kernel copies have covered each output position


def scatter_add_frames(image, kernel, stride: int) -> list[ScatterStep]:
    """The running output of scatter-add, one step per input pixel (row by row)."""
    image, kernel = _as_matrix(image, "image"), _as_matrix(kernel, "kernel")
    stride = positive_int("stride", stride)
    (h, w), (kh, kw) = image.shape, kernel.shape
    output = np.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw))
    copies = np.zeros_like(output, dtype=int)
    steps = [ScatterStep(None, None, output.copy(), copies.copy())]
    for row in range(h):
        for col in range(w):
            top, left = row * stride, col * stride
            output[top : top + kh, left : left + kw] += image[row, col] * kernel
            copies[top : top + kh, left : left + kw] += 1
            steps.append(ScatterStep((row, col), (top, left), output.copy(), copies.copy()))
    return steps


@dataclass(frozen=True)
class SlideStep:
    """One step of zero insertion + convolution: the kernel window at ``position``."""

    position: tuple[int, int] | None  # None before the kernel starts sliding
    padded: np.ndarray  # the input with zeros inserted and the border padded
    output: np.ndarray  # outputs computed so far (NaN where not yet computed)


def zero_insertion_frames(image, kernel, stride: int) -> list[SlideStep]:
    """The kernel sliding over the zero-inserted, padded input, one output position per step."""
    image, kernel = _as_matrix(image, "image"), _as_matrix(kernel, "kernel")
    stride = positive_int("stride", stride)
    kh, kw = kernel.shape
    spread = insert_zeros(image[None, :, :, None], (stride, stride))[0, :, :, 0]
    padded = np.pad(spread, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    flipped = kernel[::-1, ::-1]
    out_h, out_w = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    output = np.full((out_h, out_w), np.nan)
    steps = [SlideStep(None, padded, output.copy())]
    for row in range(out_h):
        for col in range(out_w):
            output[row, col] = np.sum(padded[row : row + kh, col : col + kw] * flipped)
            steps.append(SlideStep((row, col), padded, output.copy()))
    return steps


class GridPicture:
    """A matrix drawn as coloured cells with its numbers written in; NaN cells stay blank.

    Built once per axes; :meth:`show` only changes colours and numbers, which
    keeps an animation's frames cheap to render.
    """

    def __init__(self, ax: plt.Axes, shape, title: str, cmap: str = "Blues", vmax: float = 1.0):
        self.ax = ax
        self.image = ax.imshow(np.zeros(shape), cmap=cmap, vmin=0, vmax=max(vmax, 1.0) * 1.4)
        self.texts = {
            (row, col): ax.text(col, row, "", ha="center", va="center", fontsize=8)
            for row in range(shape[0])
            for col in range(shape[1])
        }
        ax.set_xticks(np.arange(-0.5, shape[1], 1), minor=True)
        ax.set_yticks(np.arange(-0.5, shape[0], 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_title(title, fontsize=9)
        # Black on a white halo: it stands out on every cell colour, for every
        # kind of colour vision and in a grey printout.
        self.outline = Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor="black", linewidth=2.5, visible=False, zorder=3
        )
        self.outline.set_path_effects([patheffects.withStroke(linewidth=5, foreground="white")])
        ax.add_patch(self.outline)

    def show(self, values, faint=None) -> None:
        values = np.asarray(values, dtype=float)
        self.image.set_data(np.ma.masked_invalid(values))
        for (row, col), text in self.texts.items():
            value = values[row, col]
            text.set_text("" if np.isnan(value) else f"{value:g}")
            text.set_color("0.6" if faint is not None and faint[row, col] else "black")

    def outline_cells(self, corner=None, size=(1, 1)) -> None:
        """Outline ``size`` cells from ``corner`` (row, col); ``None`` hides the outline."""
        self.outline.set_visible(corner is not None)
        if corner is not None:
            self.outline.set_xy((corner[1] - 0.5, corner[0] - 0.5))
            self.outline.set_width(size[1])
            self.outline.set_height(size[0])


def scatter_add_pictures(axes, image, kernel, stride: int):
    """Set up the three panels of scatter-add; returns a function that shows one step."""
    image, kernel = _as_matrix(image, "image"), _as_matrix(kernel, "kernel")
    steps = scatter_add_frames(image, kernel, stride)
    vmax = float(np.abs(steps[-1].output).max())
    input_grid = GridPicture(axes[0], image.shape, "input", "Oranges", float(np.abs(image).max()))
    kernel_grid = GridPicture(
        axes[1], kernel.shape, "kernel", "Greens", float(np.abs(kernel).max())
    )
    output_grid = GridPicture(axes[2], steps[0].output.shape, "", vmax=vmax)
    input_grid.show(image)
    kernel_grid.show(kernel)

    def show(step: ScatterStep) -> None:
        output_grid.show(step.output)
        if step.pixel is None:
            output_grid.ax.set_title("output: empty canvas", fontsize=9)
        else:
            value = image[step.pixel]
            output_grid.ax.set_title(f"output += {value:g} × kernel", fontsize=9)
        input_grid.outline_cells(step.pixel)
        output_grid.outline_cells(step.corner, kernel.shape)

    return steps, show


def _animate(pictures, image, kernel, stride: int, title: str, layout, interval_ms: int):
    """Three panels in a row, redrawn by ``pictures`` for each of its steps.

    ``layout`` is the figure's (width, height) in inches and its panels' width ratios.
    """
    figsize, width_ratios = layout
    fig, axes = plt.subplots(
        1, 3, figsize=figsize, dpi=72, gridspec_kw={"width_ratios": width_ratios}
    )
    fig.suptitle(title, fontsize=10)
    steps, show = pictures(axes, image, kernel, stride)
    show(steps[0])
    return animation.FuncAnimation(
        fig, lambda index: show(steps[index]), frames=len(steps), interval=interval_ms
    )


def animate_scatter_add(image, kernel, stride: int, interval_ms: int = 900):
    """Scatter-add building the output one input pixel at a time."""
    title = f"Scatter-add, stride {stride}"
    layout = ((7, 2.6), [1, 1.2, 2.2])
    return _animate(scatter_add_pictures, image, kernel, stride, title, layout, interval_ms)


def zero_insertion_pictures(axes, image, kernel, stride: int):
    """Set up the three panels of zero insertion; returns the steps and a function showing one."""
    image, kernel = _as_matrix(image, "image"), _as_matrix(kernel, "kernel")
    steps = zero_insertion_frames(image, kernel, stride)
    kh, kw = kernel.shape
    padded = steps[0].padded
    # Grey numbers are the inserted and padded zeros; black ones are the input's pixels.
    is_inserted = np.ones_like(padded, dtype=bool)
    rows = kh - 1 + stride * np.arange(image.shape[0])
    cols = kw - 1 + stride * np.arange(image.shape[1])
    is_inserted[np.ix_(rows, cols)] = False
    vmax = float(np.nanmax(np.abs(steps[-1].output)))
    padded_grid = GridPicture(
        axes[0],
        padded.shape,
        "zeros inserted, border padded",
        "Oranges",
        float(np.abs(image).max()),
    )
    kernel_grid = GridPicture(
        axes[1], kernel.shape, "flipped kernel", "Greens", float(np.abs(kernel).max())
    )
    output_grid = GridPicture(axes[2], steps[0].output.shape, "output", vmax=vmax)
    padded_grid.show(padded, faint=is_inserted)
    kernel_grid.show(kernel[::-1, ::-1])

    def show(step: SlideStep) -> None:
        output_grid.show(step.output)
        padded_grid.outline_cells(step.position, kernel.shape)
        output_grid.outline_cells(step.position)

    return steps, show


def animate_zero_insertion(image, kernel, stride: int, interval_ms: int = 350):
    """The flipped kernel sliding over the zero-inserted, padded input."""
    title = f"Zero insertion (stride {stride}), then an ordinary convolution"
    layout = ((7.5, 2.8), [2.4, 1, 1.9])
    return _animate(zero_insertion_pictures, image, kernel, stride, title, layout, interval_ms)


def animation_html(anim, alt: str = "") -> str:
    """The animation as self-contained HTML (PNG frames + player); closes its figure.

    ``alt`` describes what the animation shows, for readers who cannot see it;
    it becomes the frame's alt text (every page's images must have one, see
    tests/book/test_site_browser.py). The player never starts by itself and has
    Pause, step and slider controls; its slider gets an accessible name.
    """
    markup = anim.to_jshtml(default_mode="loop")
    plt.close(anim._fig)
    return label_player(markup, alt)


def label_player(markup: str, alt: str) -> str:
    """Give matplotlib's player what screen readers need: alt text and a named slider."""
    alt = " ".join(str(alt).split())
    frame = re.compile(r'<img id="(_anim_img\w+)">')
    slider = re.compile(r'<input id="(_anim_slider\w+)" type="range"')
    if not frame.search(markup) or not slider.search(markup):
        raise ValueError("not a matplotlib to_jshtml() player: no frame image or slider found")
    quoted = html.escape(alt, quote=True)
    markup = frame.sub(lambda m: f'<img id="{m[1]}" alt="{quoted}">', markup, count=1)
    # The repetition-mode buttons are one radio group, named after its animation
    # (two players on a page must not be two landmarks with one name).
    first_words = " ".join(alt.split()[:8]) or "animation"
    group = html.escape(f"Repetition mode of: {first_words}", quote=True)
    markup = markup.replace(
        '<form title="Repetition mode" aria-label="Repetition mode"',
        f'<form role="radiogroup" title="Repetition mode" aria-label="{group}"',
        1,
    )
    return slider.sub(
        lambda m: f'<input id="{m[1]}" type="range" aria-label="Animation frame"', markup, count=1
    )


def plot_both_views(image, kernel, stride: int):
    """Static summary: the last step of each view, one view per row, for the printed page."""
    fig, axes = plt.subplots(2, 3, figsize=(8, 5.2), gridspec_kw={"width_ratios": [2.2, 1, 2]})
    steps, show = scatter_add_pictures(axes[0], image, kernel, stride)
    show(steps[-1])
    axes[0, 2].set_title("scatter-add: every copy summed", fontsize=9)
    steps, show = zero_insertion_pictures(axes[1], image, kernel, stride)
    show(steps[-1])
    axes[1, 2].set_title("zero insertion: every window", fontsize=9)
    return fig


def plot_matrices(matrices, suptitle: str = "", block=None, width_ratios=None):
    """A row of small matrices with their numbers written in, e.g. gradients block by block.

    ``matrices`` maps each panel's title to a 2-D array. ``block`` (rows, cols)
    draws a grid of thicker lines every ``block`` cells on panels that are a
    multiple of it in size, to show which cells came from one input pixel.
    Used by the chapters *UpSampling2D* and *Conv2DTranspose*.
    """
    matrices = {title: _as_matrix(values, title) for title, values in matrices.items()}
    ratios = width_ratios or [m.shape[1] + 1 for m in matrices.values()]
    tallest = max(m.shape[0] for m in matrices.values())
    fig, axes = plt.subplots(
        1,
        len(matrices),
        figsize=(1.0 + 0.42 * sum(ratios), 1.4 + 0.36 * tallest),
        width_ratios=ratios,
    )
    axes = np.atleast_1d(axes)
    for ax, (title, values) in zip(axes, matrices.items(), strict=True):
        GridPicture(ax, values.shape, title, vmax=float(np.abs(values).max())).show(values)
        if block is not None and values.shape[0] > block[0] and not values.shape[0] % block[0]:
            for row in range(block[0], values.shape[0], block[0]):
                ax.axhline(row - 0.5, color="black", linewidth=1.5)
            for col in range(block[1], values.shape[1], block[1]):
                ax.axvline(col - 0.5, color="black", linewidth=1.5)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig
