"""Plots of fitted Gaussian mixtures: ellipses, 3-D scatter, learning curves,
and the BIC of a model selection against the number of components.

matplotlib is an optional dependency (the ``plot`` extra,
``pip install "skgmm_em[plot]"``). Importing this module does not import
it; each function imports it when called and raises an :class:`ImportError`
naming the extra when it is missing.

The functions take any fitted mixture with scikit-learn's attributes
(``means_``, ``covariances_``, ``covariance_type``, ``predict``), so
:class:`sklearn.mixture.GaussianMixture` works too, except in
:func:`plot_history`, which reads ``history_``; :func:`plot_bic` takes a
fitted :class:`~skgmm_em.GaussianMixtureSelector`. After a fit on a pandas
DataFrame the axes are labelled with the model's ``feature_names_in_``, and
``features=`` takes those names as well as column indices.
"""

import operator

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._bic_plot import plot_bic
from ._covariance import get_model
from ._pyplot import pyplot as _pyplot

__all__ = [
    "COLORS",
    "ellipse_geometry",
    "plot_3d",
    "plot_bic",
    "plot_ellipses",
    "plot_history",
    "plot_uncertainty",
]

#: Cluster colors, in component order: blue, red and yellow first (the
#: colors of the seed experiments' 3-D plot), then matplotlib's tab10.
COLORS = (
    "tab:blue",
    "tab:red",
    "gold",
    "tab:green",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:gray",
    "tab:olive",
    "tab:cyan",
)

# The function's public home (its code is in a module of its own).
plot_bic.__module__ = __name__

_HISTORY_CHANGES = ("weights_change", "means_change", "covariances_change")


def _color(k, colors):
    palette = COLORS if colors is None else colors
    return palette[k % len(palette)]


def _full_covariances(model):
    """The model's covariances as full matrices, shape (n_components, D, D)."""
    covariance_model = get_model(model.covariance_type)
    cov = np.asarray(model.covariances_, dtype=np.float64)
    n_components, n_features = np.shape(model.means_)
    return covariance_model.to_full(cov, n_components, n_features)


def _feature_names(model, X):
    """The feature names of the model (``feature_names_in_``), else the
    string column names of X (a DataFrame), else None."""
    names = getattr(model, "feature_names_in_", None)
    if names is None and X is not None and hasattr(X, "columns"):
        columns = list(X.columns)
        if all(isinstance(c, str) for c in columns):
            names = columns
    return None if names is None else [str(n) for n in names]


def _check_features(features, n_features, n_wanted, names=None):
    """Column indices of ``features`` (indices or feature names)."""
    if isinstance(features, str):
        raise ValueError(
            f"features must be a sequence of {n_wanted} columns, got the "
            f"string {features!r}."
        )
    indices = []
    for feature in features:
        if isinstance(feature, str):
            if names is None:
                raise ValueError(
                    f"features names {feature!r}, but the model has no feature "
                    "names (fit it on a DataFrame) and X has no string columns; "
                    "give column indices instead."
                )
            if feature not in names:
                raise ValueError(
                    f"features names {feature!r}, which is not a feature; the "
                    f"features are {names}."
                )
            indices.append(names.index(feature))
            continue
        try:
            index = operator.index(feature)
        except TypeError:
            raise ValueError(
                f"features must hold column indices or feature names, got {feature!r}."
            ) from None
        if not -n_features <= index < n_features:
            raise ValueError(
                f"features {tuple(features)} out of range for {n_features} features."
            )
        indices.append(index % n_features)
    if len(indices) != n_wanted or len(set(indices)) != n_wanted:
        raise ValueError(
            f"features must name {n_wanted} distinct columns, got {tuple(features)}."
        )
    return tuple(indices)


def _label_axes(ax, features, names=None):
    """Name the axes after the plotted features (their names when known),
    keeping labels already set."""
    setters = [(ax.get_xlabel, ax.set_xlabel), (ax.get_ylabel, ax.set_ylabel)]
    if len(features) == 3:
        setters.append((ax.get_zlabel, ax.set_zlabel))
    for (get, set_), feature in zip(setters, features, strict=True):
        if not get():
            set_(names[feature] if names is not None else f"feature {feature}")


def _labels(model_or_labels, X, n_samples):
    """Labels from a fitted model (its predictions on X) or given directly.

    ``X`` is passed to ``predict`` as the caller gave it (a DataFrame keeps
    its feature names).
    """
    if hasattr(model_or_labels, "predict"):
        check_is_fitted(model_or_labels)
        return np.asarray(model_or_labels.predict(X))
    labels = np.asarray(model_or_labels)
    if labels.shape != (n_samples,):
        raise ValueError(
            f"labels must have shape ({n_samples},) to match X, got {labels.shape}."
        )
    return labels


def _scatter_by_label(ax, points, labels, colors, scatter_kws):
    """One scatter collection per label, in the label's color."""
    style = {"s": 12, "alpha": 0.8}
    style.update(scatter_kws or {})
    # Integer labels are component indices and keep the component's color
    # (as the ellipses do) even when some component has no samples.
    numeric = np.issubdtype(labels.dtype, np.integer)
    for position, k in enumerate(np.unique(labels)):
        rows = labels == k
        color = _color(int(k) if numeric else position, colors)
        ax.scatter(
            *points[rows].T, **{"color": color, "label": f"component {k}", **style}
        )


def ellipse_geometry(covariance, n_sigma=1.0):
    """Width, height and angle of the ``n_sigma`` ellipse of a 2-D Gaussian.

    The ellipse ``(x - mu)^T Sigma^{-1} (x - mu) = n_sigma^2``: its axes
    point along the eigenvectors of ``Sigma`` and have half-lengths
    ``n_sigma * sqrt(eigenvalue)``.

    Parameters
    ----------
    covariance : array-like of shape (2, 2)
        A symmetric positive semi-definite covariance matrix.
    n_sigma : float, default=1.0
        The Mahalanobis radius of the ellipse.

    Returns
    -------
    width : float
        The full length of the major axis, ``2 * n_sigma * sqrt(lambda_max)``.
    height : float
        The full length of the minor axis, ``2 * n_sigma * sqrt(lambda_min)``.
    angle : float
        The angle of the major axis from the first axis, in degrees, in
        ``[0, 180)``.

    Examples
    --------
    >>> from skgmm_em.plotting import ellipse_geometry
    >>> [round(float(v), 6) for v in ellipse_geometry([[1.0, 0.0], [0.0, 4.0]], 2)]
    [8.0, 4.0, 90.0]
    """
    values, vectors = np.linalg.eigh(np.asarray(covariance, dtype=np.float64))
    values = np.clip(values, 0.0, None)
    major = vectors[:, 1]
    angle = float(np.degrees(np.arctan2(major[1], major[0])) % 180.0)
    width = 2.0 * n_sigma * float(np.sqrt(values[1]))
    height = 2.0 * n_sigma * float(np.sqrt(values[0]))
    return width, height, angle


def plot_ellipses(
    model,
    X=None,
    *,
    ax=None,
    sigmas=(1, 2),
    features=(0, 1),
    labels=None,
    colors=None,
    scatter_kws=None,
    ellipse_kws=None,
):
    """Draw the covariance ellipses of a fitted mixture over its data.

    For each component and each level in ``sigmas``, the ellipse
    ``(x - mu_k)^T Sigma_k^{-1} (x - mu_k) = sigma^2`` of the marginal
    Gaussian of the two ``features``: with more than two features, the
    ellipses are those of the marginal covariance of the chosen pair. Works
    for every covariance type. When ``X`` is given, it is drawn as a
    scatter plot colored by cluster, one collection per cluster.

    Parameters
    ----------
    model : fitted GaussianMixture
        A fitted mixture with ``means_``, ``covariances_`` and
        ``covariance_type`` (skgmm_em's or scikit-learn's).
    X : array-like of shape (n_samples, n_features), default=None
        Samples to draw under the ellipses; all features, as the model was
        fit on them.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    sigmas : sequence of float, default=(1, 2)
        The Mahalanobis radii of the ellipses drawn per component.
    features : pair of int or str, default=(0, 1)
        The two features to plot: column indices, or feature names (those
        of the model's ``feature_names_in_``, or of X's columns when X is a
        DataFrame). The axes are labelled with the feature names when
        known.
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample, for the colors; ``model.predict(X)``
        when None.
    colors : sequence of colors, default=None
        One color per component (cycled); :data:`COLORS` when None.
    scatter_kws : dict, default=None
        Keyword arguments for :meth:`matplotlib.axes.Axes.scatter`; a
        ``color`` here overrides the per-cluster color.
    ellipse_kws : dict, default=None
        Keyword arguments for :class:`matplotlib.patches.Ellipse`; an
        ``edgecolor`` or ``color`` here overrides the per-component color.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on; the ellipses are its ``patches``, component by
        component and, within one, in the order of ``sigmas``.

    See Also
    --------
    ellipse_geometry : The width, height and angle of one ellipse.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import make_lab_mixture
    >>> from skgmm_em.plotting import plot_ellipses
    >>> X, _ = make_lab_mixture(200, random_state=0)
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> ax = plot_ellipses(gm, X, sigmas=(1, 2))
    >>> len(ax.patches)
    4
    >>> plt.close("all")
    """
    plt = _pyplot()
    from matplotlib.patches import Ellipse

    check_is_fitted(model)
    means = np.asarray(model.means_, dtype=np.float64)
    n_features = means.shape[1]
    if n_features < 2:
        raise ValueError("plot_ellipses needs a model of at least two features.")
    names = _feature_names(model, X)
    features = _check_features(features, n_features, 2, names)
    pair = np.asarray(features)
    covariances = _full_covariances(model)[:, pair[:, None], pair[None, :]]
    if ax is None:
        _, ax = plt.subplots()

    if X is not None:
        points = np.asarray(X)
        labels = _labels(model if labels is None else labels, X, len(points))
        _scatter_by_label(ax, points[:, pair], labels, colors, scatter_kws)

    for k, (mean, cov) in enumerate(zip(means[:, pair], covariances, strict=True)):
        style = {"fill": False, "linewidth": 1.5}
        if not {"color", "edgecolor", "ec"} & set(ellipse_kws or {}):
            style["edgecolor"] = _color(k, colors)
        style.update(ellipse_kws or {})
        for n_sigma in sigmas:
            width, height, angle = ellipse_geometry(cov, n_sigma)
            ax.add_patch(Ellipse(mean, width, height, angle=angle, **style))
    ax.autoscale_view()
    _label_axes(ax, features, names)
    return ax


def plot_3d(
    model_or_labels, X, *, ax=None, features=(0, 1, 2), colors=None, scatter_kws=None
):
    """Draw a 3-D scatter plot of the samples colored by cluster.

    Parameters
    ----------
    model_or_labels : fitted GaussianMixture or array-like of shape (n_samples,)
        A fitted mixture (the colors are its predictions on ``X``) or the
        cluster of each sample.
    X : array-like of shape (n_samples, n_features)
        The samples, with at least three features.
    ax : matplotlib 3-D Axes, default=None
        Where to draw (created with ``projection='3d'``); a new figure when
        None.
    features : triple of int or str, default=(0, 1, 2)
        The three features to plot: column indices, or feature names (those
        of the model's ``feature_names_in_``, or of X's columns when X is a
        DataFrame). The axes are labelled with the feature names when
        known.
    colors : sequence of colors, default=None
        One color per cluster (cycled); :data:`COLORS` when None, which
        starts blue, red, yellow.
    scatter_kws : dict, default=None
        Keyword arguments for the scatter calls; a ``color`` here overrides
        the per-cluster color.

    Returns
    -------
    ax : matplotlib 3-D Axes
        The Axes drawn on, with one scatter collection per cluster.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skgmm_em.plotting import plot_3d
    >>> X = np.random.RandomState(0).normal(size=(30, 3))
    >>> ax = plot_3d(X[:, 0] > 0, X)
    >>> ax.name, len(ax.collections)
    ('3d', 2)
    >>> plt.close("all")
    """
    plt = _pyplot()
    points = np.asarray(X)
    if points.ndim != 2 or points.shape[1] < 3:
        raise ValueError(
            f"plot_3d needs X with at least 3 features, got shape {points.shape}."
        )
    names = _feature_names(model_or_labels, X)
    features = _check_features(features, points.shape[1], 3, names)
    labels = _labels(model_or_labels, X, len(points))
    if ax is None:
        ax = plt.figure().add_subplot(projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise ValueError(
            "plot_3d needs a 3-D Axes; create one with "
            "fig.add_subplot(projection='3d')."
        )
    _scatter_by_label(ax, points[:, list(features)], labels, colors, scatter_kws)
    _label_axes(ax, features, names)
    return ax


def plot_history(model, *, axes=None):
    """Draw the learning curves of a fit from its ``history_``.

    Two panels: the mean log-likelihood at every EM iteration, and the
    maximum absolute change of the weights, means and covariances in every
    iteration, on a log scale (the curves a parameter-change stopping rule,
    ``param_tol``, watches).

    Parameters
    ----------
    model : fitted skgmm_em.GaussianMixture
        A fitted mixture with a ``history_``.
    axes : sequence of two matplotlib Axes, default=None
        Where to draw the log-likelihood and the changes; a new figure with
        two panels side by side when None.

    Returns
    -------
    axes : ndarray of shape (2,) of matplotlib Axes
        The log-likelihood Axes (one line) and the changes Axes (three
        lines: weights, means, covariances), x-axis the iteration number
        from 1.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import make_lab_mixture
    >>> from skgmm_em.plotting import plot_history
    >>> X, _ = make_lab_mixture(200, random_state=0)
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> ax_ll, ax_change = plot_history(gm)
    >>> len(ax_ll.lines), len(ax_change.lines)
    (1, 3)
    >>> plt.close("all")
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    check_is_fitted(model)
    history = getattr(model, "history_", None)
    if history is None:
        raise TypeError(
            f"plot_history needs a model with a history_ attribute, such as "
            f"skgmm_em.GaussianMixture; {type(model).__name__} has none."
        )
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.shape != (2,):
        raise ValueError(f"axes must hold two Axes, got {axes.shape[0]}.")
    ax_ll, ax_change = axes

    log_likelihood = np.asarray(history["log_likelihood"])
    iterations = np.arange(1, log_likelihood.size + 1)
    ax_ll.plot(iterations, log_likelihood, marker="o", markersize=3)
    for ax in (ax_ll, ax_change):
        # Iterations are whole numbers: no ticks at 2.5.
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_ll.set_xlabel("EM iteration")
    ax_ll.set_ylabel("mean log-likelihood")
    ax_ll.set_title("log-likelihood")

    for key in _HISTORY_CHANGES:
        ax_change.plot(
            iterations,
            np.asarray(history[key]),
            marker="o",
            markersize=3,
            label=key.split("_")[0],
        )
    ax_change.set_yscale("log")
    ax_change.set_xlabel("EM iteration")
    ax_change.set_ylabel("max absolute change")
    ax_change.set_title("parameter changes")
    ax_change.legend()
    return axes


def plot_uncertainty(
    model, X, *, ax=None, features=(0, 1), cmap="viridis", sizes=(8, 80), colorbar=True
):
    """Draw the samples sized and colored by the uncertainty of their cluster.

    The uncertainty of a sample is ``1 - max_k r_k``, one minus its largest
    responsibility: 0 for a sample surely in one component, up to
    ``1 - 1/n_components`` for one shared equally by all.

    Parameters
    ----------
    model : fitted GaussianMixture
        A fitted mixture with ``predict_proba``.
    X : array-like of shape (n_samples, n_features)
        The samples, all features.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    features : pair of int or str, default=(0, 1)
        The two features to plot: column indices, or feature names (those
        of the model's ``feature_names_in_``, or of X's columns when X is a
        DataFrame). The axes are labelled with the feature names when
        known.
    cmap : str or Colormap, default='viridis'
        Colormap of the uncertainty, from 0 to ``1 - 1/n_components``.
    sizes : pair of float, default=(8, 80)
        Marker areas (points squared) of the most certain and the most
        uncertain possible sample; sizes grow linearly in between.
    colorbar : bool, default=True
        Whether to add a colorbar.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on, with one scatter collection whose color array is
        the uncertainty of every sample.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import make_lab_mixture
    >>> from skgmm_em.plotting import plot_uncertainty
    >>> X, _ = make_lab_mixture(200, random_state=0)
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> ax = plot_uncertainty(gm, X)
    >>> ax.collections[0].get_offsets().shape
    (200, 2)
    >>> plt.close("all")
    """
    plt = _pyplot()
    check_is_fitted(model)
    points = np.asarray(X)
    names = _feature_names(model, X)
    features = _check_features(features, points.shape[1], 2, names)
    uncertainty = 1.0 - np.max(model.predict_proba(X), axis=1)
    top = 1.0 - 1.0 / model.n_components if model.n_components > 1 else 1.0
    area = sizes[0] + (sizes[1] - sizes[0]) * uncertainty / top
    if ax is None:
        _, ax = plt.subplots()
    scatter = ax.scatter(
        points[:, features[0]],
        points[:, features[1]],
        c=uncertainty,
        s=area,
        cmap=cmap,
        vmin=0.0,
        vmax=top,
        edgecolors="none",
    )
    if colorbar:
        ax.figure.colorbar(scatter, ax=ax, label="uncertainty: 1 - max responsibility")
    _label_axes(ax, features, names)
    return ax
