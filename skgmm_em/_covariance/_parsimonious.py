"""The ten parsimonious models beyond scikit-learn's four (mclust's EII,
EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV, EVV).

Each is stored as full matrices, one per component, like ``'full'``: the
E-step, the statistics, the conversions and sampling are ``'full'``'s; the
M-step finds the covariances of the model from the components' scatter
matrices (:mod:`skgmm_em._covariance._constrained`), with ``reg_covar``
added to each scatter as ``n_k * reg_covar`` on its diagonal, so that the
fitted covariances keep the model's constraints. The initial M-step of a
start is ``'full'``'s, ``reg_covar`` added, reduced to the model by
``from_full`` with the components' masses.
"""

from dataclasses import replace

import numpy as np

from ._constrained import DEFAULT_INNER, constrained_covariances
from ._full import FULL, symmetric_inverse

NAMES = ("EII", "EEI", "VEI", "EVI", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV")


def n_cov_parameters(name, k, d):
    """mclust's count of free covariance parameters of model ``name``."""
    volume, shape, orientation = name
    count = {"E": 1, "V": k}[volume]
    count += {"I": 0, "E": d - 1, "V": k * (d - 1)}[shape]
    count += {"I": 0, "E": 1, "V": k}[orientation] * (d * (d - 1) // 2)
    return count


def _m_step_kernel(name):
    def m_step(
        nk, nk_eps, sx, sxx, means, reg_covar, previous=None, settings=DEFAULT_INNER
    ):
        new_means, cov = FULL.m_step_kernel(nk, nk_eps, sx, sxx, means, reg_covar)
        scatter = cov * nk_eps[:, None, None]
        return new_means, constrained_covariances(
            name, nk_eps, scatter, previous, settings
        )

    return m_step


def _from_full(name):
    def from_full(cov, weights):
        weights = np.asarray(weights, dtype=np.float64)
        scatter = np.asarray(cov, dtype=np.float64) * weights[:, None, None]
        return constrained_covariances(name, weights, scatter)

    return from_full


def _record(name):
    from_full = _from_full(name)
    return replace(
        FULL,
        name=name,
        mclust_name=name,
        n_cov_parameters=lambda k, d: n_cov_parameters(name, k, d),
        m_step_kernel=_m_step_kernel(name),
        from_full=from_full,
        precisions_from_full=lambda cov, weights: symmetric_inverse(
            from_full(cov, weights)
        ),
        inner=DEFAULT_INNER,
        constrained=True,
    )


PARSIMONIOUS = tuple(_record(name) for name in NAMES)
