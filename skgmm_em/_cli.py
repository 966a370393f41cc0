"""Command-line interface: ``skgmm-em`` and ``python -m skgmm_em``.

Two commands: ``demo`` fits the EM lab report's mixture, ``fit`` fits a
mixture to the numeric columns of a CSV file and writes labels,
probabilities, the model and a picture.
"""

import argparse
import contextlib
import csv
import io
import math
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, get_tags

from ._files import FileRefusedError, read_bounded
from ._gaussian_mixture import GaussianMixture
from .datasets import LAB_MIXTURE, make_lab_mixture

_SPARK = " .:-=+*#%@"

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

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
    return X, out_names


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


class _LineTap(io.TextIOBase):
    """A stdout stand-in that hands every printed line to ``on_line``.

    The estimator and the selector have no progress callback; with
    ``verbose=1`` they print a line per EM iteration (``Iteration N``) and
    per fitted cell (``[step i/n] n_components=...``), which is enough to
    move a progress bar.
    """

    def __init__(self, on_line):
        self._on_line = on_line
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._on_line(line)
        return len(text)


_ITERATION = re.compile(r"Iteration (\d+)")
_CELL = re.compile(
    r"^\[(?P<step>.+?) (?P<done>\d+)/(?P<total>\d+)\] "
    r"n_components=(?P<k>\d+), covariance_type='(?P<type>\w+)'"
)


class Progress:
    """Progress of a fit on ``stream`` (the CLI passes ``sys.stderr``).

    On a terminal, one bar redrawn in place with carriage returns: over
    restarts x EM iterations for a plain fit, over the cells of each step
    of a model selection. Otherwise plain lines: one per restart, or the
    selector's line per fitted cell.

    Parameters
    ----------
    stream : file-like
        Where to write.
    n_restarts : int
        The number of restarts of a plain fit.
    max_iter : int
        The EM iteration budget of one restart.
    enabled : bool, default=True
        When False, nothing is written.
    """

    _WIDTH = 24
    _INTERVAL = 0.1

    def __init__(self, stream, n_restarts, max_iter, enabled=True):
        self.stream = stream
        self.n_restarts = n_restarts
        self.max_iter = max_iter
        self.enabled = enabled
        self.tty = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self._done = 0
        self._drawn = 0.0
        self._length = 0

    @contextlib.contextmanager
    def restart(self, label):
        """Report one restart; inside the block, EM iterations move the bar."""
        if not self.tty:
            yield
            return

        def on_line(line):
            match = _ITERATION.search(line)
            if match:
                n_iter = int(match.group(1))
                self._bar(
                    self._done * self.max_iter + n_iter,
                    self.n_restarts * self.max_iter,
                    f"{label}, iteration {n_iter}/{self.max_iter}",
                )

        on_line("Iteration 0")
        with contextlib.redirect_stdout(_LineTap(on_line)):
            yield

    def finished(self, label, model):
        """Count a finished restart and report its outcome."""
        self._done += 1
        if not self.enabled:
            return
        state = "converged" if model.converged_ else "did not converge"
        outcome = f"{label}: {model.n_iter_} iterations, {state}"
        if self.tty:
            total = self.n_restarts * self.max_iter
            self._bar(self._done * self.max_iter, total, outcome, force=True)
        else:
            self._line(f"{outcome}, lower bound {model.lower_bound_:.6g}")

    @contextlib.contextmanager
    def selection(self):
        """Report a model selection run with ``verbose=1`` in the block."""
        if not self.enabled:
            yield
            return

        def on_line(line):
            if not self.tty:
                self._line(line)
                return
            match = _CELL.search(line)
            if match:
                done, total = int(match["done"]), int(match["total"])
                self._bar(
                    done,
                    total,
                    f"{match['step']} {done}/{total}: k={match['k']} {match['type']}",
                    force=done == total,
                )

        with contextlib.redirect_stdout(_LineTap(on_line)):
            yield

    def close(self):
        """End the bar's line."""
        if self.tty and self._length:
            self.stream.write("\n")
            self.stream.flush()
            self._length = 0

    def _line(self, text):
        print(text, file=self.stream, flush=True)

    def _bar(self, done, total, status, force=False):
        now = time.monotonic()
        if not force and now - self._drawn < self._INTERVAL:
            return
        self._drawn = now
        total = max(total, 1)
        done = min(done, total)
        filled = round(self._WIDTH * done / total)
        bar = "#" * filled + "." * (self._WIDTH - filled)
        text = f"[{bar}] {100 * done // total:3d}%  {status}"
        text = text[: max(shutil.get_terminal_size().columns - 1, 20)]
        # Pad with spaces to wipe the end of a longer previous line.
        self.stream.write("\r" + text.ljust(self._length))
        self.stream.flush()
        self._length = len(text)


# ----------------------------------------------------------------------
# fit: the EM runs

#: Defaults of a plain fit (the estimator's); ``auto`` uses the selector's.
FIT_DEFAULTS = {"n_init": 1, "tol": 1e-3, "max_iter": 100}


def fit_restarts(X, options, progress):
    """Fit ``options.n_init`` restarts one by one and keep the best.

    All restarts draw from one random generator seeded with
    ``options.random_state``, as the estimator's own ``n_init`` loop does,
    and a tie keeps the earlier run, so the kept model equals
    ``GaussianMixture(n_components, ..., n_init=options.n_init,
    random_state=options.random_state).fit(X)``, parameters included.
    """
    random_state = check_random_state(options.random_state)
    best = None
    for restart in range(options.n_init):
        label = f"restart {restart + 1}/{options.n_init}"
        gm = GaussianMixture(
            options.n_components,
            covariance_type=options.covariance_type,
            tol=options.tol,
            reg_covar=options.reg_covar,
            max_iter=options.max_iter,
            random_state=random_state,
            verbose=1 if progress.tty else 0,
            verbose_interval=1,
        )
        with progress.restart(label), warnings.catch_warnings():
            # Only the kept run's convergence matters; fit_command reports it.
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm.fit(X)
        progress.finished(label, gm)
        # The estimator's rule: a gain within rounding (1e-12) is a tie, and
        # a tie keeps the earlier run.
        if best is None or gm.lower_bound_ > best.lower_bound_ + 1e-12 * max(
            1.0, abs(best.lower_bound_)
        ):
            best = gm
    return best.set_params(
        n_init=options.n_init,
        random_state=options.random_state,
        verbose=0,
        verbose_interval=10,
    )


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


def select_model(X, options, progress, note):
    """Choose by BIC with :class:`~skgmm_em.model_selection.GaussianMixtureSelector`.

    ``auto`` in ``options.n_components`` tries 1 to ``AUTO_MAX_COMPONENTS``
    components (at most one per row), ``auto`` in ``options.covariance_type``
    the four types. Returns the selector, fitted.
    """
    from .model_selection import COVARIANCE_TYPES as types
    from .model_selection import GaussianMixtureSelector

    n_components = options.n_components
    if n_components == "auto":
        n_components = range(1, min(AUTO_MAX_COMPONENTS, len(X)) + 1)
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
        verbose=int(progress.enabled),
        **given,
    )
    with progress.selection(), _warnings_as_notes(ConvergenceWarning, note):
        selector.fit(X)
    return selector


# ----------------------------------------------------------------------
# fit: output


def _components(k):
    return f"{k} component" + ("s" if k != 1 else "")


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
    headers = [f"mean {name}" for name in names]
    widths = [max(10, len(header)) for header in headers]
    print(
        "component  weight  "
        + "  ".join(f"{h:>{w}}" for h, w in zip(headers, widths, strict=True)),
        file=out,
    )
    for k in range(model.n_components):
        means = "  ".join(
            f"{m:>{w}.6g}" for m, w in zip(model.means_[k], widths, strict=True)
        )
        print(f"{k:>9}  {model.weights_[k]:.4f}  {means}", file=out)
    print(
        f"log-likelihood: {log_likelihood:.6g} (mean per row {log_likelihood / n:.6g})",
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


def _write_labels(model, X, path):
    resp = model.predict_proba(X)
    labels = model.predict(X)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["label", *(f"p{k}" for k in range(resp.shape[1]))])
        for label, row in zip(labels, resp, strict=True):
            writer.writerow([int(label), *(repr(float(p)) for p in row)])


def _write_model(model, path, note):
    from .persistence import save

    # save warns about parameters a model file cannot hold (such as the
    # model selector's initializer); the model itself is written.
    with _warnings_as_notes(UserWarning, note):
        save(model, path)


def _write_plot(model, X, names, path):
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
    fig.savefig(path, dpi=100)


# ----------------------------------------------------------------------
# fit: the command


def _check_output_path(path, option):
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: the folder {parent} does not exist")
    if Path(path).is_dir():
        raise InputError(f"{option} {path} is a folder, not a file")


def fit_command(options, out=None, err=None):
    """Run ``skgmm-em fit`` with parsed ``options``; returns the fitted model."""
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
    if wants_plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError(
                "--plot needs matplotlib; install the plot extra: "
                'pip install "skgmm_em[plot]"'
            ) from None
    for option, path in (
        ("--out", options.out),
        ("--model", options.model),
        ("--plot", options.plot),
    ):
        if path is not None:
            _check_output_path(path, option)

    allow_nan = get_tags(GaussianMixture()).input_tags.allow_nan
    X, names = read_csv(options.data, options.columns, allow_nan, note)
    flush_notes()
    n_rows = X.shape[0]
    if n_rows < 2:
        raise InputError(f"{options.data} has {n_rows} data row; at least 2 needed")
    if options.n_components != "auto" and n_rows < options.n_components:
        raise InputError(
            f"{options.data} has {n_rows} rows, fewer than --n-components "
            f"{options.n_components}"
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

    progress = Progress(
        err, options.n_init or 1, options.max_iter or 1, not options.quiet
    )
    table = None
    try:
        if auto:
            selector = select_model(X, options, progress, note)
            model = selector.best_estimator_
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
            model = fit_restarts(X, options, progress)
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
    try:
        if options.out is not None:
            _write_labels(model, X, options.out)
        if options.model is not None:
            _write_model(model, options.model, note)
        if wants_plot:
            _write_plot(model, X, names, options.plot)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
    finally:
        flush_notes()
    return model


# ----------------------------------------------------------------------
# argument parsing


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised, not exited."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


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
    parser = _Parser(prog="skgmm-em", description="Gaussian mixture models fit by EM.")
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
        help="draw the data and the ellipses of the first two columns",
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
