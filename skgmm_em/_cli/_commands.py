"""``skgmm-em fit``: fit a mixture to a CSV file, print it, write its outputs."""

import argparse
import copy
import sys
from typing import NamedTuple

import numpy as np
from sklearn.utils import get_tags

from .._gaussian_mixture import GaussianMixture
from ._checks import check_outputs, n_distinct_rows, plot_format
from ._csv import read_csv
from ._fitting import (
    FIT_DEFAULTS,
    SELECTIONS,
    chosen_model,
    fit_mixture,
    select_model,
)
from ._messages import FitError, InputError
from ._outputs import WriteError, write_all, write_labels, write_model, write_plot
from ._progress_bar import Progress
from ._summary import summary


def fit_command(options, out=None, err=None):
    """Run ``skgmm-em fit`` with parsed ``options``; returns the fitted model.

    Every argument is checked before the fit, and nothing is written when
    one is wrong (:class:`InputError`) or the fit fails (:class:`FitError`).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    note = _Notes(err, options.quiet)
    data = _read_data(options, note)
    auto = options.n_components == "auto" or options.covariance_type in SELECTIONS
    if not auto:
        settings = vars(options).copy()
        for name, value in FIT_DEFAULTS.items():
            if settings[name] is None:
                settings[name] = value
        options = argparse.Namespace(**settings)
    model, table = _fit(data, options, auto, err, note)
    if not options.quiet:
        summary(model, data.X, data.names, options.data, table, out)
    return _write_outputs(model, data, options, note)


class _Notes:
    """The notes of a command, held back while the progress bar may be on screen."""

    def __init__(self, err, quiet):
        self.err = err
        self.quiet = quiet
        self._held = []

    def __call__(self, message):
        self._held.append(message)

    def flush(self):
        """Print the notes held so far (none with ``--quiet``)."""
        for message in self._held if not self.quiet else ():
            print(f"skgmm-em: note: {message}", file=self.err)
        self._held.clear()


class _Data(NamedTuple):
    """The CSV file's data and what the command knows of it before fitting."""

    X: np.ndarray
    names: list
    header: bool
    n_distinct: int
    image_format: str | None


def _read_data(options, note):
    """Check the outputs, read the CSV file and check it fits the options."""
    wants_plot = options.plot is not None
    image_format = None
    if wants_plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError(
                "--plot needs matplotlib; install the plot extra: "
                'pip install "skgmm_em[plot]"'
            ) from None
        image_format = plot_format(options.plot)
    check_outputs(options)

    allow_nan = get_tags(GaussianMixture()).input_tags.allow_nan
    X, names, header = read_csv(options.data, options.columns, allow_nan, note)
    note.flush()
    n_rows = X.shape[0]
    if n_rows < 2:
        raise InputError(f"{options.data} has {n_rows} data row; at least 2 needed")
    n_distinct = n_distinct_rows(X)
    if options.n_components != "auto" and n_distinct < options.n_components:
        rows = f"{n_rows} rows" + (
            f" ({n_distinct} distinct)" if n_distinct < n_rows else ""
        )
        raise InputError(
            f"--n-components {options.n_components}: {options.data} has {rows}, "
            f"too few for {options.n_components} components; use at most "
            f"{n_distinct}"
        )
    if wants_plot and X.shape[1] < 2:
        raise InputError("--plot needs at least two numeric columns")
    return _Data(X, names, header, n_distinct, image_format)


def _fit(data, options, auto, err, note):
    """The fitted model, and the BIC of every cell tried with ``auto`` (or None)."""
    progress = Progress(err, not options.quiet)
    table = None
    try:
        if auto:
            selector = select_model(data.X, options, progress, note, data.n_distinct)
            model = chosen_model(selector, options)
            results = selector.results_
            table = {
                (int(k), str(t)): float(value)
                for k, t, value in zip(
                    results["n_components"],
                    results["covariance_type"],
                    results["bic"],
                    strict=True,
                )
            }
        else:
            model = fit_mixture(data.X, options, progress)
            if not model.converged_:
                note(
                    f"EM did not converge in --max-iter {options.max_iter} "
                    "iterations; raise --max-iter or --tol"
                )
    except ValueError as exc:
        raise FitError(str(exc)) from None
    finally:
        progress.close()
        note.flush()
    return model, table


def _write_outputs(model, data, options, note):
    """Write the files the options ask for, all or none; returns the model."""
    X, names = data.X, data.names
    writers = []
    if options.out is not None:
        labels, resp = model.predict(X), model.predict_proba(X)
        writers.append((options.out, lambda p: write_labels(labels, resp, p)))
    if data.image_format is not None:
        fitted = model
        writers.append(
            (
                options.plot,
                lambda p: write_plot(fitted, X, names, p, data.image_format),
            )
        )
    # The model file carries the CSV's column names, so that the model
    # checks them when it predicts a DataFrame of the file.
    if data.header and len(set(names)) == len(names):
        model = copy.copy(model)
        model.feature_names_in_ = np.asarray(names, dtype=object)
    if options.model is not None:
        writers.append((options.model, lambda p: write_model(model, p, note)))
    try:
        write_all(writers)
    except WriteError as exc:
        raise InputError(str(exc)) from None
    finally:
        note.flush()
    return model
