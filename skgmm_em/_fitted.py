"""What follows from a fitted mixture's parameters: the number of free
parameters, the information criteria, samples, and the decomposition of
the covariances into volumes, shapes and orientations."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _criteria
from ._covariance import MODELS


class FittedMixtureMixin:
    """Criteria, sampling and the covariance decomposition, for an estimator
    with ``covariance_type``, ``n_components``, ``random_state``, fitted
    parameters (``_params()``) and ``score``."""

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

    # ------------------------------------------------------------------
    # the decomposition Sigma_k = lambda_k D_k A_k D_k^T

    def _decomposition(self):
        k, d = self.means_.shape
        covariances = np.asarray(self.covariances_, dtype=np.float64)
        return MODELS[self.covariance_type].decompose(covariances, k, d)

    @property
    def volumes_(self):
        return self._decomposition()[0]

    @property
    def shapes_(self):
        return self._decomposition()[1]

    @property
    def orientations_(self):
        return self._decomposition()[2]


def _num_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)
