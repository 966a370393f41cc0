"""How the command line reports trouble: its two errors, and warnings as notes."""

import contextlib
import warnings


class InputError(Exception):
    """Bad command-line input: reported as one line on stderr, exit status 2."""


class FitError(Exception):
    """The estimator could not fit the data: one line on stderr, exit status 1."""


@contextlib.contextmanager
def warnings_as_notes(category, note):
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
