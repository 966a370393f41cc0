"""The selector's criterion tables and its best cells, laid out as mclust does.

:func:`criterion_values` reads one criterion of every cell from ``results_``
as a (rows, covariance types) array, in scikit-learn's sign (lower is better)
or mclust's (the negated value, higher is better); :func:`best_models` lists
the best cells as mclust's ``summary(mclustBIC)`` does.
"""

import numpy as np

from ._criteria import CRITERIA


def _check_criterion(criterion):
    if criterion not in CRITERIA:
        raise ValueError(
            f"criterion must be one of {sorted(CRITERIA)}, got {criterion!r}."
        )


def criterion_values(results, n_rows, n_columns, criterion, mclust_sign):
    """The criterion of every cell, shape (n_rows, n_columns); NaN where none.

    ``mclust_sign`` negates the values (for BIC, mclust's ``2 log L - p log n``).
    """
    _check_criterion(criterion)
    values = np.asarray(results[criterion], dtype=np.float64)
    values = values.reshape(n_rows, n_columns)
    return -values if mclust_sign else values.copy()


class BestModels:
    """The best cells of a selection, as mclust's ``summary(mclustBIC)`` lists them.

    Printing it (or its ``repr``) gives mclust's layout: one column per cell,
    named ``"<covariance_type>,<n_components>"`` with the names the selector
    was given, the criterion's value and its difference to the best.

    Attributes
    ----------
    cells : list of tuple (str, int)
        ``(covariance_type, n_components)`` of the best cells, best first.
    values : ndarray of shape (n_cells,)
        Their criterion, in the sign asked for.
    differences : ndarray of shape (n_cells,)
        ``values - values[0]``: zero or positive in scikit-learn's sign
        (lower is better), zero or negative in mclust's.
    criterion : str
        ``'bic'``, ``'aic'`` or ``'icl'``.
    mclust_sign : bool
        Whether the values are negated (mclust's sign, higher is better).
    """

    def __init__(self, cells, values, criterion, mclust_sign):
        self.cells = list(cells)
        self.values = np.asarray(values, dtype=np.float64)
        self.differences = self.values - self.values[0]
        self.criterion = criterion
        self.mclust_sign = mclust_sign

    @property
    def names(self):
        """mclust's names of the cells: ``['tied,3', 'full,2', ...]``."""
        return [f"{t},{k}" for t, k in self.cells]

    def __len__(self):
        return len(self.cells)

    def __str__(self):
        label = self.criterion.upper()
        sign = "mclust's sign: higher" if self.mclust_sign else "lower"
        rows = [(label, self.values), (f"{label} diff", self.differences)]
        first = max(len(name) for name, _ in rows)
        texts = [[f"{v:.3f}" for v in values] for _, values in rows]
        widths = [
            max(len(name), *(len(t[i]) for t in texts))
            for i, name in enumerate(self.names)
        ]
        lines = [f"Best {label} values ({sign} is better):"]
        header = zip(self.names, widths, strict=True)
        lines.append(" " * first + "".join(f"  {n:>{w}}" for n, w in header))
        for (name, _), text in zip(rows, texts, strict=True):
            cells = "".join(f"  {t:>{w}}" for t, w in zip(text, widths, strict=True))
            lines.append(f"{name:<{first}}{cells}")
        return "\n".join(lines)

    __repr__ = __str__


def best_models(results, n_best, criterion, mclust_sign):
    """The :class:`BestModels` of the ``n_best`` cells of lowest criterion.

    Cells without a value (NaN) are left out; ties keep the order of
    ``results``.
    """
    _check_criterion(criterion)
    if isinstance(n_best, bool) or not isinstance(n_best, int | np.integer):
        raise ValueError(f"n_best must be a positive int, got {n_best!r}.")
    if n_best < 1:
        raise ValueError(f"n_best must be a positive int, got {n_best!r}.")
    values = np.asarray(results[criterion], dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(values))
    order = finite[np.argsort(values[finite], kind="stable")][:n_best]
    cells = [
        (str(results["covariance_type"][i]), int(results["n_components"][i]))
        for i in order
    ]
    chosen = values[order]
    return BestModels(cells, -chosen if mclust_sign else chosen, criterion, mclust_sign)
