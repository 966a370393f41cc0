"""The model selector: a clusterer that keeps the cell of the best criterion."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .. import _progress
from .._compat import HasMethods, Interval, StrOptions, validate_params
from .._covariance import ALL_COVARIANCE_TYPES, COVARIANCE_TYPES
from ..initialization import INITIALIZERS
from ._criteria import CRITERIA
from ._grid import (
    COMPONENTS,
    cell_estimator,
    covariance_types,
    initializers,
    n_components_grid,
    validated_rows,
)
from ._race import Settings
from ._results import summarize, table
from ._search import Search, StepShares
from ._starts import HierarchicalStarts, center_scale
from ._summary import best_models, criterion_values

# The data of the hierarchical starts: mclust's (the scaled SVD) and the
# standardized variables, which on wine reach a better VVV fit with 3
# components than mclust's start.
_HC_USES = ("SVD", "STD")


class GaussianMixtureSelector(ClusterMixin, BaseEstimator):
    """Choose the number of components and the covariance type by BIC, AIC or ICL.

    Fits a :class:`~skgmm_em.GaussianMixture` for every combination (cell) of
    ``n_components`` and ``covariance_type``, computes the criterion of each
    on the training data, and keeps the cell with the lowest value, as R's
    ``mclust`` does with its BIC table. The fitted selector is a clusterer
    that predicts, scores and samples with the chosen model.

    Every cell gets robust restarts, so that its log-likelihood is the best
    the model can reach rather than that of a lucky start:

    1. ``n_init`` starts from the initializers of ``init_params`` in turn,
       on standardized and on raw data in turn (``standardize``; on
       standardized data k-means sees every feature on the same scale, while
       the mixture is always fit to X), and mclust's start: the
       model-based hierarchical agglomeration of X (as
       :class:`~skgmm_em.initialization.HierarchicalInit`, on mclust's
       scaled SVD of the data and, a second start, on the standardized
       variables), cut at each number of components and shared by every
       covariance type (none when X has missing values); these run to
       convergence as mclust's start does rather than racing the others;
    2. with ``split_merge=True``, starts from the neighbouring cells: every
       component of the best ``K - 1`` fit split in two, and the most
       overlapping pairs of the best ``K + 1`` fit merged;
    3. with ``refine_margin`` set, ``n_init`` more starts for every cell
       whose criterion is within ``refine_margin`` of the best, so that close
       contenders are compared at their best.

    Every start but the hierarchical ones runs ``screen_iter`` EM
    iterations; the most promising continues to convergence (``tol``,
    ``max_iter``). A fit whose component
    collapsed onto a subspace (a few samples, or samples sharing a value of a
    feature) has a spuriously high likelihood held up only by
    ``reg_covar``; such fits are set aside (``degenerate_tol``) and a cell
    with nothing else has no criterion (NaN), as mclust reports ``NA``.

    ``X`` may hold missing values (NaN): every cell is fit by the exact EM
    over the observed values of :class:`~skgmm_em.GaussianMixture`, and the
    criteria are those of the observed values.

    Parameters
    ----------
    n_components : int, array-like of int or None, default=None
        The numbers of components to try, for example ``range(1, 10)`` or
        ``[2, 3, 5]``; an int tries that number only. ``None`` tries 1 to 9,
        mclust's default.

    covariance_type : str or array-like of str, \
            default=('full', 'tied', 'diag', 'spherical')
        The covariance types to try: any of the names
        :class:`~skgmm_em.GaussianMixture` accepts, scikit-learn's four
        ('full', 'tied', 'diag', 'spherical') and mclust's fourteen (EII,
        VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV;
        :data:`MCLUST_MODELS` lists them in mclust's order), mixed as you
        like. The names given are the columns of the tables, in this order,
        and the names in ``results_`` and ``best_params_``. A name repeated
        counts once; two names of one model (``'full'`` and ``'VVV'``) are
        refused. ``covariance_type=MCLUST_MODELS`` with ``n_components=None``
        is mclust's ``Mclust(X)``.

    criterion : {'bic', 'aic', 'icl'}, default='bic'
        The criterion to minimize; see :func:`bic`, :func:`aic`, :func:`icl`.

    n_init : int, default=3
        Number of initializer starts per cell (step 1 above), and of extra
        starts per close cell (step 3).

    init_params : str, initializer, callable or array-like of them, \
            default=('kmeans', 'k-means++', 'random_from_data')
        The initializers the starts cycle through: names or objects as
        :class:`~skgmm_em.GaussianMixture` accepts.

    standardize : bool or 'both', default='both'
        Whether the initializers see standardized data (each feature centred
        and scaled to unit variance; their start is mapped back to X, to
        which the mixture is fit). ``'both'``: the starts alternate between
        standardized and raw data, so that every initializer is used both
        ways; k-means on raw data favours the features of large variance,
        which is the right start for some models (spherical ones) and the
        wrong one for others.

    split_merge : bool, default=True
        Also start every cell from its neighbours' best fits (step 2). The
        neighbours of K are K - 1 and K + 1 when they are in the grid.

    refine_margin : float or None, default=10.0
        Cells whose criterion lies within this margin of the best get
        ``n_init`` more starts (step 3); ``None`` skips the step. A BIC
        difference above 10 is commonly read as very strong evidence.

    screen_iter : int, default=10
        EM iterations every start runs before the best is continued to
        convergence. ``0`` runs every start to convergence.

    tol : float, default=1e-6
        Convergence threshold of the final runs, on the mean log-likelihood
        per sample (as :class:`~skgmm_em.GaussianMixture`); tighter than the
        estimator's default so that close cells are compared at their optimum.

    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, as in
        :class:`~skgmm_em.GaussianMixture`.

    max_iter : int, default=1000
        Maximum number of EM iterations of a final run (after screening).

    degenerate_tol : float or None, default=1e-6
        A fit is degenerate when, once ``reg_covar`` is taken off, one of its
        covariances has a variance below ``degenerate_tol`` times the data's
        variance (in the feature's units, or along an eigenvector in
        standardized units). ``None`` keeps every fit.

    prior : None, 'conjugate' or ConjugatePrior, default=None
        The prior of every cell's :class:`~skgmm_em.GaussianMixture` (see
        its ``prior``): None fits by maximum likelihood, ``'conjugate'`` is
        mclust's default conjugate prior (``priorControl()``), a
        :class:`~skgmm_em.ConjugatePrior` sets its four settings. With a
        prior, each cell's fit is the posterior mode, and its log-likelihood
        and criteria are those of the data at that estimate, as mclust's
        ``mclustBIC(X, prior = priorControl())`` reports them; starts are
        ranked by that log-likelihood.

    random_state : int, RandomState instance or None, default=None
        Seeds the starts. Pass an int for reproducible results (the same
        for any ``n_jobs``).

    n_jobs : int, default=None
        Number of cells fit in parallel (joblib). ``None`` means 1 unless in
        a :func:`joblib.parallel_config` context; ``-1`` uses all
        processors. Each fit itself runs single-threaded (BLAS, OpenMP and
        the EM core's chunks). Use a process-based backend (joblib's
        default): the fits silence their
        ``ConvergenceWarning`` with :func:`warnings.catch_warnings`, which is
        not thread-safe.

    verbose : int, default=0
        Print progress through the grid: 1 prints one line per cell and
        step and the choice, 2 also the screened log-likelihood of every
        start. The fits of the cells print nothing.

    component : {'gaussian', 't'}, default='gaussian'
        The component distribution of every cell: Gaussian
        (:class:`~skgmm_em.GaussianMixture`) or multivariate t with
        estimated degrees of freedom (:class:`~skgmm_em.StudentMixture`,
        whose criteria count the ``n_components`` degrees of freedom among
        the parameters). Compare the two by the criteria of a selector of
        each on the same data.
    noise_component : bool, default=False
        Fit every cell with a uniform noise component
        (``GaussianMixture(noise_component=True)``, see ``docs/noise.md``);
        the criteria count its two parameters.

    Attributes
    ----------
    best_estimator_ : GaussianMixture or StudentMixture
        The fitted model of the chosen cell.

    best_params_ : dict
        ``{'n_components': ..., 'covariance_type': ...}`` of the chosen cell.

    criterion_table_ : pandas.DataFrame or ndarray of shape \
            (n_rows, n_covariance_types)
        The criterion of every cell (NaN where no usable fit was found).
        With pandas installed, a DataFrame indexed by ``n_components`` with
        one column per covariance type; otherwise an array whose rows follow
        ``n_components_grid_`` and columns ``covariance_types_``.

    log_likelihood_table_ : pandas.DataFrame or ndarray
        The total log-likelihood of the training data under every cell's
        fit, laid out as ``criterion_table_``.

    n_components_grid_ : ndarray of shape (n_rows,)
        The numbers of components tried, sorted: the rows of the tables.

    covariance_types_ : tuple of str
        The covariance types tried, by the names given: the columns of the
        tables.

    results_ : dict of ndarray
        One entry per cell, rows in the order of the tables read row by
        row: ``'n_components'``, ``'covariance_type'``, ``'log_likelihood'``,
        ``'n_parameters'``, ``'bic'``, ``'aic'``, ``'icl'``, ``'converged'``,
        ``'status'`` (``'ok'``, ``'degenerate'``, ``'failed'`` or
        ``'too few samples'``), ``'n_starts'`` and ``'n_iter'`` (the starts
        and EM iterations spent on the cell). ``pandas.DataFrame(results_)``
        gives a long table.

    labels_ : ndarray of shape (n_samples,)
        The component of each training sample under the chosen model.

    n_iter_ : int
        Total number of EM iterations over all starts of all cells.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    bic_scorer : Select with GridSearchCV instead.
    skgmm_em.GaussianMixture : The model fit in every cell.

    References
    ----------
    .. [1] C. Fraley and A. E. Raftery, "Model-based clustering,
       discriminant analysis, and density estimation", Journal of the
       American Statistical Association, 97(458), 2002.
    .. [2] L. Scrucca, M. Fop, T. B. Murphy and A. E. Raftery, "mclust 5:
       clustering, classification and density estimation using Gaussian
       finite mixture models", The R Journal, 8(1), 2016.
    .. [3] N. Ueda, R. Nakano, Z. Ghahramani and G. E. Hinton, "SMEM
       algorithm for mixture models", Neural Computation, 12(9), 2000.

    Examples
    --------
    >>> from skgmm_em import GaussianMixtureSelector
    >>> from skgmm_em.datasets import load_faithful
    >>> X, _ = load_faithful()
    >>> selector = GaussianMixtureSelector(
    ...     n_components=[2, 3, 4], covariance_type=["full", "tied"],
    ...     random_state=0,
    ... ).fit(X)
    >>> selector.best_params_
    {'n_components': 3, 'covariance_type': 'tied'}
    >>> round(float(selector.best_estimator_.score(X) * len(X)), 2)
    -1126.32

    mclust's names work as well, and the summary lists the best cells as
    mclust's ``summary(mclustBIC)`` does (here in mclust's sign):

    >>> selector = GaussianMixtureSelector(
    ...     n_components=[2, 3], covariance_type=["EEE", "VVV"],
    ...     random_state=0,
    ... ).fit(X)
    >>> print(selector.summary(2, mclust_sign=True))
    Best BIC values (mclust's sign: higher is better):
                   EEE,3      VVV,2
    BIC        -2314.297  -2322.192
    BIC diff       0.000     -7.895
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            "array-like",
            None,
        ],
        "covariance_type": [StrOptions(set(ALL_COVARIANCE_TYPES)), "array-like"],
        "criterion": [StrOptions(set(CRITERIA))],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init_params": [
            StrOptions(set(INITIALIZERS)),
            HasMethods(["initialize"]),
            callable,
            "array-like",
        ],
        "standardize": ["boolean", StrOptions({"both"})],
        "split_merge": ["boolean"],
        "refine_margin": [Interval(Real, 0.0, None, closed="left"), None],
        "screen_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "degenerate_tol": [Interval(Real, 0.0, None, closed="left"), None],
        "prior": COMPONENTS["gaussian"]._parameter_constraints["prior"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "component": [StrOptions(set(COMPONENTS))],
        "noise_component": ["boolean"],
    }

    def __init__(
        self,
        n_components=None,
        *,
        covariance_type=COVARIANCE_TYPES,
        criterion="bic",
        n_init=3,
        init_params=("kmeans", "k-means++", "random_from_data"),
        standardize="both",
        split_merge=True,
        refine_margin=10.0,
        screen_iter=10,
        tol=1e-6,
        reg_covar=1e-6,
        max_iter=1000,
        degenerate_tol=1e-6,
        prior=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
        component="gaussian",
        noise_component=False,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.criterion = criterion
        self.n_init = n_init
        self.init_params = init_params
        self.standardize = standardize
        self.split_merge = split_merge
        self.refine_margin = refine_margin
        self.screen_iter = screen_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.degenerate_tol = degenerate_tol
        self.prior = prior
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.component = component
        self.noise_component = noise_component

    # ------------------------------------------------------------------
    # ------------------------------------------------------------------
    # fitting

    def fit(self, X, y=None):
        """Fit every cell of the grid and keep the one with the best criterion.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted selector.
        """
        validate_params(self)
        X = validated_rows(self, X)
        estimator = cell_estimator(self.component, self.noise_component, self.prior)
        grid = n_components_grid(self.n_components)
        types = covariance_types(self.covariance_type)
        starts = initializers(self.init_params, self.standardize)
        random_state = check_random_state(self.random_state)
        printer = _progress.SelectionPrinter(self.verbose)
        shares = StepShares(self.split_merge, self.refine_margin, len(grid))

        cells = [(int(k), t) for k in grid for t in types]
        # Drawn up front, in a fixed order, so that n_jobs does not change them.
        seeds = {
            cell: random_state.randint(np.iinfo(np.int32).max, size=2 * self.n_init)
            for cell in cells
        }
        settings = Settings(
            tol=self.tol,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            screen_iter=self.screen_iter,
            degenerate_tol=self.degenerate_tol,
            scale=center_scale(X)[1],
            estimator=estimator,
            noise_component=self.noise_component,
            prior=self.prior,
        )
        # Drawn after the seeds, so that the cells' seeds do not depend on it.
        hierarchical = [HierarchicalStarts(X, random_state, use) for use in _HC_USES]
        search = Search(X, settings, seeds, starts, self, printer)
        feasible = [cell for cell in cells if cell[0] <= X.shape[0]]
        search.run_step(
            "initializer starts",
            shares.starts(),
            {cell: search.initial_starts(cell, hierarchical) for cell in feasible},
        )
        if self.split_merge:
            search.split_merge(set(feasible), shares, len(grid))
        if self.refine_margin is not None:
            search.refine(self.refine_margin, shares.refine())

        self._set_results(X, grid, types, search)
        _progress.report(
            _progress.SelectionFinished(
                self.best_params_["n_components"],
                self.best_params_["covariance_type"],
                self.criterion,
                float(np.nanmin(self.results_[self.criterion])),
            ),
            printer,
        )
        return self

    def _set_results(self, X, grid, types, search):
        """Fill the tables, results_ and the best model from the cell fits."""
        summary = summarize(
            X, grid, types, search.fits, search.effort, self.criterion, self.max_iter
        )
        results = summary.results
        self.n_components_grid_ = grid
        self.covariance_types_ = types
        self.results_ = results
        self.criterion_table_ = table(summary.values, grid, types)
        self.log_likelihood_table_ = table(
            results["log_likelihood"].reshape(len(grid), len(types)), grid, types
        )
        self.best_params_ = {
            "n_components": summary.best_cell[0],
            "covariance_type": summary.best_cell[1],
        }
        self.best_estimator_ = search.fits[summary.best_cell].model
        self.labels_ = self.best_estimator_.labels_
        self.n_iter_ = int(results["n_iter"].sum())

    # ------------------------------------------------------------------
    # the tables

    def bic_table(self, *, mclust_sign=False):
        """The BIC of every cell, as mclust's BIC table: a row per number of
        components, a column per covariance type.

        Parameters
        ----------
        mclust_sign : bool, default=False
            ``False``: scikit-learn's sign, ``-2 log L + p log n`` (lower is
            better), the values of :func:`bic`. ``True``: mclust's,
            ``2 log L - p log n`` (higher is better), the numbers
            ``mclustBIC`` prints.

        Returns
        -------
        table : pandas.DataFrame or ndarray of shape (n_rows, n_covariance_types)
            With pandas installed, a DataFrame indexed by ``n_components``
            with one column per covariance type (the names given); otherwise
            an array whose rows follow ``n_components_grid_`` and columns
            ``covariance_types_``. NaN where no usable fit was found
            (mclust's ``NA``).
        """
        check_is_fitted(self)
        grid, types = self.n_components_grid_, self.covariance_types_
        values = criterion_values(
            self.results_, len(grid), len(types), "bic", mclust_sign
        )
        return table(values, grid, types)

    def summary(self, n_best=3, *, criterion=None, mclust_sign=False):
        """The best cells and their criterion, like mclust's ``summary(mclustBIC)``.

        Parameters
        ----------
        n_best : int, default=3
            How many cells to list (fewer when fewer have a value).
        criterion : {'bic', 'aic', 'icl'} or None, default=None
            The criterion to rank by; None: the selector's ``criterion``.
        mclust_sign : bool, default=False
            Show the negated values (mclust's sign, higher is better; for
            BIC the numbers mclust prints). The ranking is the same.

        Returns
        -------
        best : BestModels
            Prints as mclust's summary; its ``cells``
            (``(covariance_type, n_components)``, best first), ``values``
            and ``differences`` (to the best) hold the numbers.

        """
        check_is_fitted(self)
        criterion = self.criterion if criterion is None else criterion
        return best_models(self.results_, n_best, criterion, mclust_sign)

    # ------------------------------------------------------------------
    # the chosen model

    def _validate_for_inference(self, X):
        check_is_fitted(self)
        return validated_rows(self, X, fit=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def predict(self, X):
        """Most probable component of each sample under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels.
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.predict(X)

    def predict_proba(self, X):
        """Posterior probability of each component under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            The responsibilities; each row sums to one.
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.predict_proba(X)

    def score_samples(self, X):
        """Log-likelihood of each sample under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.score_samples(X)

    def score(self, X, y=None):
        """Mean log-likelihood of the samples under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        log_likelihood : float
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.score(X)

    def sample(self, n_samples=1):
        """Draw samples from the chosen model.

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
        return self.best_estimator_.sample(n_samples)
