"""GaussianMixtureImputer: fill missing values from a fitted mixture."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _em, _missing
from ._compat import validate_params
from ._gaussian_mixture import GaussianMixture


class GaussianMixtureImputer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Impute missing values by their conditional expectation under a GMM.

    Fits a :class:`~skgmm_em.GaussianMixture` to the incomplete data by
    exact EM (rows with NaN contribute through their observed values), then
    replaces each missing value by its expectation given the row's observed
    values: ``E[x_m | x_o] = sum_k p(k | x_o) (mu_km + S_k,mo S_k,oo^-1
    (x_o - mu_ko))``. With one full-covariance component this is regression
    imputation under a Gaussian; more components follow curved and clustered
    data. A row with every value missing becomes the mixture mean.

    The output has the input's features, in order: ``get_feature_names_out``
    returns their names, so ``set_output(transform="pandas")`` (on the
    imputer or on a Pipeline holding it) gives a DataFrame with the input's
    columns.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Covariance form; only ``'full'`` and ``'tied'`` use the correlation
        between features within a component; with ``'diag'`` and
        ``'spherical'`` a missing value is the average of the component
        means, weighted by how probable each component is given the
        observed values.
    tol : float, default=1e-3
        EM stopping threshold on the mean log-likelihood.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance.
    max_iter : int, default=100
        Maximum number of EM iterations.
    n_init : int, default=1
        Number of initializations; the best is kept.
    init_params : str, initializer or callable, default='kmeans'
        Initialization; see :class:`~skgmm_em.GaussianMixture`.
    random_state : int, RandomState instance or None, default=None
        Seed for the initialization.

    Attributes
    ----------
    mixture_ : GaussianMixture
        The mixture fitted to the training data.
    n_iter_ : int
        Number of EM iterations of the fit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.impute.SimpleImputer : Imputation by column statistics.
    sklearn.impute.IterativeImputer : Imputation by chained regressions.

    References
    ----------
    .. [1] Z. Ghahramani and M. I. Jordan, "Supervised learning from
       incomplete data via an EM approach", NIPS 6, 1994.

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import GaussianMixtureImputer
    >>> rng = np.random.RandomState(0)
    >>> x = rng.normal(size=200)
    >>> X = np.c_[x, 2 * x + 0.01 * rng.normal(size=200)]
    >>> X[0, 1] = np.nan
    >>> filled = GaussianMixtureImputer(random_state=0).fit_transform(X)
    >>> bool(abs(filled[0, 1] - 2 * X[0, 0]) < 0.05)
    True

    In a pandas pipeline:

    >>> import pandas as pd
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> frame = pd.DataFrame(X, columns=["x", "y"])
    >>> pipe = make_pipeline(GaussianMixtureImputer(random_state=0), StandardScaler())
    >>> pipe.set_output(transform="pandas").fit_transform(frame).columns.tolist()
    ['x', 'y']
    """

    _parameter_constraints: dict = {
        name: GaussianMixture._parameter_constraints[name]
        for name in (
            "n_components",
            "covariance_type",
            "tol",
            "reg_covar",
            "max_iter",
            "n_init",
            "init_params",
            "random_state",
        )
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
        random_state=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Fit the mixture to incomplete data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with NaN where values are missing.
        y : Ignored
            Not used, present for API consistency by convention.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted imputer.
        """
        validate_params(self)
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            ensure_min_samples=2,
        )
        self.mixture_ = GaussianMixture(
            self.n_components,
            covariance_type=self.covariance_type,
            tol=self.tol,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            n_init=self.n_init,
            init_params=self.init_params,
            random_state=self.random_state,
        ).fit(X, sample_weight=sample_weight)
        self.n_iter_ = self.mixture_.n_iter_
        return self

    def transform(self, X):
        """Replace each NaN by its conditional expectation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with NaN where values are missing.

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features)
            A copy of X without NaN.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            reset=False,
            ensure_all_finite="allow-nan",
        )
        gm = self.mixture_
        params = _em.params_of(gm)
        return _em.conditional_expectation(
            X, params, gm.covariance_type, _missing.find_missing(X)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
