"""The GaussianMixture estimator and its EM driver."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _criteria, _dask, _em, _missing, _progress
from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._covariance import COVARIANCE_TYPES, FULL, MODELS
from .exceptions import IllDefinedCovarianceError
from .initialization import INITIALIZERS


def _check_shape(array, shape, name, advice):
    """scikit-learn's shape error for an initial parameter, plus advice."""
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got "
            f"{array.shape}: {advice}"
        )


def _check_weights_init(weights, n_components):
    weights = check_array(
        weights,
        dtype=[np.float64, np.float32],
        ensure_2d=False,
        input_name="weights_init",
    )
    _check_shape(
        weights,
        (n_components,),
        "weights",
        "weights_init needs one weight per component.",
    )
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        # scikit-learn's message (min and max named as it names them).
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got "
            f"max value {np.min(weights):.5f}, min value {np.max(weights):.5f}: "
            "weights_init holds the mixing proportions of the components."
        )
    atol = 1e-6 if weights.dtype == np.float32 else 1e-8
    if not np.allclose(float(np.abs(1.0 - np.sum(weights))), 0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got "
            f"sum(weights) = {np.sum(weights):.5f}: divide weights_init by "
            "its sum."
        )
    return weights.astype(np.float64)


def _check_means_init(means, n_components, n_features):
    means = check_array(
        means, dtype=[np.float64, np.float32], ensure_2d=False, input_name="means_init"
    )
    _check_shape(
        means,
        (n_components, n_features),
        "means",
        "means_init needs one row of n_features values per component.",
    )
    return means.astype(np.float64)


def _check_precisions_init(precisions, covariance_type, n_components, n_features):
    model = MODELS[covariance_type]
    shape = model.shape(n_components, n_features)
    try:
        precisions = check_array(
            precisions,
            dtype=[np.float64, np.float32],
            ensure_2d=False,
            allow_nd=len(shape) > 2,
            input_name="precisions_init",
        )
    except ValueError as err:
        if "Found array with dim" not in str(err):
            raise
        raise ValueError(
            f"{err} precisions_init of a {covariance_type!r} mixture has the "
            f"shape {shape}."
        ) from None
    _check_shape(
        precisions,
        shape,
        f"{covariance_type} precision",
        f"precisions_init of a {covariance_type!r} mixture has the shape of "
        "its precisions_ (see the docstring).",
    )
    if model.elementwise:
        if np.any(precisions <= 0.0):
            raise ValueError(
                f"'{covariance_type} precision' should be positive: every "
                "value of precisions_init is an inverse variance."
            )
        return precisions.astype(np.float64)
    matrices = precisions.reshape(-1, n_features, n_features)
    for k, matrix in enumerate(matrices):
        if not (
            np.all(np.isclose(matrix, matrix.T)) and np.linalg.eigvalsh(matrix)[0] > 0
        ):
            where = f" (component {k})" if model.per_component else ""
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, "
                f"positive-definite{where}: pass inverse covariance matrices."
            )
    return precisions.astype(np.float64)


def _check_sample_weight(sample_weight, n_samples):
    """Validated float64 sample_weight rescaled to a mean of one over its
    positive entries, or None when there are none or all are equal."""
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be an array of numbers.") from None
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per "
            f"sample, got shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample.")
    # Only ratios of weights matter. In units of the mean positive weight,
    # the mass 10 * eps that the M-step adds to every component is as small
    # next to them as it is for an unweighted fit, whatever their scale.
    weights = weights / weights.max()
    if np.all(weights == 1.0):
        return None
    positive = weights > 0
    return weights * (np.count_nonzero(positive) / weights[positive].sum())


def _improves(run, best):
    """Whether a restart's outcome replaces the best so far.

    scikit-learn's rule (a larger lower bound, or any after a best of
    -inf), except that a lower bound larger by no more than rounding error
    (1e-12 relative) is a tie, which keeps the earlier run: two restarts
    that reach the same optimum with their components in another order
    differ only by rounding, and the kept one should not depend on it (nor
    on the number of threads, which changes the rounding).
    """
    bound, best_bound = run["lower_bound"], best["lower_bound"]
    if best_bound == -np.inf:
        return True
    return bound > best_bound + 1e-12 * max(1.0, abs(best_bound))


def _max_abs_change(old, new):
    return float(np.max(np.abs(np.asarray(new) - np.asarray(old)), initial=0.0))


def _is_positive_definite(matrix):
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(matrix)))


class GaussianMixture(ClusterMixin, BaseEstimator):
    """Gaussian mixture model fit by expectation-maximization.

    A drop-in replacement for :class:`sklearn.mixture.GaussianMixture`: the
    same parameters and fitted attributes, and the same code gives the same
    fit (the same start from the same ``random_state``; see
    ``docs/sklearn_compatibility.md`` for the few differences), computed by
    a chunked EM whose memory does not grow with ``n_samples * n_components
    * n_features``, plus pluggable initialization, a per-iteration
    ``history_``, a parameter-change stopping rule and a clusterer's
    ``labels_``.

    Parameters
    ----------
    n_components : int, default=1
        The number of mixture components.

    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        The form of the covariance matrices: ``'full'``, each component its
        own general matrix; ``'tied'``, one general matrix shared by all
        components; ``'diag'``, each component its own diagonal matrix;
        ``'spherical'``, each component its own single variance.

    tol : float, default=1e-3
        Convergence threshold: EM stops when the mean log-likelihood of the
        data (the lower bound) changes by less than ``tol`` between two
        iterations.

    reg_covar : float, default=1e-6
        Non-negative regularization added to the diagonal of every
        covariance, keeping them positive definite.

    max_iter : int, default=100
        The maximum number of EM iterations per initialization. With
        ``max_iter=0`` the fitted parameters are the initial ones.

    n_init : int, default=1
        The number of initializations; the run with the largest lower bound
        is kept. Ignored when ``warm_start=True``.

    init_params : str, initializer or callable, default='kmeans'
        Where EM starts: one of ``'kmeans'``, ``'k-means++'``, ``'random'``,
        ``'random_from_data'`` (scikit-learn's starts, drawn in the same way
        from ``random_state``) or ``'moments'`` (see
        :mod:`skgmm_em.initialization`), an initializer instance, or any
        object or callable following the initializer protocol described
        there.

    weights_init : array-like of shape (n_components,), default=None
        Initial weights, replacing those of the initializer.

    means_init : array-like of shape (n_components, n_features), default=None
        Initial means, replacing those of the initializer.

    precisions_init : array-like, default=None
        Initial precisions (inverse covariances), replacing the initializer's
        covariances. Shape ``(n_components,)`` for ``'spherical'``,
        ``(n_features, n_features)`` for ``'tied'``, ``(n_components,
        n_features)`` for ``'diag'``, ``(n_components, n_features,
        n_features)`` for ``'full'``. When all three of ``weights_init``,
        ``means_init`` and ``precisions_init`` are given, the initializer is
        not run.

    random_state : int, RandomState instance or None, default=None
        Controls the randomness of the initializers and of :meth:`sample`.
        Pass an int for reproducible results.

    warm_start : bool, default=False
        If True, each fit after the first continues from the parameters of
        the previous fit (``n_init`` is then ignored); the first fit runs
        ``n_init`` initializations, as scikit-learn's does.

    verbose : int, default=0
        Print progress: 1 prints each initialization and iteration, 2 also
        the time and the change of the lower bound.

    verbose_interval : int, default=10
        Number of iterations between two progress prints.

    param_tol : float, default=None
        An additional stopping rule: when given, EM also stops as soon as
        the maximum absolute change of every weight, mean and covariance in
        one iteration is below ``param_tol`` (the rule of many textbook
        implementations). ``None`` uses only ``tol``, as scikit-learn does.

    on_collapse : {'raise', 'reseed'}, default='raise'
        What to do when a component's covariance becomes ill-defined (the
        component collapsed onto a sample, duplicates or a constant
        feature). ``'raise'`` raises a ValueError, as scikit-learn does.
        ``'reseed'`` re-seeds the component by splitting the heaviest
        healthy component along its principal axis and goes on (at most
        ``5 * n_components`` times per run), warns how often it happened,
        and lets a restart that still fails be skipped instead of aborting
        the other ``n_init`` restarts.

    init_sample_size : int, default=100_000
        For a :class:`dask.array.Array`, or a :class:`numpy.memmap` with
        more rows than this, the initializer runs on a uniform random sample
        of this many rows (drawn from ``random_state``) instead of on all
        rows, so that initialization does not load the data into memory.
        In-memory NumPy input always initializes on all rows, as
        scikit-learn does. See ``docs/scaling_out.md``.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        The weight of each component.

    means_ : ndarray of shape (n_components, n_features)
        The mean of each component.

    covariances_ : ndarray
        The covariance of each component; shape as ``precisions_init``.

    precisions_ : ndarray
        The precision matrices (inverse covariances); shape as
        ``covariances_``.

    precisions_cholesky_ : ndarray
        Upper-triangular Cholesky factors ``U`` of the precisions,
        ``precision = U @ U.T``; shape as ``covariances_``.

    converged_ : bool
        Whether the kept run met a stopping rule before ``max_iter``.

    n_iter_ : int
        Number of EM iterations of the kept run.

    lower_bound_ : float
        Mean log-likelihood of the training data at the start of the kept
        run's last iteration (scikit-learn's lower bound). With
        ``max_iter=0``, ``-inf``, as in scikit-learn (no iteration ran).

    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the kept run.

    history_ : dict of ndarray
        The learning curves of the kept run, one entry per EM iteration:
        ``'log_likelihood'`` (the mean log-likelihood of the parameters the
        iteration started from, as ``lower_bounds_``), and
        ``'weights_change'``, ``'means_change'`` and ``'covariances_change'``
        (the maximum absolute change of those parameters in the iteration).

    n_reseeds_ : int
        Number of components re-seeded during the kept run (always 0 with
        ``on_collapse='raise'``).

    labels_ : ndarray of shape (n_samples,)
        The most probable component of each training sample under the
        fitted parameters, equal to ``predict(X)``. After a fit on a dask
        array, a lazy dask array; it is left out when the model is pickled.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The estimator this one replaces.
    skgmm_em.initialization : The initializer protocol and the built-ins.

    References
    ----------
    .. [1] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood
       from incomplete data via the EM algorithm", Journal of the Royal
       Statistical Society B, 39(1), 1977.
    .. [2] C. M. Bishop, "Pattern Recognition and Machine Learning",
       Springer, 2006, section 9.2.

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import GaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> gm.means_[np.argsort(gm.means_[:, 0])]
    array([[ 1.,  2.],
           [10.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]]).tolist() == gm.predict([[1, 2], [10, 2]]).tolist()
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init_params": [
            StrOptions(set(INITIALIZERS)),
            HasMethods(["initialize"]),
            callable,
        ],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "verbose_interval": [Interval(Integral, 1, None, closed="left")],
        "param_tol": [Interval(Real, 0.0, None, closed="left"), None],
        "init_sample_size": [Interval(Integral, 1, None, closed="left")],
        "on_collapse": [StrOptions({"raise", "reseed"})],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        param_tol=None,
        on_collapse="raise",
        init_sample_size=100_000,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.param_tol = param_tol
        self.on_collapse = on_collapse
        self.init_sample_size = init_sample_size

    # ------------------------------------------------------------------
    # fitting

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the model parameters with the EM algorithm.

        Runs ``n_init`` initializations (one with ``warm_start``) and keeps
        the parameters of the run with the largest lower bound. Each run
        iterates E- and M-steps until the lower bound changes by less than
        ``tol`` (or the parameters by less than ``param_tol``), or for
        ``max_iter`` iterations; a ``ConvergenceWarning`` says when the kept
        run did not converge.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples. A zero weight drops a
            sample, scaling all weights changes nothing, and equal weights
            are the unweighted fit. The initializers honour the weights; an
            integer weight counts a sample that many times from a given
            start, or with the starts that see the distinct samples
            (``rows='distinct'``, see ``docs/sample_weight.md``).

        Returns
        -------
        self : object
            The fitted mixture.
        """
        validate_params(self)
        dask_input = _dask.is_dask_array(X)
        is_memmap = isinstance(X, np.memmap)
        if dask_input:
            X = _dask.validate_dask(X, ensure_min_samples=2)
            validate_data(self, X, reset=True, skip_check_array=True)
        else:
            # check_array's finiteness test sums X, which warns for inf - inf.
            with np.errstate(invalid="ignore", over="ignore"):
                X = validate_data(
                    self,
                    X,
                    dtype=[np.float64, np.float32],
                    ensure_min_samples=2,
                    ensure_all_finite="allow-nan",
                )
        n_samples, n_features = X.shape
        if n_samples < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_samples}: use fewer "
                "components or more data."
            )
        if dask_input:
            sample_weight = _dask.check_sample_weight(
                sample_weight, X, self.n_components
            )
        else:
            sample_weight = _check_sample_weight(sample_weight, n_samples)
            if sample_weight is not None and np.count_nonzero(sample_weight) < max(
                2, self.n_components
            ):
                raise ValueError(
                    f"Only {np.count_nonzero(sample_weight)} sample(s) have a "
                    f"positive sample_weight; fitting n_components="
                    f"{self.n_components} needs at least {max(2, self.n_components)}."
                )
        user_init = self._check_initial_parameters(n_features)
        random_state = check_random_state(self.random_state)

        resume = self.warm_start and hasattr(self, "converged_")
        if resume:
            start = self._resume_parameters(n_features)
        # As in scikit-learn: warm_start's first fit runs every initialization.
        n_init = 1 if resume else self.n_init
        initialize = not resume and any(p is None for p in user_init)
        # dask input has no missing values (a block with NaN raises).
        missing = None if dask_input else _missing.find_missing(X)
        if (dask_input or is_memmap) and missing is None:
            # Data out of memory: the initializer runs on a sample in memory.
            init_X = init_weight = None
            if initialize:
                init_X, init_weight = _dask.init_sample(
                    X, sample_weight, self.init_sample_size, random_state
                )
        else:
            # Initializers need complete data: see _missing.initialization_data.
            init_X, init_weight = _missing.initialization_data(
                X, sample_weight, missing, self.n_components
            )

        best = None
        failures = []
        reseeds = 0
        for init in range(n_init):
            self._print_init_start(init)
            try:
                if not resume:
                    start = self._initial_parameters(
                        init_X, init_weight, user_init, random_state
                    )
                run = self._run_em(
                    X,
                    sample_weight,
                    missing,
                    start,
                    self.lower_bound_ if resume else -np.inf,
                )
            except IllDefinedCovarianceError as err:
                if self.on_collapse == "raise":
                    raise
                failures.append(err)
                continue
            self._print_init_end(run)
            reseeds += run["n_reseeds"]
            if best is None or self.max_iter == 0 or _improves(run, best):
                best = run
        if best is None:
            raise failures[-1]
        if reseeds or failures:
            warnings.warn(
                f"on_collapse='reseed': {reseeds} collapsed component(s) were "
                f"re-seeded and {len(failures)} of {n_init} initialization(s) "
                "failed and were skipped. Collapses suggest too many "
                "components, too small a reg_covar, or unscaled data.",
                ConvergenceWarning,
                stacklevel=2,
            )

        if not best["converged"] and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try "
                "different init parameters, or increase max_iter, tol, or "
                f"check for degenerate data. (Best of {n_init} "
                f"initialization(s), max_iter={self.max_iter}: the last change "
                f"of the lower bound was {best['last_change']:.3g}, "
                f"tol={self.tol}.)",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_parameters(best["params"], X.dtype)
        self.converged_ = best["converged"]
        self.n_iter_ = best["n_iter"]
        self.lower_bound_ = best["lower_bound"]
        self.lower_bounds_ = best["lower_bounds"]
        self.history_ = best["history"]
        self.n_reseeds_ = best["n_reseeds"]
        backend = _dask if dask_input else _em
        self.labels_ = backend.predict(X, self._params(), self.covariance_type, missing)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the model to X and return the component of each sample.

        Equal to ``fit(X).predict(X)`` (the labels come from a final E-step
        under the fitted parameters), and to ``labels_`` after the fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; see :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels.
        """
        return self.fit(X, y, sample_weight=sample_weight).labels_

    def _check_initial_parameters(self, n_features):
        """Validated copies of the user's initial parameters (never stored)."""
        k = self.n_components
        weights = means = precisions = None
        if self.weights_init is not None:
            weights = _check_weights_init(self.weights_init, k)
        if self.means_init is not None:
            means = _check_means_init(self.means_init, k, n_features)
        if self.precisions_init is not None:
            precisions = _check_precisions_init(
                self.precisions_init, self.covariance_type, k, n_features
            )
        return weights, means, precisions

    def _resume_parameters(self, n_features):
        """The previous fit's parameters as a warm start."""
        if self.means_.shape != (self.n_components, n_features) or (
            self.covariances_.shape
            != MODELS[self.covariance_type].shape(self.n_components, n_features)
        ):
            raise ValueError(
                "warm_start=True continues from the previous fit, whose shape "
                f"(means {self.means_.shape}, covariances {self.covariances_.shape})"
                " does not match the current n_components, covariance_type or "
                "data. Set warm_start=False to start afresh."
            )
        return self._params()

    def _initial_parameters(self, X, sample_weight, user_init, random_state):
        """Run the initializer and apply the user's initial parameters."""
        kernel = MODELS[self.covariance_type]
        weights_init, means_init, precisions_init = user_init
        if any(p is None for p in user_init):
            weights, means, covariances = self._run_initializer(
                X, sample_weight, random_state
            )
        if weights_init is not None:
            weights = weights_init
        if means_init is not None:
            means = means_init
        if precisions_init is not None:
            prec_chol = kernel.prec_chol_from_precisions(precisions_init)
            covariances = kernel.covariances_from_prec_chol(prec_chol)
        else:
            prec_chol = kernel.precision_cholesky(covariances, self.reg_covar)
        return _em.MixtureParams(weights, means, covariances, prec_chol)

    def _run_initializer(self, X, sample_weight, random_state):
        """Weights, means and covariances (of this covariance type) to start from."""
        init = self.init_params
        if isinstance(init, str):
            init = INITIALIZERS[init]()
        elif isinstance(init, type):
            raise TypeError(
                f"init_params={init.__name__} is a class; pass an instance "
                f"instead, for example init_params={init.__name__}()."
            )
        initialize = init.initialize if hasattr(init, "initialize") else init
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        result = initialize(X, self.n_components, random_state, **kwargs)
        name = type(init).__name__ if hasattr(init, "initialize") else repr(init)
        if isinstance(result, np.ndarray):
            start = self._check_responsibilities(result, X, name)
            return _em.responsibility_start(
                X,
                start,
                self.n_components,
                self.covariance_type,
                self.reg_covar,
                sample_weight,
            )
        weights, means, covariances = self._check_initializer_result(result, X, name)

        kernel = MODELS[self.covariance_type]
        if weights is None or covariances is None:
            stats, shift = _em.assignment_stats(
                X, means, self.covariance_type, sample_weight
            )
            nk_eps = stats.nk + 10.0 * np.finfo(X.dtype).eps
            _, cell_cov = kernel.m_step(
                stats.nk, nk_eps, stats.sx, stats.sxx, means - shift, self.reg_covar
            )
            # Fewer than two samples' worth of weight (in units of the mean
            # sample weight) cannot give a covariance.
            unit = stats.weight_sum / X.shape[0]
            sparse = stats.nk < 2.0 * unit
            if np.any(sparse) and kernel.per_component:
                cell_cov[sparse] = self._data_covariance(X, sample_weight)
            if not kernel.per_component and not _is_positive_definite(cell_cov):
                cell_cov = self._pooled_cell_covariance(X, means, sample_weight)
            if weights is None:
                weights = nk_eps / nk_eps.sum()
            if covariances is None:
                return weights, means, cell_cov
        covariances = kernel.add_to_diagonal(
            kernel.from_full(covariances, weights), self.reg_covar
        )
        return weights, means, covariances

    def _pooled_cell_covariance(self, X, means, sample_weight):
        """The tied covariance of the cells of ``means``, from moments about
        each cell's mean: exact where moments about the mixture mean cancel
        (means far apart next to the cells' spread)."""
        stats, shift = _em.assignment_stats(X, means, FULL.name, sample_weight)
        nk_eps = stats.nk + 10.0 * np.finfo(X.dtype).eps
        _, per_cell = FULL.m_step(
            stats.nk, nk_eps, stats.sx, stats.sxx, means - shift, 0.0
        )
        return _em.pooled_covariance(nk_eps, per_cell, self.reg_covar)

    def _data_covariance(self, X, sample_weight):
        """Covariance of all of X, as one component of this covariance type."""
        center = np.average(X, axis=0, weights=sample_weight)[None]
        stats, _ = _em.assignment_stats(X, center, FULL.name, sample_weight)
        full = (stats.sxx[0] / stats.nk[0])[None]
        kernel = MODELS[self.covariance_type]
        cov = kernel.from_full(full, np.ones(1))
        return kernel.add_to_diagonal(cov, self.reg_covar)[0]

    def _check_responsibilities(self, start, X, name):
        """Validated labels (n,) or responsibilities (n, K) an initializer
        returned."""
        k, n = self.n_components, X.shape[0]
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

    def _check_initializer_result(self, result, X, name):
        k, d = self.n_components, X.shape[1]
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

    def _run_em(self, X, sample_weight, missing, params, lower_bound):
        """EM iterations from ``params``; returns the run's outcome as a dict."""
        kernel_type = self.covariance_type
        _em.check_factor_range(
            params.precisions_cholesky, kernel_type, X.dtype, self.reg_covar
        )
        backend = _dask if _dask.is_dask_array(X) else _em
        history = {
            "log_likelihood": [],
            "weights_change": [],
            "means_change": [],
            "covariances_change": [],
        }
        converged = False
        change = np.inf
        n_iter = n_reseeds = 0
        for n_iter in range(1, self.max_iter + 1):
            previous = lower_bound
            stats = backend.e_step(X, params, kernel_type, sample_weight, missing)
            failure = None
            try:
                new = _em.m_step(stats, params, kernel_type, self.reg_covar, X.dtype)
            except IllDefinedCovarianceError as err:
                failure = err
                new = self._recentred_m_step(X, sample_weight, missing, stats, params)
            if new is None:
                if (
                    self.on_collapse == "raise"
                    or failure.components is None
                    or n_reseeds >= 5 * self.n_components
                ):
                    raise failure
                new = _em.reseed(
                    stats,
                    params,
                    kernel_type,
                    self.reg_covar,
                    X.dtype,
                    failure.components,
                )
                n_reseeds += len(failure.components)
            lower_bound = stats.log_likelihood / stats.weight_sum
            history["log_likelihood"].append(lower_bound)
            history["weights_change"].append(_max_abs_change(params[0], new[0]))
            history["means_change"].append(_max_abs_change(params[1], new[1]))
            history["covariances_change"].append(_max_abs_change(params[2], new[2]))
            params = new
            change = lower_bound - previous
            self._print_iteration(n_iter, change, lower_bound)
            if abs(change) < self.tol or (
                self.param_tol is not None
                and max(h[-1] for k, h in history.items() if k != "log_likelihood")
                < self.param_tol
            ):
                converged = True
                break
        if self.max_iter == 0:
            # As scikit-learn: no iteration, so no lower bound.
            lower_bound = -np.inf
        return {
            "params": params,
            "lower_bound": lower_bound,
            "lower_bounds": list(history["log_likelihood"]),
            "history": {k: np.asarray(v) for k, v in history.items()},
            "converged": converged,
            "n_iter": n_iter,
            "last_change": change,
            "n_reseeds": n_reseeds,
        }

    def _recentred_m_step(self, X, sample_weight, missing, stats, params):
        """The M-step of ``_em.recentred_m_step`` (with a second pass over X
        for complete data in memory), or None where its covariances are
        ill-defined too."""
        complete = missing is None and not _dask.is_dask_array(X)
        try:
            return _em.recentred_m_step(
                X if complete else None,
                stats,
                params,
                self.covariance_type,
                self.reg_covar,
                X.dtype,
                sample_weight,
            )
        except IllDefinedCovarianceError:
            return None

    def _set_parameters(self, params, dtype):
        kernel = MODELS[self.covariance_type]

        def stored(a):
            return np.array(a, dtype=dtype, order="C", copy=True)

        self.weights_ = stored(params.weights)
        self.means_ = stored(params.means)
        self.covariances_ = stored(params.covariances)
        self.precisions_cholesky_ = stored(params.precisions_cholesky)
        self.precisions_ = stored(
            kernel.precisions_from_prec_chol(params.precisions_cholesky)
        )

    def _params(self):
        """The fitted parameters as float64 MixtureParams."""
        return _em.params_of(self)

    # ------------------------------------------------------------------
    # progress: events for the verbose printer and the listener (_progress)

    def _print_init_start(self, init):
        # The printer times each restart; one per fit is enough.
        if init == 0 or getattr(self, "_verbose_printer", None) is None:
            self._verbose_printer = _progress.VerbosePrinter(
                self.verbose, self.verbose_interval
            )
        n_restarts = 1 if self.warm_start else self.n_init
        self._report(_progress.RestartStarted(init, n_restarts, self.max_iter))

    def _print_iteration(self, n_iter, change, lower_bound):
        self._report(
            _progress.IterationDone(n_iter, self.max_iter, float(lower_bound), change)
        )

    def _print_init_end(self, run):
        self._report(
            _progress.RestartFinished(
                run["n_iter"], run["converged"], float(run["lower_bound"])
            )
        )

    def _report(self, event):
        _progress.report(event, self._verbose_printer)

    # ------------------------------------------------------------------
    # inference

    def _validate_for_inference(self, X):
        """Validated X, where its NaNs are, and the module that computes on X."""
        check_is_fitted(self)
        if _dask.is_dask_array(X):
            X = _dask.validate_dask(X)
            validate_data(self, X, reset=False, skip_check_array=True)
            return X, None, _dask
        with np.errstate(invalid="ignore", over="ignore"):
            X = validate_data(
                self,
                X,
                dtype=[np.float64, np.float32],
                reset=False,
                ensure_all_finite="allow-nan",
            )
        return X, _missing.find_missing(X), _em

    def score_samples(self, X):
        """Log-likelihood of each sample under the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            ``log p(x)`` of each sample.
        """
        X, missing, backend = self._validate_for_inference(X)
        return backend.score_samples(X, self._params(), self.covariance_type, missing)

    def score(self, X, y=None, sample_weight=None):
        """Mean log-likelihood of the samples.

        GridSearchCV uses it by default, so it selects by held-out
        likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples: the result is the weighted mean.

        Returns
        -------
        log_likelihood : float
            (Weighted) mean of :meth:`score_samples`.
        """
        if _dask.is_dask_array(X):
            X, _, _ = self._validate_for_inference(X)
            return _dask.score(X, self._params(), self.covariance_type, sample_weight)
        log_prob = self.score_samples(X)
        weights = _check_sample_weight(sample_weight, log_prob.shape[0])
        if weights is None:
            # scikit-learn's mean, in the dtype of the data.
            return float(np.mean(log_prob))
        return float(np.average(log_prob.astype(np.float64), weights=weights))

    def predict(self, X):
        """Most probable component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels.
        """
        X, missing, backend = self._validate_for_inference(X)
        return backend.predict(X, self._params(), self.covariance_type, missing)

    def predict_proba(self, X):
        """Posterior probability of each component given each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            The responsibilities; each row sums to one.
        """
        X, missing, backend = self._validate_for_inference(X)
        return backend.predict_proba(X, self._params(), self.covariance_type, missing)

    def sample(self, n_samples=1):
        """Draw random samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.

        y : ndarray of shape (n_samples,)
            The component each sample was drawn from.

        Notes
        -----
        The draws are scikit-learn's: for the same fitted parameters and
        ``random_state``, the same samples (float64, as scikit-learn returns
        them).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples!r}. The sampling "
                "requires at least one sample: pass a positive integer."
            )
        kernel = MODELS[self.covariance_type]
        rng = check_random_state(self.random_state)
        params = self._params()
        counts = rng.multinomial(n_samples, params.weights)
        X = np.vstack(
            [
                kernel.sample(
                    rng,
                    params.means[k],
                    params.covariances,
                    params.precisions_cholesky,
                    k,
                    int(n),
                )
                for k, n in enumerate(counts)
            ]
        )
        y = np.repeat(np.arange(self.n_components), counts)
        return X, y

    def __getstate__(self):
        state = super().__getstate__()
        if _dask.is_dask_array(state.get("labels_")):
            # Lazy labels of dask input hold the task graph of the training
            # data; the pickled model leaves them out (predict reproduces them).
            state = {k: v for k, v in state.items() if k != "labels_"}
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------
    # model selection

    def _n_parameters(self):
        """Number of free parameters of the model."""
        n_features = self.means_.shape[1]
        return MODELS[self.covariance_type].n_parameters(self.n_components, n_features)

    def bic(self, X):
        """Bayesian information criterion on X (lower is better).

        ``-2 * log L + p * log(n)`` with ``log L`` the total log-likelihood
        of X and ``p`` the number of free parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        bic : float
        """
        n = _num_rows(X)
        return _criteria.bic(self.score(X) * n, self._n_parameters(), n)

    def aic(self, X):
        """Akaike information criterion on X (lower is better).

        ``-2 * log L + 2 * p`` with ``log L`` the total log-likelihood of X
        and ``p`` the number of free parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        aic : float
        """
        return _criteria.aic(self.score(X) * _num_rows(X), self._n_parameters())


def _num_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)
