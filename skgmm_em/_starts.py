"""Where EM starts: running the initializer and completing its start.

An initializer (:mod:`skgmm_em.initialization`) returns labels,
responsibilities, or weights, means and covariances, any of them possibly
missing; this module checks what it returned, completes it into
:class:`~skgmm_em._em.MixtureParams` of the covariance model (scikit-learn's
initial M-step for responsibilities, the cells of the means for missing
weights or covariances) and puts in the user's ``weights_init``,
``means_init`` and ``precisions_init``. :class:`FreshStarts` and
:class:`WarmStart` are the two kinds of start the EM driver
(:func:`skgmm_em._driver.run_em`) draws from.
"""

from dataclasses import dataclass

import numpy as np

from ._covariance import FULL, MODELS
from ._em import MixtureParams, pooled_covariance
from ._start_stats import assignment_stats, responsibility_start
from .initialization import INITIALIZERS


@dataclass(frozen=True)
class Initialization:
    """How the starts of a fit are made.

    ``init_params`` is the estimator's (a name, an initializer or a
    callable); ``weights_init``, ``means_init`` and ``precisions_init`` are
    the validated float64 arrays of the user, or None; ``prior`` the fit's
    :class:`~skgmm_em._covariance.PriorSettings` (the M-step of labels and
    responsibilities is then its posterior mode), or None.
    """

    init_params: object
    n_components: int
    covariance_type: str
    reg_covar: float
    weights_init: np.ndarray | None = None
    means_init: np.ndarray | None = None
    precisions_init: np.ndarray | None = None
    prior: object = None

    @property
    def needs_initializer(self):
        """Whether some parameter must come from the initializer."""
        return any(
            p is None
            for p in (self.weights_init, self.means_init, self.precisions_init)
        )


class FreshStarts:
    """Starts from the initializer, one per call of :meth:`draw`.

    ``X`` and ``sample_weight`` are the rows the initializer sees (see
    :meth:`skgmm_em._source.ArraySource.init_rows`); ``random_state`` is the
    fit's generator, shared by every restart.
    """

    lower_bound = -np.inf

    def __init__(self, init, X, sample_weight, random_state):
        self.init = init
        self.X = X
        self.sample_weight = sample_weight
        self.random_state = random_state

    def draw(self):
        """The parameters of the next start."""
        return initial_parameters(
            self.init, self.X, self.sample_weight, self.random_state
        )


class WarmStart:
    """The previous fit's parameters and lower bound (``warm_start=True``)."""

    def __init__(self, params, lower_bound):
        self.params = params
        self.lower_bound = lower_bound

    def draw(self):
        """The previous fit's parameters."""
        return self.params


def warm_start(params, lower_bound, init, n_features):
    """The WarmStart from a previous fit's parameters, checked against the
    ``n_components`` and ``covariance_type`` of ``init`` (an Initialization)
    and the number of features."""
    n_components = init.n_components
    shape = MODELS[init.covariance_type].shape(n_components, n_features)
    if params.means.shape != (n_components, n_features) or (
        params.covariances.shape != shape
    ):
        raise ValueError(
            "warm_start=True continues from the previous fit, whose shape "
            f"(means {params.means.shape}, covariances "
            f"{params.covariances.shape}) does not match the current "
            "n_components, covariance_type or data. Set warm_start=False to "
            "start afresh."
        )
    return WarmStart(params, lower_bound)


def initial_parameters(init, X, sample_weight, random_state):
    """Run the initializer and apply the user's initial parameters."""
    kernel = MODELS[init.covariance_type]
    if init.needs_initializer:
        weights, means, covariances = run_initializer(
            init, X, sample_weight, random_state
        )
    if init.weights_init is not None:
        weights = init.weights_init
    if init.means_init is not None:
        means = init.means_init
    if init.precisions_init is not None:
        prec_chol = kernel.prec_chol_from_precisions(init.precisions_init)
        covariances = kernel.covariances_from_prec_chol(prec_chol)
    else:
        prec_chol = kernel.precision_cholesky(covariances, init.reg_covar)
    return MixtureParams(weights, means, covariances, prec_chol)


def run_initializer(init, X, sample_weight, random_state):
    """Weights, means and covariances (of the covariance type) to start from."""
    initializer = init.init_params
    if isinstance(initializer, str):
        initializer = INITIALIZERS[initializer]()
    elif isinstance(initializer, type):
        raise TypeError(
            f"init_params={initializer.__name__} is a class; pass an instance "
            f"instead, for example init_params={initializer.__name__}()."
        )
    has_method = hasattr(initializer, "initialize")
    initialize = initializer.initialize if has_method else initializer
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    result = initialize(X, init.n_components, random_state, **kwargs)
    name = type(initializer).__name__ if has_method else repr(initializer)
    if isinstance(result, np.ndarray):
        start = _check_responsibilities(result, init.n_components, X, name)
        return responsibility_start(
            X,
            start,
            init.n_components,
            init.covariance_type,
            init.reg_covar,
            sample_weight,
            init.prior,
        )
    weights, means, covariances = _check_initializer_result(
        result, init.n_components, X, name
    )
    return _complete(init, X, sample_weight, weights, means, covariances)


def _complete(init, X, sample_weight, weights, means, covariances):
    """The start with missing weights or covariances taken from the cells of
    ``means`` (the rows nearest to each mean)."""
    kernel = MODELS[init.covariance_type]
    if weights is None or covariances is None:
        stats, shift = assignment_stats(X, means, init.covariance_type, sample_weight)
        nk_eps = stats.nk + 10.0 * np.finfo(X.dtype).eps
        _, cell_cov = kernel.m_step(
            stats.nk, nk_eps, stats.sx, stats.sxx, means - shift, init.reg_covar
        )
        # Fewer than two samples' worth of weight (in units of the mean
        # sample weight) cannot give a covariance.
        unit = stats.weight_sum / X.shape[0]
        sparse = stats.nk < 2.0 * unit
        if np.any(sparse) and kernel.per_component:
            cell_cov[sparse] = _data_covariance(init, X, sample_weight)
        if not kernel.per_component and not _is_positive_definite(cell_cov):
            cell_cov = _pooled_cell_covariance(init, X, means, sample_weight)
        if weights is None:
            weights = nk_eps / nk_eps.sum()
        if covariances is None:
            return weights, means, cell_cov
    covariances = kernel.add_to_diagonal(
        kernel.from_full(covariances, weights), init.reg_covar
    )
    return weights, means, covariances


def _pooled_cell_covariance(init, X, means, sample_weight):
    """The tied covariance of the cells of ``means``, from moments about
    each cell's mean: exact where moments about the mixture mean cancel
    (means far apart next to the cells' spread)."""
    stats, shift = assignment_stats(X, means, FULL.name, sample_weight)
    nk_eps = stats.nk + 10.0 * np.finfo(X.dtype).eps
    _, per_cell = FULL.m_step(stats.nk, nk_eps, stats.sx, stats.sxx, means - shift, 0.0)
    return pooled_covariance(nk_eps, per_cell, init.reg_covar)


def _data_covariance(init, X, sample_weight):
    """Covariance of all of X, as one component of the covariance type."""
    center = np.average(X, axis=0, weights=sample_weight)[None]
    stats, _ = assignment_stats(X, center, FULL.name, sample_weight)
    full = (stats.sxx[0] / stats.nk[0])[None]
    kernel = MODELS[init.covariance_type]
    cov = kernel.from_full(full, np.ones(1))
    return kernel.add_to_diagonal(cov, init.reg_covar)[0]


def _is_positive_definite(matrix):
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(matrix)))


def _check_responsibilities(start, n_components, X, name):
    """Validated labels (n,) or responsibilities (n, K) an initializer
    returned."""
    k, n = n_components, X.shape[0]
    if start.ndim == 1:
        if start.dtype.kind not in "iu" or start.shape != (n,):
            raise ValueError(
                f"The initializer {name} returned a 1-D array of shape "
                f"{start.shape} and dtype {start.dtype}; labels must be "
                f"integers of shape ({n},), one component (or -1) per sample."
            )
        if start.size and (start.min() < -1 or start.max() >= k):
            raise ValueError(
                f"The initializer {name} returned labels from {start.min()} "
                f"to {start.max()}; they must lie in [-1, {k - 1}]."
            )
        if not np.any(start >= 0):
            raise ValueError(
                f"The initializer {name} assigned no sample to a component."
            )
        return start
    if start.shape != (n, k):
        raise ValueError(
            f"The initializer {name} returned an array of shape "
            f"{start.shape}: an initializer returns labels of shape ({n},), "
            f"responsibilities of shape ({n}, {k}), or a tuple (weights, "
            "means, covariances)."
        )
    start = np.asarray(start, dtype=np.float64)
    if not np.all(np.isfinite(start)) or np.any(start < 0) or not start.any():
        raise ValueError(
            f"The initializer {name} returned responsibilities that are "
            "not finite and non-negative, or all zero."
        )
    return start


def _check_initializer_result(result, n_components, X, name):
    """Validated (weights, means, covariances) an initializer returned; weights
    and covariances may be None, weights are normalized."""
    k, d = n_components, X.shape[1]
    try:
        if not isinstance(result, tuple | list):
            raise TypeError
        weights, means, covariances = result
    except (TypeError, ValueError):
        raise TypeError(
            f"The initializer {name} must return a tuple (weights, means, "
            f"covariances), got {type(result).__name__}."
        ) from None
    means = np.asarray(means, dtype=np.float64)
    checks = [(means, (k, d), "means")]
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        checks.append((weights, (k,), "weights"))
    if covariances is not None:
        covariances = np.asarray(covariances, dtype=np.float64)
        checks.append((covariances, (k, d, d), "covariances"))
    for array, shape, what in checks:
        if array.shape != shape:
            raise ValueError(
                f"The initializer {name} returned {what} of shape "
                f"{array.shape}; expected {shape}."
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"The initializer {name} returned non-finite {what}.")
    if weights is not None:
        if np.any(weights < 0) or not weights.sum() > 0:
            raise ValueError(
                f"The initializer {name} returned negative or all-zero weights."
            )
        weights = weights / weights.sum()
    return weights, means, covariances
