"""What follows from a fitted mixture's parameters: the number of free
parameters, the information criteria, and the decomposition of the
covariances into volumes, shapes and orientations."""

import numpy as np

from . import _criteria
from ._covariance import MODELS


class FittedMixtureMixin:
    """Criteria and the covariance decomposition, for an estimator with
    ``covariance_type``, ``n_components``, ``means_``, ``covariances_`` and
    ``score``."""

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
