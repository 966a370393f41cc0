"""The StudentMixture estimator: mixtures of multivariate t distributions
fit by ECM over the chunked EM core (:mod:`skgmm_em._student_em`)."""

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _progress, _source, _student_em
from ._compat import Interval, validate_params
from ._covariance import MODELS
from ._driver import EMSettings, run_em
from ._gaussian_mixture import GaussianMixture
from ._starts import FreshStarts, Initialization, warm_start
from ._student_em import DOF_START, StudentCore, StudentParams


class _DofStarts:
    """Starts with degrees of freedom: ``fixed`` ones, else those of a warm
    start, else :data:`~skgmm_em._student_em.DOF_START`."""

    def __init__(self, starts, fixed):
        self.starts = starts
        self.fixed = fixed
        self.lower_bound = starts.lower_bound

    def draw(self):
        params = self.starts.draw()
        n_components = len(params.weights)
        if self.fixed is not None:
            dofs = np.full(n_components, float(self.fixed))
        elif isinstance(params, StudentParams):
            dofs = params.dofs
        else:
            dofs = np.full(n_components, DOF_START)
        return StudentParams(*params[:4], dofs)


class StudentMixture(GaussianMixture):
    """Mixture of multivariate t distributions fit by ECM.

    Each component is a multivariate t distribution with location
    ``means_[k]``, scale matrix ``covariances_[k]`` and ``dofs_[k]``
    degrees of freedom (Peel & McLachlan, 2000). Its tails are heavier than
    a Gaussian's, so that outliers and heavy-tailed clusters pull the
    locations and scales much less: points far from a component are
    down-weighted in its M-step by ``u = (nu + D) / (nu + delta**2)``, with
    ``delta`` their Mahalanobis distance. As the degrees of freedom grow,
    the t tends to the Gaussian of the same location and covariance. See
    ``docs/robust.md``.

    The parameters, methods and fitted attributes are those of
    :class:`~skgmm_em.GaussianMixture` (every ``covariance_type``, sample
    weights, missing values, dask arrays, warm starts, ``history_``), plus
    ``dof`` and ``dofs_``; ``score_samples``, ``score``, ``bic``, ``aic``,
    ``predict_proba`` and ``sample`` are those of the t mixture.

    Parameters
    ----------
    n_components : int, default=1
        The number of mixture components.

    covariance_type : str, default='full'
        The form of the scale matrices, as for
        :class:`~skgmm_em.GaussianMixture`: ``'full'``, ``'tied'``,
        ``'diag'``, ``'spherical'``, or any of mclust's fourteen models
        (``'EII'``, ..., ``'VVV'``); the scale matrices keep the model's
        constraints. See ``docs/models.md``.

    dof : float or None, default=None
        The degrees of freedom. ``None`` estimates each component's in every
        M-step, within ``[1, 200]`` (at 1 the t is a Cauchy distribution,
        whose location is no longer a mean; at 200 it is a Gaussian to a
        fraction of a percent), starting from 10. A positive finite number
        fixes every component's at that value: any ``dof > 0``; ``dof=1``
        fits Cauchy components, a large one (say ``1e6``) approaches
        :class:`~skgmm_em.GaussianMixture`'s fit.

    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood of
        the data (the lower bound) between two iterations.

    reg_covar : float, default=1e-6
        Non-negative regularization added to the diagonal of every scale
        matrix.

    max_iter : int, default=100
        The maximum number of ECM iterations per initialization.

    n_init : int, default=1
        The number of initializations; the run with the largest lower bound
        is kept.

    init_params : str, initializer or callable, default='kmeans'
        Where ECM starts (the Gaussian starts of
        :class:`~skgmm_em.GaussianMixture`: the scale matrices start at the
        initializer's covariances).

    weights_init : array-like of shape (n_components,), default=None
        Initial weights.

    means_init : array-like of shape (n_components, n_features), default=None
        Initial locations.

    precisions_init : array-like, default=None
        Initial inverse scale matrices, shaped as for
        :class:`~skgmm_em.GaussianMixture`.

    random_state : int, RandomState instance or None, default=None
        Controls the randomness of the initializers and of :meth:`sample`.

    warm_start : bool, default=False
        If True, each fit after the first continues from the previous fit's
        parameters, its degrees of freedom included (unless ``dof`` fixes
        them).

    verbose : int, default=0
        Print progress: 1 prints each initialization and iteration, 2 also
        the time and the change of the lower bound.

    verbose_interval : int, default=10
        Number of iterations between two progress prints.

    param_tol : float, default=None
        When given, ECM also stops when the weights, locations and scale
        matrices change by less than ``param_tol`` in one iteration (the
        degrees of freedom are not watched).

    on_collapse : {'raise', 'reseed'}, default='raise'
        What to do when a scale matrix becomes ill-defined, as for
        :class:`~skgmm_em.GaussianMixture`; a re-seeded component takes the
        degrees of freedom of the one it splits.

    init_sample_size : int, default=100_000
        The rows an initializer sees for dask arrays and large memory maps.

    m_step_tol : float, default=1e-10
        Stopping rule of the iterative M-steps of VEI, VEE, EVE, VVE, VEV.

    m_step_max_iter : int, default=100
        The most rounds of an iterative M-step.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        The weight of each component.

    means_ : ndarray of shape (n_components, n_features)
        The location of each component (its mean where ``dofs_ > 1``).

    covariances_ : ndarray
        The scale matrix ``Sigma_k`` of each component, shaped as
        :class:`~skgmm_em.GaussianMixture`'s covariances. The covariance of
        component ``k`` is ``nu_k / (nu_k - 2) Sigma_k`` where ``nu_k > 2``.

    precisions_ : ndarray
        The inverse scale matrices.

    precisions_cholesky_ : ndarray
        Upper-triangular Cholesky factors of ``precisions_``.

    dofs_ : ndarray of shape (n_components,)
        The degrees of freedom of each component (float64).

    converged_ : bool
        Whether the kept run met a stopping rule before ``max_iter``.

    n_iter_ : int
        Number of ECM iterations of the kept run.

    lower_bound_ : float
        Mean t log-likelihood of the training data at the start of the kept
        run's last iteration (``-inf`` with ``max_iter=0``).

    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the kept run; never
        decreasing.

    history_ : dict of ndarray
        The learning curves of the kept run, as for
        :class:`~skgmm_em.GaussianMixture`.

    n_reseeds_ : int
        Number of components re-seeded during the kept run.

    labels_ : ndarray of shape (n_samples,)
        The most probable component of each training sample.

    volumes_, shapes_, orientations_ : ndarray
        The decomposition ``lambda_k D_k A_k D_k^T`` of the scale matrices.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    GaussianMixture : The same with Gaussian components.
    scipy.stats.multivariate_t : The component distribution.

    References
    ----------
    .. [1] D. Peel and G. J. McLachlan, "Robust mixture modelling using the
       t distribution", Statistics and Computing, 10(4), 2000.
    .. [2] C. Liu and D. B. Rubin, "ML estimation of the t distribution
       using EM and its extensions, ECM and ECME", Statistica Sinica, 5,
       1995.

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import StudentMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.standard_t(3, (300, 2)), rng.standard_t(3, (300, 2)) + 8])
    >>> tm = StudentMixture(n_components=2, random_state=0).fit(X)
    >>> order = np.argsort(tm.means_[:, 0])
    >>> bool(np.allclose(tm.means_[order], [[0, 0], [8, 8]], atol=0.2))
    True
    >>> bool(np.all((tm.dofs_ > 1.5) & (tm.dofs_ < 6)))
    True
    """

    _parameter_constraints: dict = {
        **GaussianMixture._parameter_constraints,
        "dof": [Interval(Real, 0.0, None, closed="neither"), None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        dof=None,
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
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.dof = dof
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

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the model parameters with the ECM algorithm.

        Runs ``n_init`` initializations (one with ``warm_start``) and keeps
        the run with the largest lower bound. Each iterates E-steps and
        M-steps (locations, scale matrices and weights, then the degrees of
        freedom unless ``dof`` fixes them) until the lower bound changes by
        less than ``tol``, or for ``max_iter`` iterations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data, one sample per row; NaN marks a missing
            value.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples (see
            :meth:`GaussianMixture.fit`).

        Returns
        -------
        self : object
            The fitted mixture.
        """
        validate_params(self)
        core = StudentCore(fixed=self.dof is not None)
        source = _source.fit_source(self, X, sample_weight, self.n_components, core)
        n_features = source.n_features
        init = Initialization(
            self.init_params,
            self.n_components,
            self.covariance_type,
            self.reg_covar,
            *self._check_initial_parameters(n_features),
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
            self._model(),
            _DofStarts(start, self.dof),
            settings,
            _progress.reporter(printer),
            stacklevel=2,
        )
        self._set_fitted(result, source)
        return self

    def _set_fitted(self, result, source):
        """The fitted attributes, ``dofs_`` first (``labels_`` need them)."""
        self.dofs_ = np.array(result.params.dofs, dtype=np.float64)
        super()._set_fitted(result, source)

    def _params(self):
        """The fitted parameters as float64 StudentParams."""
        return _student_em.params_of(self)

    def _inference_source(self, X):
        check_is_fitted(self)
        return _source.inference_source(self, X, StudentCore())

    def _n_parameters(self):
        """Number of free parameters: the Gaussian mixture's, plus the
        degrees of freedom when they are estimated."""
        estimated = self.n_components if self.dof is None else 0
        return super()._n_parameters() + estimated

    def sample(self, n_samples=1):
        """Draw random samples from the fitted mixture.

        Component ``k`` draws ``mu_k + z / sqrt(w)``, with ``z`` Gaussian of
        covariance ``Sigma_k`` and ``w`` a chi-squared variable of
        ``dofs_[k]`` degrees of freedom over ``dofs_[k]``.

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
        origin = np.zeros(params.means.shape[1])
        parts = []
        for k, n in enumerate(counts):
            z = kernel.sample(
                rng, origin, params.covariances, params.precisions_cholesky, k, int(n)
            )
            nu = params.dofs[k]
            scale = np.sqrt(rng.chisquare(nu, int(n)) / nu)
            parts.append(params.means[k] + z / scale[:, None])
        return np.vstack(parts), np.repeat(np.arange(self.n_components), counts)


# The constraints of this estimator's own parameters only: GaussianMixture
# may take parameters that StudentMixture does not (scikit-learn's checks
# want one constraint per parameter, and no more).
StudentMixture._parameter_constraints = {
    name: StudentMixture._parameter_constraints[name]
    for name in inspect.signature(StudentMixture.__init__).parameters
    if name != "self"
}
