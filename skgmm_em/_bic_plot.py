"""The BIC of a model selection against the number of components (public as
:func:`skgmm_em.plotting.plot_bic`)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._pyplot import pyplot

# One marker per line, so that fourteen lines stay apart in grey print too.
_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">", "p", "h", "d", "8")


def _chosen_models(selector, models):
    """The covariance types to draw: all the selector's, or those in models."""
    types = list(selector.covariance_types_)
    if models is None:
        return types
    models = [models] if isinstance(models, str) else list(models)
    unknown = [m for m in models if m not in types]
    if not models or unknown:
        raise ValueError(
            f"models must name covariance types of the selection, {types}; "
            f"got {models!r}."
        )
    return list(dict.fromkeys(models))


def plot_bic(selector, *, ax=None, models=None, mclust_sign=False, legend=True):
    """Draw the BIC of every cell of a selection against the number of components.

    One line per covariance type, as mclust's ``plot(mclustBIC)``: the x-axis
    is the number of components, a cell without a usable fit (NaN, mclust's
    ``NA``) leaves a gap, and the cell of the best BIC among the lines drawn
    is circled (the selector's choice when its criterion is BIC).

    Parameters
    ----------
    selector : fitted GaussianMixtureSelector
        The selection to draw (its ``results_``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    models : str or sequence of str, default=None
        The covariance types to draw, by the names given to the selector;
        all of them when None.
    mclust_sign : bool, default=False
        ``False``: scikit-learn's sign, ``-2 log L + p log n``, lower is
        better. ``True``: mclust's, ``2 log L - p log n``, higher is better
        (the plot mclust draws).
    legend : bool, default=True
        Whether to add a legend of the covariance types.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on: its ``lines`` are the covariance types in the
        order of ``models`` (labelled with their names), then the circle
        around the best cell.

    See Also
    --------
    skgmm_em.model_selection.GaussianMixtureSelector.bic_table : The numbers.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skgmm_em import GaussianMixtureSelector
    >>> from skgmm_em.datasets import load_faithful
    >>> from skgmm_em.plotting import plot_bic
    >>> X, _ = load_faithful()
    >>> selector = GaussianMixtureSelector(
    ...     n_components=[1, 2, 3], covariance_type=["EII", "EEE"],
    ...     random_state=0,
    ... ).fit(X)
    >>> ax = plot_bic(selector, mclust_sign=True)
    >>> [line.get_label() for line in ax.lines[:2]]
    ['EII', 'EEE']
    >>> plt.close("all")
    """
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    check_is_fitted(selector, "results_")
    grid = np.asarray(selector.n_components_grid_)
    types = list(selector.covariance_types_)
    values = np.asarray(selector.results_["bic"], dtype=np.float64)
    values = values.reshape(len(grid), len(types))
    if mclust_sign:
        values = -values
    if ax is None:
        _, ax = plt.subplots()
    colors = plt.get_cmap("tab20" if len(types) > 10 else "tab10").colors
    chosen = _chosen_models(selector, models)
    for name in chosen:
        j = types.index(name)
        ax.plot(
            grid,
            values[:, j],
            marker=_MARKERS[j % len(_MARKERS)],
            color=colors[j % len(colors)],
            label=name,
        )
    drawn = [types.index(name) for name in chosen]
    if np.any(np.isfinite(values[:, drawn])):
        # The best BIC of the lines drawn: the selector's choice by BIC.
        best = values[:, drawn]
        row, col = np.unravel_index(
            np.nanargmax(best) if mclust_sign else np.nanargmin(best), best.shape
        )
        ax.plot(
            grid[row],
            best[row, col],
            marker="o",
            markersize=14,
            markerfacecolor="none",
            markeredgecolor="black",
            linestyle="none",
            label="_best",
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("number of components")
    sign = "mclust's sign: higher" if mclust_sign else "lower"
    ax.set_ylabel(f"BIC ({sign} is better)")
    if legend:
        ax.legend(ncol=2 if len(ax.lines) > 8 else 1, fontsize="small")
    return ax
