"""The information criteria of a fitted mixture and their scorers.

:func:`n_parameters`, :func:`bic`, :func:`aic` and :func:`icl` (lower is
better) and the negated :func:`bic_scorer`, :func:`aic_scorer` and
:func:`icl_scorer` for ``GridSearchCV``. The formulas themselves live in
:mod:`skgmm_em._criteria`; this module finds the mixture behind what it is
given and its log-likelihood on X.

The criteria accept a fitted :class:`skgmm_em.GaussianMixture`, a fitted
:class:`sklearn.mixture.GaussianMixture`, a fitted
:class:`~sklearn.pipeline.Pipeline` whose last step is one of those (the
criterion is then that of the mixture on the transformed data), or a fitted
:class:`~skgmm_em.GaussianMixtureSelector` (the criterion of its best model).
"""

import numpy as np
from scipy.special import xlogy
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .. import _criteria as _formulas
from .._covariance import MODELS


def _mixture(estimator):
    """The fitted Gaussian mixture behind a mixture, Pipeline or selector."""
    from ._selector import GaussianMixtureSelector

    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    if isinstance(estimator, GaussianMixtureSelector):
        check_is_fitted(estimator)
        estimator = estimator.best_estimator_
    if not (
        hasattr(estimator, "covariance_type")
        and hasattr(estimator, "score_samples")
        and hasattr(estimator, "predict_proba")
    ):
        raise TypeError(
            "The information criteria need a Gaussian mixture (skgmm_em."
            "GaussianMixture or sklearn.mixture.GaussianMixture), a Pipeline "
            "ending in one, or a GaussianMixtureSelector; got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    return estimator


def total_log_likelihood(estimator, X):
    """Sum of log p(x) over the rows of X (float64), and the number of rows."""
    log_prob = estimator.score_samples(X)
    return float(np.sum(log_prob, dtype=np.float64)), len(log_prob)


def n_parameters(estimator):
    """Number of free parameters of a fitted Gaussian mixture.

    ``K - 1`` weights, ``K * D`` means and the covariance parameters of the
    covariance type, for ``K`` components in ``D`` dimensions (and ``K``
    degrees of freedom for a :class:`~skgmm_em.StudentMixture` that
    estimates them):

    ===============  ===========================
    ``'full'``       ``K * D * (D + 1) / 2``
    ``'tied'``       ``D * (D + 1) / 2``
    ``'diag'``       ``K * D``
    ``'spherical'``  ``K``
    ===============  ===========================

    A noise component (``noise_component=True``) adds two, its weight and
    its volume ``V``, as mclust counts them.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.

    Returns
    -------
    n_parameters : int

    Examples
    --------
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import load_faithful
    >>> from skgmm_em.model_selection import n_parameters
    >>> X, _ = load_faithful()
    >>> gm = GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    >>> n_parameters(gm)  # 2 weights, 6 means, 3 covariance entries
    11
    """
    mixture = _mixture(estimator)
    n_components, n_features = np.shape(mixture.means_)
    count = MODELS[mixture.covariance_type].n_parameters(n_components, n_features)
    if hasattr(mixture, "dofs_") and mixture.get_params().get("dof", 0) is None:
        # A StudentMixture that estimated its components' degrees of freedom.
        count += n_components
    if hasattr(mixture, "noise_log_volume_"):
        # A noise component: its weight and V, as mclust counts them.
        count += 2
    return count


def bic(estimator, X):
    """Bayesian information criterion of a fitted mixture on X (lower is better).

    ``BIC = -2 log L + p log(n)``, with ``log L`` the total log-likelihood
    of the ``n`` rows of X and ``p`` the number of free parameters
    (:func:`n_parameters`). This is scikit-learn's sign; R's mclust reports
    ``2 log L - p log(n)``, the same number negated (higher is better).

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator`` (a Pipeline transforms it).

    Returns
    -------
    bic : float

    See Also
    --------
    aic, icl, bic_scorer

    Examples
    --------
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import load_faithful
    >>> from skgmm_em.model_selection import bic
    >>> X, _ = load_faithful()
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> round(bic(gm, X), 1)  # mclust's VVV with 2 components: -2322.192
    2322.2
    """
    mixture = _mixture(estimator)
    log_likelihood, n_samples = total_log_likelihood(estimator, X)
    return _formulas.bic(log_likelihood, n_parameters(mixture), n_samples)


def aic(estimator, X):
    """Akaike information criterion of a fitted mixture on X (lower is better).

    ``AIC = -2 log L + 2 p``, with ``log L`` the total log-likelihood of X
    and ``p`` the number of free parameters (:func:`n_parameters`).

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator``.

    Returns
    -------
    aic : float

    See Also
    --------
    bic, icl, aic_scorer
    """
    mixture = _mixture(estimator)
    log_likelihood, _ = total_log_likelihood(estimator, X)
    return _formulas.aic(log_likelihood, n_parameters(mixture))


def icl(estimator, X):
    """Integrated completed likelihood criterion on X (lower is better).

    ``ICL = BIC + 2 EN`` with ``EN = -sum_i sum_k r_ik log r_ik`` the
    entropy of the responsibilities ``r = predict_proba(X)``. ICL adds to
    BIC a penalty for overlapping components, so it prefers well separated
    clusters to the best density fit. (mclust's ``icl`` uses the hard
    classification instead of the entropy: ``-sum_i log max_k r_ik``.)

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator``.

    Returns
    -------
    icl : float

    See Also
    --------
    bic, icl_scorer

    References
    ----------
    .. [1] C. Biernacki, G. Celeux and G. Govaert, "Assessing a mixture
       model for clustering with the integrated completed likelihood",
       IEEE Transactions on Pattern Analysis and Machine Intelligence,
       22(7), 2000.
    """
    resp = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    entropy = -float(np.sum(xlogy(resp, resp)))
    return bic(estimator, X) + 2.0 * entropy


def bic_scorer(estimator, X, y=None):
    """Negated BIC, a scorer for ``GridSearchCV(scoring=bic_scorer)``.

    Greater is better, as scikit-learn's model selection tools expect. In a
    cross-validation the criterion is computed on each held-out fold (a
    penalized held-out likelihood); for the in-sample BIC, give a single
    split whose train and test sets are all the data, for example
    ``cv=[(np.arange(n), np.arange(n))]``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-bic(estimator, X)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgmm_em import GaussianMixture, bic_scorer
    >>> from skgmm_em.datasets import load_faithful
    >>> X, _ = load_faithful()
    >>> search = GridSearchCV(
    ...     GaussianMixture(covariance_type="tied", n_init=5, random_state=0),
    ...     {"n_components": [1, 2, 3]},
    ...     scoring=bic_scorer,
    ...     cv=[(np.arange(len(X)), np.arange(len(X)))],
    ... ).fit(X)
    >>> search.best_params_
    {'n_components': 2}
    """
    return -bic(estimator, X)


def aic_scorer(estimator, X, y=None):
    """Negated AIC, a scorer for ``GridSearchCV(scoring=aic_scorer)``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-aic(estimator, X)``.
    """
    return -aic(estimator, X)


def icl_scorer(estimator, X, y=None):
    """Negated ICL, a scorer for ``GridSearchCV(scoring=icl_scorer)``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-icl(estimator, X)``.
    """
    return -icl(estimator, X)


CRITERIA = {"bic": bic, "aic": aic, "icl": icl}
