"""The starts of a fit with a noise component (``noise_component=True``).

The initial noise is a mask of the rows: nearest-neighbour clutter removal
(``noise_init='nnclean'``, :func:`skgmm_em._noise.nnclean`) or the user's
boolean array. As mclust starts its Gaussian components from hierarchical
clustering of the rows not in the initial noise, the initializer runs on
those rows; the noise's initial weight is their (weighted) share of the
rows, and ``log V`` is mclust's hypervolume of the data unless
``noise_volume`` sets ``V``.
"""

import numpy as np

from . import _noise
from ._starts import FreshStarts


class NoisyStarts:
    """The starts of ``starts`` (a FreshStarts) with the noise component."""

    lower_bound = -np.inf

    def __init__(self, starts, noise_weight, log_volume):
        self.starts = starts
        self.noise_weight = noise_weight
        self.log_volume = log_volume

    def draw(self):
        """The parameters of the next start."""
        params = self.starts.draw()
        return _noise.with_noise(params, self.noise_weight, self.log_volume)


def _log_volume(noise_volume, X, sample_weight):
    if noise_volume is not None:
        return float(np.log(noise_volume))
    rows = X if sample_weight is None else X[sample_weight > 0]
    log_volume = _noise.log_hypervolume(rows)
    if not np.isfinite(log_volume):
        raise ValueError(
            "noise_component=True: the data's region has no volume (a "
            "constant feature, or features on a line). Drop the constant "
            "features, or set noise_volume."
        )
    return log_volume


def _noise_mask(noise_init, X):
    if isinstance(noise_init, str):
        return _noise.nnclean(X)
    mask = np.asarray(noise_init)
    if mask.dtype != bool or mask.shape != (X.shape[0],):
        raise ValueError(
            "noise_init must be 'nnclean' or a boolean array of shape "
            f"(n_samples,) = ({X.shape[0]},) marking the initial noise; got "
            f"an array of dtype {mask.dtype} and shape {mask.shape}."
        )
    return mask


def check_noise_source(source):
    """Refuse rows a noise component does not support: missing values and
    dask arrays."""
    if source.missing is not None or not isinstance(source.X, np.ndarray):
        raise ValueError(
            "noise_component=True needs complete data in a NumPy array: it "
            "does not support missing values (NaN: impute them first) or "
            "dask arrays (use a sample in memory)."
        )
    return source


def noisy_starts(noise_init, noise_volume, source, init, random_state):
    """The NoisyStarts of a fit on ``source`` (complete rows in a NumPy
    array: missing values and dask arrays are refused)."""
    check_noise_source(source)
    X, sample_weight = source.X, source.sample_weight
    mask = _noise_mask(noise_init, X)
    weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    keep = ~mask & (weights > 0)
    if keep.sum() < init.n_components:
        raise ValueError(
            f"noise_init leaves {int(keep.sum())} rows outside the initial "
            f"noise, fewer than n_components={init.n_components}."
        )
    # An empty initial noise starts with the weight of one row, from which
    # EM can grow it (a weight of zero would stay zero).
    noise_weight = float(max(weights[mask].sum(), 1.0) / weights.sum())
    rows = np.ascontiguousarray(X[keep])
    row_weights = None if sample_weight is None else sample_weight[keep]
    starts = FreshStarts(init, rows, row_weights, random_state)
    return NoisyStarts(
        starts, noise_weight, _log_volume(noise_volume, X, sample_weight)
    )


NOISE_ATTRIBUTES = ("noise_weight_", "noise_volume_", "noise_log_volume_")


def set_noise_attributes(estimator, noise_weight, log_volume):
    """The fitted noise attributes (removed when ``log_volume`` is None: no
    noise component)."""
    for name in NOISE_ATTRIBUTES:
        estimator.__dict__.pop(name, None)
    if log_volume is not None:
        estimator.noise_weight_ = float(noise_weight)
        with np.errstate(over="ignore"):
            estimator.noise_volume_ = float(np.exp(log_volume))
        estimator.noise_log_volume_ = float(log_volume)


def noise_params(estimator, params):
    """A fitted estimator's MixtureParams with its noise component, if any."""
    if not hasattr(estimator, "noise_log_volume_"):
        return params
    return params._replace(
        noise_weight=estimator.noise_weight_,
        log_volume=estimator.noise_log_volume_,
    )
