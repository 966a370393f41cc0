"""Checks of ``skgmm-em fit``'s command line before any work is done."""

import os
from pathlib import Path

import numpy as np

from ._messages import InputError


def plot_format(path):
    """The image format of ``--plot path``, from its extension."""
    from matplotlib.backend_bases import FigureCanvasBase

    # pgf needs a LaTeX installation; every other format is matplotlib's own
    # or Pillow's (a dependency of matplotlib).
    formats = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        got = f"unknown image format {suffix!r}" if suffix else "no file extension"
        raise InputError(
            f"--plot {path}: {got}; the extension names the format, one of "
            + ", ".join("." + f for f in formats)
        )
    return suffix


def _check_output_path(path, option):
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise InputError(f"{option} {path} is a folder, not a file")
    if not target.parent.is_dir():
        raise InputError(f"{option} {path}: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: the folder {target.parent} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(f"{option} {path} exists and is not writable")


def _same_file(a, b):
    """Whether paths ``a`` and ``b`` name one file (through links too)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_outputs(options):
    """Refuse output paths that cannot be written, or name the input or each other."""
    outputs = [
        (option, path)
        for option, path in (
            ("--out", options.out),
            ("--model", options.model),
            ("--plot", options.plot),
        )
        if path is not None
    ]
    for option, path in outputs:
        _check_output_path(path, option)
        if _same_file(path, options.data):
            raise InputError(
                f"{option} {path} is the input file {options.data}; writing it "
                "would destroy the data, choose another name"
            )
    for i, (option, path) in enumerate(outputs):
        for other_option, other_path in outputs[i + 1 :]:
            if _same_file(path, other_path):
                raise InputError(
                    f"{option} {path} and {other_option} {other_path} are the "
                    "same file; give each output its own name"
                )


def n_distinct_rows(X):
    """Number of distinct rows of X, a missing value equal to another."""
    filled = np.where(np.isnan(X), np.inf, X)
    return len(np.unique(filled, axis=0))
