"""The selector's results: one record per cell, the tables, the chosen cell.

:func:`summarize` turns the cells' kept fits into ``results_`` (a dict of
arrays, one entry per cell), the criterion table and the chosen cell.
"""

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._covariance import MODELS
from ._criteria import CRITERIA, n_parameters
from ._search import Effort


class CellRecord(NamedTuple):
    """One row of ``results_``: a cell and what its kept fit gave."""

    n_components: int
    covariance_type: str
    log_likelihood: float
    n_parameters: int
    bic: float
    aic: float
    icl: float
    converged: bool
    status: str
    n_starts: int
    n_iter: int


class Summary(NamedTuple):
    """``results_``, the criterion's values as a table, and the chosen cell."""

    results: dict
    values: np.ndarray
    best_cell: tuple


def _pandas():
    """The pandas module, or None when it is not installed."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def table(values, index, columns):
    """A pandas DataFrame when pandas is installed, else the array itself."""
    pd = _pandas()
    if pd is None:
        return values
    return pd.DataFrame(
        values,
        index=pd.Index(index, name="n_components"),
        columns=pd.Index(columns, name="covariance_type"),
    )


def _status(fit, usable):
    if fit is None:
        return "too few samples"
    if fit.model is None:
        return "failed"
    return "ok" if usable else "degenerate"


def _record(X, cell, fit, effort):
    """The :class:`CellRecord` of ``cell`` from its kept fit (None: not fit)."""
    k, t = cell
    usable = fit is not None and fit.usable
    model = fit.model if usable else None
    common = {
        "n_components": k,
        "covariance_type": t,
        "status": _status(fit, usable),
        "n_starts": effort.n_starts,
        "n_iter": effort.n_iter,
        "converged": bool(usable and model.converged_),
    }
    if usable:
        criteria = {name: criterion(model, X) for name, criterion in CRITERIA.items()}
        return CellRecord(
            log_likelihood=fit.log_likelihood,
            n_parameters=n_parameters(model),
            **criteria,
            **common,
        )
    return CellRecord(
        log_likelihood=np.nan,
        n_parameters=MODELS[t].n_parameters(k, X.shape[1]),
        **dict.fromkeys(CRITERIA, np.nan),
        **common,
    )


def summarize(X, grid, types, fits, effort, criterion, max_iter):
    """The :class:`Summary` of a selection from the cells' kept fits.

    Raises ValueError when no cell has a usable fit; warns (for the caller
    of ``fit``) when some kept fits did not converge.
    """
    cells = [(int(k), t) for k in grid for t in types]
    records = [
        _record(X, cell, fits.get(cell), effort.get(cell, Effort(0, 0)))
        for cell in cells
    ]
    results = {
        name: np.asarray([getattr(record, name) for record in records])
        for name in CellRecord._fields
    }
    for name in ("covariance_type", "status"):
        results[name] = np.asarray(
            [getattr(record, name) for record in records], dtype=object
        )
    values = results[criterion].reshape(len(grid), len(types))
    if not np.any(np.isfinite(values)):
        raise ValueError(
            "No cell of the grid gave a usable fit: every fit failed or "
            "collapsed onto a subspace of the data. Try fewer components "
            "(n_components), a larger reg_covar (for example 1e-4), "
            "standardized features, or degenerate_tol=None to keep "
            "collapsed fits."
        )
    not_converged = [
        (r.n_components, r.covariance_type)
        for r in records
        if r.status == "ok" and not r.converged
    ]
    if not_converged:
        warnings.warn(
            f"EM did not converge in max_iter={max_iter} iterations for "
            f"{len(not_converged)} cell(s) (n_components, covariance_type): "
            f"{not_converged}. Increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=4,
        )
    row, col = np.unravel_index(np.nanargmin(values), values.shape)
    return Summary(results, values, (int(grid[row]), types[col]))
