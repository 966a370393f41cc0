"""The GaussianMixture estimator: its parameters, fit (a data source, starts
and the EM driver), fitted attributes and inference."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _em, _progress, _source
from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._covariance import ALL_COVARIANCE_TYPES, MODELS, InnerSettings
from ._driver import EMSettings, run_em
from ._fitted import FittedMixtureMixin
from ._prior import ConjugatePrior, prior_settings, public_prior
from ._starts import FreshStarts, Initialization, warm_start
from ._validation import check_initial_parameters
from .initialization import INITIALIZERS


class GaussianMixture(FittedMixtureMixin, ClusterMixin, BaseEstimator):
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

    covariance_type : str, default='full'
        The form of the covariance matrices: ``'full'``, each component its
        own general matrix; ``'tied'``, one general matrix shared by all
        components; ``'diag'``, each component its own diagonal matrix;
        ``'spherical'``, each component its own single variance. Or one of
        mclust's fourteen parsimonious models by its three letters (volume,
        shape and orientation each Equal across components, Variable, or
        the Identity): ``'EII'``, ``'VII'``, ``'EEI'``, ``'VEI'``,
        ``'EVI'``, ``'VVI'``, ``'EEE'``, ``'VEE'``, ``'EVE'``, ``'VVE'``,
        ``'EEV'``, ``'VEV'``, ``'EVV'``, ``'VVV'``; ``'VII'``, ``'VVI'``,
        ``'EEE'`` and ``'VVV'`` are ``'spherical'``, ``'diag'``, ``'tied'``
        and ``'full'`` (the same fit and attributes), and the other ten
        store full matrices, of shape ``(n_components, n_features,
        n_features)``. See ``docs/models.md``.

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
        from ``random_state``), ``'moments'`` or ``'hc'`` (mclust's
        hierarchical start; see :mod:`skgmm_em.initialization`), an
        initializer instance, or any
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

    m_step_tol : float, default=1e-10
        The M-steps of the models VEI, VEE, EVE, VVE and VEV have no closed
        form and iterate; each stops when its objective changes by less
        than ``m_step_tol`` relative, or after ``m_step_max_iter`` rounds.
        Ignored by the other models.

    m_step_max_iter : int, default=100
        The most rounds of an iterative M-step. Each round starts from the
        previous M-step's covariances and can only improve on them, so EM
        never goes down even when this limit stops an M-step short.

    prior : None, 'conjugate' or ConjugatePrior, default=None
        None fits by maximum likelihood. With the conjugate prior of
        Fraley and Raftery (2007), EM finds the posterior mode of the means
        and covariances (the weights stay maximum likelihood), for every
        ``covariance_type``: ``'conjugate'`` is R mclust's default prior
        (``priorControl()``: shrinkage 0.01, the data's mean, ``n_features +
        2`` degrees of freedom, a scale from the data's covariance), a
        :class:`~skgmm_em.ConjugatePrior` sets the four. The prior keeps the
        covariances from collapsing onto a sample; ``reg_covar`` is still
        added (``reg_covar=0`` gives mclust's numbers). ``lower_bound_``,
        :meth:`score`, :meth:`bic` and :meth:`aic` are those of the
        log-likelihood at the estimate, as mclust reports them. See
        ``docs/prior.md``.

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

    prior_ : ConjugatePrior or None
        The prior's settings in the fit, every one a number (the scale a
        float or an ``(n_features, n_features)`` array, as the model takes
        it); None without a prior.

    labels_ : ndarray of shape (n_samples,)
        The most probable component of each training sample under the
        fitted parameters, equal to ``predict(X)``. After a fit on a dask
        array, a lazy dask array; it is left out when the model is pickled.

    volumes_ : ndarray of shape (n_components,)
        The volume of each covariance, ``det(Sigma_k) ** (1 / n_features)``:
        the ``lambda_k`` of ``Sigma_k = lambda_k D_k A_k D_k^T``.

    shapes_ : ndarray of shape (n_components, n_features)
        The diagonal of each shape ``A_k`` (determinant one): the variances
        along the component's axes over its volume, largest first where the
        model orients its components (in the order of the features for the
        axis-aligned models, whose axes are the features).

    orientations_ : ndarray of shape (n_components, n_features, n_features)
        Each component's axes ``D_k`` (orthogonal; column ``j`` goes with
        ``shapes_[k, j]``): one set shared by all components for the models
        of equal orientation, the identity for the axis-aligned models.

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
        "covariance_type": [StrOptions(set(ALL_COVARIANCE_TYPES))],
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
        "m_step_tol": [Interval(Real, 0.0, None, closed="left")],
        "m_step_max_iter": [Interval(Integral, 1, None, closed="left")],
        "prior": [None, StrOptions({"conjugate"}), ConjugatePrior],
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
        m_step_tol=1e-10,
        m_step_max_iter=100,
        prior=None,
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
        self.m_step_tol = m_step_tol
        self.m_step_max_iter = m_step_max_iter
        self.prior = prior

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
        source = _source.fit_source(self, X, sample_weight, self.n_components)
        n_features = source.n_features
        prior = prior_settings(
            self.prior, source, self.covariance_type, self.n_components
        )
        init = Initialization(
            self.init_params,
            self.n_components,
            self.covariance_type,
            self.reg_covar,
            *self._check_initial_parameters(n_features),
            prior=prior,
        )
        random_state = check_random_state(self.random_state)
        resume = self.warm_start and hasattr(self, "converged_")
        if resume:
            start = warm_start(self._params(), self.lower_bound_, init, n_features)
        rows, row_weights = source.init_rows(
            self.n_components,
            self.init_sample_size,
            random_state,
            needed=not resume and init.needs_initializer,
        )
        if not resume:
            start = FreshStarts(init, rows, row_weights, random_state)
        settings = EMSettings(
            # As in scikit-learn: warm_start's first fit runs every initialization.
            n_init=1 if resume else self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            reg_covar=self.reg_covar,
            param_tol=self.param_tol,
            on_collapse=self.on_collapse,
        )
        printer = _progress.VerbosePrinter(self.verbose, self.verbose_interval)
        result = run_em(
            source,
            self._model(prior),
            start,
            settings,
            _progress.reporter(printer),
            stacklevel=2,
        )
        self._set_fitted(result, source)
        self.prior_ = public_prior(prior)
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

    def _model(self, prior=None):
        """The covariance model, with the settings of its M-step and the
        fit's :class:`~skgmm_em._covariance.PriorSettings` (None: none)."""
        inner = InnerSettings(self.m_step_tol, self.m_step_max_iter)
        return MODELS[self.covariance_type].with_inner(inner).with_prior(prior)

    def _check_initial_parameters(self, n_features):
        """Validated copies of the user's initial parameters (never stored)."""
        return check_initial_parameters(
            self.weights_init,
            self.means_init,
            self.precisions_init,
            self.covariance_type,
            self.n_components,
            n_features,
        )

    def _set_fitted(self, result, source):
        """The fitted attributes from the driver's EMResult."""
        model = MODELS[self.covariance_type]

        def stored(a):
            return np.array(a, dtype=source.dtype, order="C", copy=True)

        params = result.params
        self.weights_ = stored(params.weights)
        self.means_ = stored(params.means)
        self.covariances_ = stored(params.covariances)
        self.precisions_cholesky_ = stored(params.precisions_cholesky)
        self.precisions_ = stored(
            model.precisions_from_prec_chol(params.precisions_cholesky)
        )
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self.lower_bound_ = result.lower_bound
        self.lower_bounds_ = result.lower_bounds
        self.history_ = result.history
        self.n_reseeds_ = result.n_reseeds
        self.labels_ = source.predict(self._params(), self.covariance_type)

    def _params(self):
        """The fitted parameters as float64 MixtureParams."""
        return _em.params_of(self)

    # ------------------------------------------------------------------
    # inference

    def _inference_source(self, X):
        """X validated against the fit, as a data source."""
        check_is_fitted(self)
        return _source.inference_source(self, X)

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
        source = self._inference_source(X)
        return source.score_samples(self._params(), self.covariance_type)

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
        source = self._inference_source(X)
        return source.score(self._params(), self.covariance_type, sample_weight)

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
        source = self._inference_source(X)
        return source.predict(self._params(), self.covariance_type)

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
        source = self._inference_source(X)
        return source.predict_proba(self._params(), self.covariance_type)

    def __getstate__(self):
        state = super().__getstate__()
        if _source.is_lazy(state.get("labels_")):
            # Lazy labels of dask input hold the task graph of the training
            # data; the pickled model leaves them out (predict reproduces them).
            state = {k: v for k, v in state.items() if k != "labels_"}
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
