"""Command-line interface: ``skgmm-em`` and ``python -m skgmm_em``.

Two commands: ``demo`` fits the EM lab report's mixture, ``fit`` fits a
mixture to the numeric columns of a CSV file and writes labels,
probabilities, the model and a picture.
"""

import sys

from ._commands import fit_command
from ._csv import MAX_CSV_BYTES, MISSING_CELLS, read_csv
from ._demo import demo
from ._fitting import AUTO_MAX_COMPONENTS, FIT_DEFAULTS
from ._messages import FitError, InputError
from ._parser import Exit, UsageError, build_parser
from ._progress_bar import Progress

__all__ = [
    "AUTO_MAX_COMPONENTS",
    "FIT_DEFAULTS",
    "MAX_CSV_BYTES",
    "MISSING_CELLS",
    "FitError",
    "InputError",
    "Progress",
    "demo",
    "fit_command",
    "main",
    "read_csv",
]


def main(argv=None):
    """Run the command line; returns the exit status.

    0 on success, 2 for bad arguments or input (a one-line message on
    stderr), 1 when EM cannot fit the data.
    """
    try:
        args = build_parser().parse_args(argv)
        if args.command == "demo":
            if args.n_samples < 2:
                raise InputError("--n-samples must be at least 2")
            demo(args.n_samples, args.random_state)
        else:
            fit_command(args)
    except Exit as exc:
        return exc.status
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"skgmm-em: error: {exc}", file=sys.stderr)
        return 2
    except FitError as exc:
        print(f"skgmm-em: error: fit failed: {exc}", file=sys.stderr)
        return 1
    return 0
