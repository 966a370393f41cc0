"""Command-line interface: ``skgmm-em`` and ``python -m skgmm_em``.

Two commands: ``demo`` fits the EM lab report's mixture, ``fit`` fits a
mixture to the numeric columns of a CSV file and writes labels,
probabilities, the model and a picture.
"""

import argparse
import contextlib
import copy
import csv
import io
import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags

from . import _progress
from ._covariance import COVARIANCE_TYPES
from ._files import read_bounded
from ._gaussian_mixture import GaussianMixture
from .datasets import LAB_MIXTURE, make_lab_mixture
from .exceptions import FileRefusedError

_SPARK = " .:-=+*#%@"


#: The largest number of components ``--n-components auto`` tries.
AUTO_MAX_COMPONENTS = 10


class InputError(Exception):
    """Bad command-line input: reported as one line on stderr, exit status 2."""


class FitError(Exception):
    """The estimator could not fit the data: one line on stderr, exit status 1."""


def _sparkline(values, width=40):
    """A one-line text picture of a curve."""
    values = np.asarray(values, dtype=float)
    if values.size > width:
        values = values[np.linspace(0, values.size - 1, width).round().astype(int)]
    low, high = values.min(), values.max()
    scaled = np.zeros_like(values) if high == low else (values - low) / (high - low)
    return "".join(_SPARK[int(round(s * (len(_SPARK) - 1)))] for s in scaled)


def _fmt(array):
    return np.array2string(np.asarray(array), precision=4, suppress_small=True)


# ----------------------------------------------------------------------
# demo


def demo(n_samples=2000, random_state=0, out=None):
    """Fit the lab report's mixture and print true vs estimated parameters."""
    out = out or sys.stdout
    X, _ = make_lab_mixture(n_samples, random_state=random_state)
    # The lab report's start: weights (1/3, 2/3), means (1, 2) and (2, 1),
    # identity covariances.
    gm = GaussianMixture(
        2,
        weights_init=[1 / 3, 2 / 3],
        means_init=[[1.0, 2.0], [2.0, 1.0]],
        precisions_init=np.stack([np.eye(2)] * 2),
        tol=1e-8,
        max_iter=500,
        random_state=random_state,
    ).fit(X)
    # Match each true component to the nearest estimated one.
    order = [
        int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1)))
        for m in LAB_MIXTURE["means"]
    ]
    print(
        f"skgmm_em demo: the EM lab report's mixture, {n_samples} samples "
        f"(random_state={random_state})",
        file=out,
    )
    print("", file=out)
    for k, j in enumerate(order):
        print(f"component {k}", file=out)
        rows = [
            ("weight", LAB_MIXTURE["weights"][k], gm.weights_[j]),
            ("mean", LAB_MIXTURE["means"][k], gm.means_[j]),
            ("covariance", LAB_MIXTURE["covariances"][k], gm.covariances_[j]),
        ]
        for name, true, est in rows:
            true_lines = _fmt(true).splitlines()
            est_lines = _fmt(est).splitlines()
            for i, (t, e) in enumerate(zip(true_lines, est_lines, strict=True)):
                label = name if i == 0 else ""
                print(f"  {label:<11} true {t:<20} estimated {e}", file=out)
    ll = gm.history_["log_likelihood"]
    print("", file=out)
    print(
        f"EM iterations: {gm.n_iter_} (converged: {gm.converged_}); mean "
        f"log-likelihood {ll[0]:.4f} -> {ll[-1]:.4f}",
        file=out,
    )
    print(f"log-likelihood curve: [{_sparkline(ll)}]", file=out)
    changes = {k: v[-1] for k, v in gm.history_.items() if k != "log_likelihood"}
    print(
        "last changes: "
        + ", ".join(f"{k.replace('_change', '')} {v:.2e}" for k, v in changes.items()),
        file=out,
    )
    return gm


# ----------------------------------------------------------------------
# fit: reading the CSV file


#: The largest CSV file ``fit`` reads (1 GiB): its rows are held as text.
MAX_CSV_BYTES = 2**30

#: Cells read as missing values, whatever their case (as well as "nan").
MISSING_CELLS = frozenset({"", "na", "n/a", "null"})


def _is_missing(text):
    return text.lower() in MISSING_CELLS


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _value(text):
    return math.nan if _is_missing(text) else float(text)


def _column_name(names, j):
    return repr(names[j]) if names is not None else f"{j}"


def read_csv(path, columns=None, allow_nan=False, note=None):
    """Read the numeric columns of a CSV file.

    The first row is a header when any of its non-empty fields is not a
    number. Columns are picked by ``columns`` (header names or 0-based
    indices, in that order of preference); columns with a non-numeric cell
    are dropped with a note. Empty cells, ``nan``, ``NA``, ``N/A`` and
    ``null`` (any case) are missing values (NaN), refused unless
    ``allow_nan``, and noted; infinite values are always refused.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file, comma-separated, UTF-8 (a byte-order mark is allowed).
    columns : list of str, default=None
        The columns to use, by name or index; all columns when None.
    allow_nan : bool, default=False
        Whether missing values are passed on as NaN.
    note : callable, default=None
        Called with a one-line message for every dropped column and for
        missing values.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns)
        The data, float64.
    names : list of str
        The names of the columns of ``X`` (their indices as text without a
        header).
    header : bool
        Whether the file has a header row.

    Raises
    ------
    InputError
        When the file cannot be read or holds no usable data.
    """
    note = note or (lambda message: None)
    try:
        # A regular file only, and within the limit: a FIFO or a device
        # (/dev/zero) is refused at once rather than read forever.
        raw = read_bounded(path, MAX_CSV_BYTES, option="file")
        with io.TextIOWrapper(io.BytesIO(raw), newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            rows, lines = [], []
            for row in reader:
                if any(c.strip() for c in row):
                    rows.append(row)
                    lines.append(reader.line_num)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a CSV file") from None
    except FileRefusedError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if not rows:
        raise InputError(f"{path} is empty")

    names = None
    first = [c.strip() for c in rows[0]]
    if any(not _is_missing(c) and not _is_number(c) for c in first):
        names, rows, lines = first, rows[1:], lines[1:]
        if not rows:
            raise InputError(f"{path} has a header but no data rows")
    width = len(names) if names is not None else len(rows[0])
    for line, row in zip(lines, rows, strict=True):
        if len(row) != width:
            raise InputError(
                f"{path}, line {line}: {len(row)} fields where the first row "
                f"has {width}"
            )

    if columns is None:
        picked = list(range(width))
    else:
        picked = [_pick_column(token, names, width) for token in columns]
        duplicated = {j for j in picked if picked.count(j) > 1}
        if duplicated:
            raise InputError(
                f"--columns names column {_column_name(names, min(duplicated))} twice"
            )

    numeric, values = [], []
    for j in picked:
        column = [row[j].strip() for row in rows]
        present = [c for c in column if not _is_missing(c)]
        bad = next((c for c in present if not _is_number(c)), None)
        if bad is not None:
            note(f"dropped the non-numeric column {_column_name(names, j)} ({bad!r})")
        elif not present:
            note(f"dropped the empty column {_column_name(names, j)}")
        else:
            numeric.append(j)
            values.append([_value(c) for c in column])
    if not numeric:
        raise InputError(f"{path} has no numeric column to fit")

    # Rows in C order, as from any other reader (np.loadtxt, pandas).
    X = np.ascontiguousarray(np.array(values, dtype=np.float64).T)
    for refused, what in (
        (np.isinf(X), "infinite values are not supported"),
        (np.isnan(X) if not allow_nan else None, "missing values are not supported"),
    ):
        if refused is not None and refused.any():
            i, j = np.argwhere(refused)[0]
            raise InputError(
                f"{path}, line {lines[i]}, column {_column_name(names, numeric[j])}: "
                f"{what} ({np.count_nonzero(refused)} cell(s)); remove or fill them"
            )
    n_missing = int(np.count_nonzero(np.isnan(X)))
    if n_missing:
        n_rows = int(np.count_nonzero(np.isnan(X).any(axis=1)))
        note(
            f"{n_missing} missing value(s) in {n_rows} row(s): EM uses the "
            "observed values of those rows"
        )
    out_names = [names[j] if names is not None else str(j) for j in numeric]
    return X, out_names, names is not None


def _pick_column(token, names, width):
    """The index of the column named by ``token`` (a header name or an index)."""
    if names is not None and token in names:
        if names.count(token) > 1:
            raise InputError(f"the header has more than one column named {token!r}")
        return names.index(token)
    try:
        j = int(token)
    except ValueError:
        if names is None:
            raise InputError(
                f"--columns {token!r}: the file has no header, so columns are "
                f"picked by 0-based index (0 to {width - 1})"
            ) from None
        raise InputError(
            f"--columns {token!r}: no such column; the header has "
            + ", ".join(repr(n) for n in names)
        ) from None
    if not 0 <= j < width:
        raise InputError(
            f"--columns {token!r}: index out of range, the file has {width} "
            f"column(s) (0 to {width - 1})"
        )
    return j


# ----------------------------------------------------------------------
# fit: progress


class Progress:
    """Progress of a fit on ``stream``, drawn from the fit's progress events.

    A listener for :func:`skgmm_em._progress.listening`: the estimator and
    the model selector report restarts, EM iterations and fitted models,
    and this draws them. On a terminal, one bar redrawn in place with
    carriage returns, which never moves back: over restarts x EM iterations
    for a plain fit, over the steps of a model selection (the later steps
    improve the fits from other starts). Otherwise plain lines: one per
    restart, or one per model tried, with its criterion after its first
    starts (the summary has the final values).

    Parameters
    ----------
    stream : file-like
        Where to write (the command line passes ``sys.stderr``).
    enabled : bool, default=True
        When False, nothing is written.
    """

    _WIDTH = 24
    _INTERVAL = 0.1

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self._fraction = 0.0
        self._drawn = 0.0
        self._length = 0
        self._restart = self._n_restarts = self._max_iter = 0
        self._step = None

    def __call__(self, event):
        if not self.enabled:
            return
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    # plain fit: restarts of GaussianMixture.fit

    def _on_RestartStarted(self, event):
        self._restart, self._n_restarts = event.restart, event.n_restarts
        self._max_iter = max(event.max_iter, 1)
        self._bar(self._restart / self._n_restarts, self._restart_label(), force=True)

    def _on_IterationDone(self, event):
        fraction = (self._restart + event.n_iter / self._max_iter) / self._n_restarts
        self._bar(
            fraction,
            f"{self._restart_label()}, iteration {event.n_iter}/{event.max_iter}",
        )

    def _on_RestartFinished(self, event):
        state = "converged" if event.converged else "did not converge"
        outcome = (
            f"{self._restart_label()}: {event.n_iter} iterations, {state}, mean "
            f"log-likelihood {event.lower_bound:.4f}"
        )
        if self.tty:
            self._bar((self._restart + 1) / self._n_restarts, outcome, force=True)
        else:
            self._line(outcome)

    def _restart_label(self):
        return f"restart {self._restart + 1}/{self._n_restarts}"

    # model selection: GaussianMixtureSelector.fit

    def _on_StepStarted(self, event):
        self._step = event
        self._bar(event.share_before, "choosing the model", force=True)

    def _on_CellFitted(self, event):
        model = f"k={event.n_components} {event.covariance_type}"
        if event.usable:
            outcome = f"{model}: {event.criterion.upper()} {event.value:.2f}"
            if not event.first:
                outcome = f"improving the fits: {outcome}"
        else:
            outcome = f"{model}: no usable fit (a component collapsed)"
        if self.tty:
            step = self._step
            share = step.share_before + (step.share_after - step.share_before) * (
                event.done / max(step.n_cells, 1)
            )
            self._bar(share, outcome, force=event.done == step.n_cells)
        elif event.first:
            self._line(outcome)

    def _on_SelectionFinished(self, event):
        self._bar(
            1.0,
            f"chose k={event.n_components} {event.covariance_type}",
            force=True,
        )

    # drawing

    def close(self):
        """End the bar's line."""
        if self.tty and self._length:
            self.stream.write("\n")
            self.stream.flush()
            self._length = 0

    def _line(self, text):
        print(text, file=self.stream, flush=True)

    def _bar(self, fraction, status, force=False):
        if not self.tty:
            return
        self._fraction = max(self._fraction, min(fraction, 1.0))
        now = time.monotonic()
        if not force and now - self._drawn < self._INTERVAL:
            return
        self._drawn = now
        filled = round(self._WIDTH * self._fraction)
        bar = "#" * filled + "." * (self._WIDTH - filled)
        text = f"[{bar}] {math.floor(100 * self._fraction):3d}%  {status}"
        text = text[: max(shutil.get_terminal_size().columns - 1, 20)]
        # Pad with spaces to wipe the end of a longer previous line.
        self.stream.write("\r" + text.ljust(self._length))
        self.stream.flush()
        self._length = len(text)


# ----------------------------------------------------------------------
# fit: the EM runs

#: Defaults of a plain fit (the estimator's); ``auto`` uses the selector's.
FIT_DEFAULTS = {"n_init": 1, "tol": 1e-3, "max_iter": 100}


@contextlib.contextmanager
def _warnings_as_notes(category, note):
    """Report the warnings of ``category`` raised in the block as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", category)
        yield
    for warning in caught:
        if issubclass(warning.category, category):
            note(str(warning.message))
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def fit_mixture(X, options, progress):
    """``GaussianMixture(...).fit(X)`` with the options, reporting to ``progress``.

    The model equals ``GaussianMixture(n_components, covariance_type=...,
    n_init=..., random_state=...).fit(X)``, parameters included.
    """
    gm = GaussianMixture(
        options.n_components,
        covariance_type=options.covariance_type,
        tol=options.tol,
        reg_covar=options.reg_covar,
        max_iter=options.max_iter,
        n_init=options.n_init,
        random_state=options.random_state,
    )
    with _progress.listening(progress), warnings.catch_warnings():
        # fit_command reports non-convergence in the command's own terms.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X)


def select_model(X, options, progress, note, n_distinct):
    """Choose by BIC with :class:`~skgmm_em.model_selection.GaussianMixtureSelector`.

    ``auto`` in ``options.n_components`` tries 1 to ``AUTO_MAX_COMPONENTS``
    components (at most one per distinct row), ``auto`` in
    ``options.covariance_type`` the four types. Returns the selector, fitted.
    """
    types = COVARIANCE_TYPES
    from .model_selection import GaussianMixtureSelector

    n_components = options.n_components
    if n_components == "auto":
        n_components = range(1, min(AUTO_MAX_COMPONENTS, n_distinct) + 1)
    covariance_type = options.covariance_type
    if covariance_type == "auto":
        covariance_type = types
    given = {
        name: getattr(options, name)
        for name in FIT_DEFAULTS
        if getattr(options, name) is not None
    }
    selector = GaussianMixtureSelector(
        n_components,
        covariance_type=covariance_type,
        criterion="bic",
        reg_covar=options.reg_covar,
        random_state=options.random_state,
        **given,
    )
    with _progress.listening(progress), _warnings_as_notes(ConvergenceWarning, note):
        selector.fit(X)
    return selector


def chosen_model(selector, options):
    """The selector's chosen fit as a plain ``GaussianMixture``.

    The selector's own model carries the winning start as constructor
    arguments (``means_init``, ``precisions_init``, a drawn
    ``random_state``, the selector's ``tol`` and ``max_iter``). This one
    has the parameters a user would write, ``GaussianMixture(k,
    covariance_type=..., random_state=SEED)`` with the options given on
    the command line, and the chosen fit's fitted state, so it predicts
    exactly as the selector does.
    """
    best = selector.best_estimator_
    given = {
        name: getattr(options, name)
        for name in FIT_DEFAULTS
        if getattr(options, name) is not None
    }
    model = GaussianMixture(
        best.n_components,
        covariance_type=best.covariance_type,
        reg_covar=options.reg_covar,
        random_state=options.random_state,
        **given,
    )
    for name, value in vars(best).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(model, name, value)
    return model


# ----------------------------------------------------------------------
# fit: output


def _components(k):
    return f"{k} component" + ("s" if k != 1 else "")


def _decimals(spread):
    """Decimals that show three significant digits of ``spread``."""
    if not (math.isfinite(spread) and spread > 0):
        return 4
    return max(0, 2 - math.floor(math.log10(spread)))


def _summary(model, X, names, source, table, out):
    n = X.shape[0]
    log_likelihood = float(model.score(X)) * n
    print(f"{source}: {n} rows, columns {', '.join(names)}", file=out)
    how = f" (lowest BIC of {len(table)} candidates)" if table else ""
    print(
        f"model: {_components(model.n_components)}, covariance_type "
        f"{model.covariance_type!r}{how}",
        file=out,
    )
    if table:
        _bic_table(table, model, out)
    # Means to three significant digits of each column's spread: their
    # uncertainty is a fraction of it, and float noise (0.245999) is hidden.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
        spreads = np.nanstd(X, axis=0)
    decimals = [_decimals(float(s)) for s in spreads]
    headers = [f"mean {name}" for name in names]
    widths = [max(10, len(header)) for header in headers]
    print(
        "component  weight  "
        + "  ".join(f"{h:>{w}}" for h, w in zip(headers, widths, strict=True)),
        file=out,
    )
    for k in range(model.n_components):
        means = "  ".join(
            f"{m:>{w}.{d}f}"
            for m, w, d in zip(model.means_[k], widths, decimals, strict=True)
        )
        print(f"{k:>9}  {model.weights_[k]:6.3f}  {means}", file=out)
    print(
        f"log-likelihood: {log_likelihood:.2f} (mean per row {log_likelihood / n:.4f})",
        file=out,
    )
    print(f"BIC: {model.bic(X):.2f}", file=out)
    print(f"iterations: {model.n_iter_} (converged: {model.converged_})", file=out)


def _bic_table(table, model, out):
    ks = sorted({k for k, _ in table})
    types = [t for t in COVARIANCE_TYPES if any((k, t) in table for k in ks)]
    print("BIC      " + "".join(f"{t:>13}" for t in types), file=out)
    for k in ks:
        cells = []
        for t in types:
            value = table.get((k, t), math.nan)
            mark = "*" if (k, t) == (model.n_components, model.covariance_type) else " "
            cells.append(f"{value:>12.2f}{mark}")
        print((f"k={k:<6} " + "".join(cells)).rstrip(), file=out)


def _write_labels(labels, resp, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["label", *(f"p{k}" for k in range(resp.shape[1]))])
        for label, row in zip(labels, resp, strict=True):
            writer.writerow([int(label), *(repr(float(p)) for p in row)])


def _write_model(model, path, note):
    from .persistence import save

    # save warns about parameters a model file cannot hold; the model itself
    # is written.
    with _warnings_as_notes(UserWarning, note):
        save(model, path)


def _write_plot(model, X, names, path, plot_format):
    from matplotlib.figure import Figure

    from .plotting import plot_ellipses

    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    plot_ellipses(model, X, ax=ax, features=(0, 1))
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(
        f"{_components(model.n_components)}, {model.covariance_type} covariances"
    )
    fig.savefig(path, dpi=100, format=plot_format)


# ----------------------------------------------------------------------
# fit: checking the command line before any work


def _plot_format(path):
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


def _check_outputs(options):
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


def _n_distinct_rows(X):
    """Number of distinct rows of X, a missing value equal to another."""
    filled = np.where(np.isnan(X), np.inf, X)
    return len(np.unique(filled, axis=0))


# ----------------------------------------------------------------------
# fit: writing the outputs, all or none


def _write_all(writers):
    """Write every output, or none: ``writers`` is ``[(path, write(path))]``.

    Each output is first written to a temporary file (next to a regular
    target, so that moving it into place is atomic), then the targets are
    replaced; when a write fails, the temporary files are removed and no
    regular file is changed. A target that is not a regular file (a device
    such as ``/dev/null``, a pipe) is written in place, after every
    temporary file succeeded.
    """
    staged = []  # (temporary path, target path, given path, in place)
    try:
        for path, write in writers:
            target = os.path.realpath(path)
            in_place = os.path.exists(target) and not os.path.isfile(target)
            folder = None if in_place else os.path.dirname(target)
            fd, temporary = tempfile.mkstemp(
                dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
            )
            os.close(fd)
            staged.append((temporary, target, path, in_place))
            try:
                write(temporary)
            except OSError as exc:
                raise _WriteError(path, exc) from None
        for temporary, target, path, in_place in staged:
            if in_place:
                try:
                    with open(temporary, "rb") as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                except OSError as exc:
                    raise _WriteError(path, exc) from None
        for temporary, target, path, in_place in staged:
            if not in_place:
                try:
                    mode = os.stat(target).st_mode if os.path.exists(target) else None
                    os.chmod(temporary, _new_file_mode() if mode is None else mode)
                    os.replace(temporary, target)
                except OSError as exc:
                    raise _WriteError(path, exc) from None
    finally:
        for temporary, *_ in staged:
            with contextlib.suppress(OSError):
                os.remove(temporary)


class _WriteError(Exception):
    def __init__(self, path, exc):
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write {path}: {reason}")


def _new_file_mode():
    """The permissions ``open(path, 'w')`` gives a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# ----------------------------------------------------------------------
# fit: the command


def fit_command(options, out=None, err=None):
    """Run ``skgmm-em fit`` with parsed ``options``; returns the fitted model.

    Every argument is checked before the fit, and nothing is written when
    one is wrong (:class:`InputError`) or the fit fails (:class:`FitError`).
    """
    out = out or sys.stdout
    err = err or sys.stderr

    notes = []

    def note(message):
        # Held back while the progress bar may be on screen.
        notes.append(message)

    def flush_notes():
        for message in notes if not options.quiet else ():
            print(f"skgmm-em: note: {message}", file=err)
        notes.clear()

    wants_plot = options.plot is not None
    plot_format = None
    if wants_plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError(
                "--plot needs matplotlib; install the plot extra: "
                'pip install "skgmm_em[plot]"'
            ) from None
        plot_format = _plot_format(options.plot)
    _check_outputs(options)

    allow_nan = get_tags(GaussianMixture()).input_tags.allow_nan
    X, names, header = read_csv(options.data, options.columns, allow_nan, note)
    flush_notes()
    n_rows = X.shape[0]
    if n_rows < 2:
        raise InputError(f"{options.data} has {n_rows} data row; at least 2 needed")
    n_distinct = _n_distinct_rows(X)
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

    auto = "auto" in (options.n_components, options.covariance_type)
    if not auto:
        settings = vars(options).copy()
        for name, value in FIT_DEFAULTS.items():
            if settings[name] is None:
                settings[name] = value
        options = argparse.Namespace(**settings)

    progress = Progress(err, not options.quiet)
    table = None
    try:
        if auto:
            selector = select_model(X, options, progress, note, n_distinct)
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
            model = fit_mixture(X, options, progress)
            if not model.converged_:
                note(
                    f"EM did not converge in --max-iter {options.max_iter} "
                    "iterations; raise --max-iter or --tol"
                )
    except ValueError as exc:
        raise FitError(str(exc)) from None
    finally:
        progress.close()
        flush_notes()

    if not options.quiet:
        _summary(model, X, names, options.data, table, out)
    writers = []
    if options.out is not None:
        labels, resp = model.predict(X), model.predict_proba(X)
        writers.append((options.out, lambda p: _write_labels(labels, resp, p)))
    if wants_plot:
        fitted = model
        writers.append(
            (options.plot, lambda p: _write_plot(fitted, X, names, p, plot_format))
        )
    # The model file carries the CSV's column names, so that the model
    # checks them when it predicts a DataFrame of the file.
    if header and len(set(names)) == len(names):
        model = copy.copy(model)
        model.feature_names_in_ = np.asarray(names, dtype=object)
    if options.model is not None:
        writers.append((options.model, lambda p: _write_model(model, p, note)))
    try:
        _write_all(writers)
    except _WriteError as exc:
        raise InputError(str(exc)) from None
    finally:
        flush_notes()
    return model


# ----------------------------------------------------------------------
# argument parsing


class _UsageError(Exception):
    pass


class _Exit(Exception):
    """``--help`` or ``--version`` was printed: exit with ``status``."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised, not exited."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")

    def exit(self, status=0, message=None):
        if message:
            self._print_message(message, sys.stderr)
        raise _Exit(status)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _n_components(text):
    if text == "auto":
        return text
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'auto', got {text!r}"
        ) from None


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32), got {value}")
    return value


def _column_list(text):
    columns = [c.strip() for c in text.split(",")]
    if not all(columns):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names or indices, got {text!r}"
        )
    return columns


def _build_parser():
    from . import __version__

    parser = _Parser(prog="skgmm-em", description="Gaussian mixture models fit by EM.")
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    p_demo = sub.add_parser(
        "demo", help="fit the EM lab report's mixture and show what EM recovers"
    )
    p_demo.add_argument("--n-samples", type=int, default=2000)
    p_demo.add_argument("--random-state", type=int, default=0)

    p_fit = sub.add_parser(
        "fit",
        help="fit a mixture to the numeric columns of a CSV file",
        description=(
            "Fit a Gaussian mixture to the numeric columns of a CSV file, print "
            "a summary, and optionally write labels and probabilities, the "
            "model as JSON, and a plot. The first row is a header when any of "
            "its fields is not a number."
        ),
    )
    p_fit.add_argument("data", help="the CSV file")
    p_fit.add_argument(
        "--n-components",
        type=_n_components,
        default=1,
        metavar="K|auto",
        help="number of components, or 'auto' for the lowest BIC over 1 to "
        f"{AUTO_MAX_COMPONENTS} (default: 1)",
    )
    p_fit.add_argument(
        "--covariance-type",
        choices=[*COVARIANCE_TYPES, "auto"],
        default="full",
        help="covariance type, or 'auto' for the lowest BIC over the four "
        "(default: full)",
    )
    p_fit.add_argument(
        "--columns",
        type=_column_list,
        metavar="A,B,...",
        help="the columns to fit, by header name or 0-based index "
        "(default: every numeric column)",
    )
    p_fit.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        metavar="SEED",
        help="random seed (default: 0)",
    )
    p_fit.add_argument(
        "--n-init",
        type=_positive_int,
        metavar="N",
        help="restarts; the best lower bound is kept (default: 1, or the "
        "model selector's default with auto)",
    )
    p_fit.add_argument(
        "--max-iter",
        type=_positive_int,
        metavar="N",
        help="EM iterations per restart (default: 100, or the model selector's "
        "default with auto)",
    )
    p_fit.add_argument(
        "--tol",
        type=_non_negative_float,
        help="stop when the mean log-likelihood changes by less (default: 1e-3, "
        "or the model selector's default with auto)",
    )
    p_fit.add_argument(
        "--reg-covar",
        type=_non_negative_float,
        metavar="R",
        default=1e-6,
        help="added to every variance (default: 1e-6)",
    )
    p_fit.add_argument(
        "--out", metavar="LABELS.csv", help="write label, p0, p1, ... per row"
    )
    p_fit.add_argument(
        "--model", metavar="MODEL.json", help="write the fitted model as JSON"
    )
    p_fit.add_argument(
        "--plot",
        metavar="PLOT.png",
        help="draw the data and the ellipses of the first two columns; the "
        "extension names the image format (.png, .pdf, .svg, ...)",
    )
    p_fit.add_argument(
        "--quiet",
        action="store_true",
        help="print nothing but errors (no progress, notes or summary)",
    )
    return parser


def main(argv=None):
    """Run the command line; returns the exit status.

    0 on success, 2 for bad arguments or input (a one-line message on
    stderr), 1 when EM cannot fit the data.
    """
    try:
        args = _build_parser().parse_args(argv)
        if args.command == "demo":
            if args.n_samples < 2:
                raise InputError("--n-samples must be at least 2")
            demo(args.n_samples, args.random_state)
        else:
            fit_command(args)
    except _Exit as exc:
        return exc.status
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"skgmm-em: error: {exc}", file=sys.stderr)
        return 2
    except FitError as exc:
        print(f"skgmm-em: error: fit failed: {exc}", file=sys.stderr)
        return 1
    return 0
