"""Save and load fitted mixtures as JSON, a model format that runs no code.

:func:`save` writes a fitted :class:`~skgmm_em.GaussianMixture` or
:class:`~skgmm_em.StudentMixture` to a JSON file and :func:`load` reads it
back; :func:`to_dict` and :func:`from_dict` do the same with the parsed
document, for callers that store it elsewhere (a database, a message).
Loading parses JSON with :func:`json.loads` and builds only one of these two
estimators and, by name, the built-in initializers: nothing in the file is
imported, unpickled or executed.

The document is a JSON object::

    {
      "format": "skgmm_em.model",
      "format_version": 1,
      "skgmm_em_version": "0.1.0",
      "estimator": "GaussianMixture",
      "params": {"n_components": 2, "covariance_type": "full", ...},
      "fitted": {
        "dtype": "float64",
        "n_features_in": 2,
        "feature_names_in": null,
        "weights": [...], "means": [...], "covariances": [...],
        "precisions_cholesky": [...],
        "converged": true, "n_iter": 7, "n_reseeds": 0,
        "lower_bound": -3.1, "lower_bounds": [...],
        "history": {"log_likelihood": [...], ...}
      }
    }

A ``StudentMixture`` is stored the same way, with ``"estimator":
"StudentMixture"``, its parameter ``dof`` among the ``"params"`` and its
degrees of freedom ``dofs_`` as ``"dofs"`` among the ``"fitted"`` arrays;
documents of a ``GaussianMixture`` are unchanged (the files of earlier
versions load as they did).

Arrays are nested lists of numbers; every number is written as Python's
shortest exact representation, so a round trip reproduces every bit of the
fitted arrays and therefore every prediction. ``precisions_`` is recomputed
from ``precisions_cholesky_`` on load; ``labels_`` (one label per training
sample) is not stored: ``predict`` on the training data reproduces it.
A model fitted with ``max_iter=0`` has no lower bound (``lower_bound_`` is
``-inf``, as in scikit-learn): it is written as ``null``, and its weights,
those of the start, may sum to less than one. A fit with a noise component
(``noise_component=True``) also has ``"noise": {"weight": ..., "log_volume":
...}`` in ``fitted``; its weight and ``weights`` sum to one.

Constructor parameters are stored when JSON can hold them. An initializer
instance of a built-in class is stored as its class name and parameters.
Anything else (a user-written initializer, a ``RandomState`` instance as
``random_state``, a non-finite float) is stored as ``{"not_stored": repr}``,
:func:`to_dict` warns about it, and loading restores the parameter's
default. Such parameters only matter for fitting again; predictions do not
depend on them.

:func:`load` reads a regular file only (a FIFO, a device or a link to one
is refused at once, without blocking), of at most ``max_bytes``
(:data:`DEFAULT_MAX_BYTES` unless told otherwise, refused from its size
before reading), and parses it only if its values take at most about ten
times its size in memory. Error messages quote at most a few dozen
characters of the file's content.

:func:`from_dict` (and so :func:`load`) refuses with a ``ValueError`` any
document that is not exactly what :func:`to_dict` writes: an unknown format
or version, missing or unexpected keys, values of the wrong type, arrays of
the wrong shape, NaN or infinite numbers, weights that are negative or do
not sum to one (at most one for a start), covariances that are not
symmetric positive definite, Cholesky factors that are not upper
triangular with a positive diagonal or that do not match the covariances;
constructor parameters that ``fit`` would refuse; fitted arrays outside
the range the kernels compute in (precision factors that overflow when
squared, means whose whitened distances to the mixture mean overflow). A
model that loads predicts finite values on data at its own scale.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from skgmm_em import GaussianMixture, load, save
>>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
>>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(gm, path)
>>> again = load(path)
>>> bool(np.array_equal(again.predict_proba(X), gm.predict_proba(X)))
True
"""

import json
import os

from .._files import read_bounded
from ._decode import from_dict
from ._encode import to_dict
from ._format import DEFAULT_MAX_BYTES, FORMAT, FORMAT_VERSION

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT",
    "FORMAT_VERSION",
    "from_dict",
    "load",
    "save",
    "to_dict",
]


# Parsing JSON builds a Python object per value: about 56 bytes per array or
# object and 32 per number (24 for the float, 8 for the reference to it). A
# document whose values would take more than this many times its own size
# (many tiny arrays, one-digit numbers) is refused before it is parsed; the
# files save() writes take 2 to 4 times.
_MAX_PARSE_FACTOR = 10


def save(model, path):
    """Write a fitted mixture to a JSON file.

    Parameters
    ----------
    model : GaussianMixture or StudentMixture
        A fitted mixture.
    path : str or os.PathLike
        The file to write (UTF-8 JSON); an existing file is replaced.

    See Also
    --------
    load : Read the file back.
    to_dict : The document that is written.
    """
    text = json.dumps(to_dict(model), allow_nan=False, indent=1)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.write("\n")


# ---------------------------------------------------------------------------
# reading


def _refuse_constant(name):
    raise ValueError(f"Not a valid skgmm_em model: the number {name} is not allowed.")


def _parse_cost(text):
    """An upper estimate, in bytes, of the Python objects json.loads builds."""
    containers = text.count("[") + text.count("{")
    values = text.count(",") + text.count(":") + 1
    return 56 * containers + 32 * values


def load(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Read a mixture written by :func:`save`.

    The file is untrusted input: only a regular file is read (a FIFO, a
    device or a link to one is refused at once, without blocking), only up
    to ``max_bytes``, the JSON is parsed only if it takes a few times its
    size in memory, and the document is checked as :func:`from_dict`
    describes; no code from the file is run.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        The largest file accepted (128 MiB by default); a larger file is
        refused from its size, before it is read.

    Returns
    -------
    model : GaussianMixture or StudentMixture
        The fitted mixture; it predicts exactly as the one saved.

    Raises
    ------
    ValueError
        If the file is not a regular file, is larger than ``max_bytes``, is
        not valid UTF-8 JSON or not a valid model: the message says what is
        wrong.
    OSError
        If the file cannot be read.

    See Also
    --------
    save : Write a model file.
    from_dict : Build the model from an already parsed document.
    """
    where = f"Cannot load a model from {os.fspath(path)!r}"
    try:
        raw = read_bounded(path, max_bytes)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    try:
        text = raw.decode("utf-8")
        del raw
        if _parse_cost(text) > _MAX_PARSE_FACTOR * max(len(text), 2**16):
            raise ValueError(
                "the JSON would take more than "
                f"{_MAX_PARSE_FACTOR} times its size in memory to parse (too "
                "many tiny values); it is not a file save() wrote."
            )
        document = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: the file is not UTF-8 text ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{where}: the file is not valid JSON ({exc}); it may be truncated."
        ) from None
    except RecursionError:
        raise ValueError(f"{where}: the JSON is nested too deeply.") from None
    except ValueError as exc:  # NaN or Infinity, refused by _refuse_constant
        raise ValueError(f"{where}: {exc}") from None
    try:
        return from_dict(document)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
