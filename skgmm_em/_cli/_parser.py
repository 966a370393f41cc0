"""The command line's parser: its options, and errors as one line."""

import argparse
import math
import sys

from .._covariance import ALL_COVARIANCE_TYPES, FULL
from ._fitting import AUTO_MAX_COMPONENTS, SELECTIONS


class UsageError(Exception):
    pass


class Exit(Exception):
    """``--help`` or ``--version`` was printed: exit with ``status``."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised, not exited."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")

    def exit(self, status=0, message=None):
        if message:
            self._print_message(message, sys.stderr)
        raise Exit(status)


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


def build_parser():
    """The parser of ``skgmm-em`` and its two commands."""
    from .. import __version__

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

    _add_fit_command(sub)
    return parser


def _add_fit_command(sub):
    """The ``fit`` command and its options, in the order --help lists them."""
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
    _add_model_arguments(p_fit)
    _add_em_arguments(p_fit)
    _add_output_arguments(p_fit)


def _add_model_arguments(p_fit):
    """What to fit: the model, the columns and the seed."""
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
        choices=[*ALL_COVARIANCE_TYPES, *SELECTIONS],
        default=FULL.name,
        metavar="TYPE|auto|mclust",
        help="covariance type (scikit-learn's four or mclust's fourteen names), "
        "or the lowest BIC over scikit-learn's four ('auto') or mclust's "
        f"fourteen ('mclust') (default: {FULL.name})",
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


def _add_em_arguments(p_fit):
    """How EM runs: restarts, iterations, tolerance, regularization."""
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


def _add_output_arguments(p_fit):
    """What the command writes."""
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
