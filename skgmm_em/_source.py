"""Data sources: the rows EM and inference run over, validated once.

The estimator validates ``X`` and its sample weights once and wraps them in
one of three sources, chosen by :func:`fit_source` (or
:func:`inference_source`) and never asked about again:

* :class:`ArraySource`: complete rows in a NumPy array, in memory or a
  :class:`numpy.memmap`;
* :class:`MissingSource`: a NumPy array with NaN; it holds where they are
  (:class:`~skgmm_em._missing.Missingness`), and every pass adds the
  expected statistics of the incomplete rows to those of the complete ones;
* :class:`DaskSource`: a :class:`dask.array.Array`, reduced block by block
  where the blocks live (:mod:`skgmm_em._dask`).

A source maps the chunk functions of the EM core over its rows and adds the
results: :meth:`e_step` gives summed sufficient statistics, and
:meth:`predict`, :meth:`predict_proba`, :meth:`score_samples` and
:meth:`score` the per-row results of inference (lazy dask arrays for dask).
:meth:`recentred_m_step` is the M-step that takes a second pass where the
rows allow it, and :meth:`init_rows` gives the rows an initializer sees: all
rows in memory, a sample in memory for data out of memory, the complete rows
for data with NaN. The EM driver (:mod:`skgmm_em._driver`) only calls these
methods; the estimator also asks :meth:`moments` (the data's means and
covariance, for the defaults of a prior).
"""

import numpy as np
from sklearn.utils.validation import validate_data

from . import _dask, _em, _missing, _moments
from ._validation import check_sample_weight


class ArraySource:
    """Complete rows of a NumPy array, with optional sample weights.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64, without NaN.
    sample_weight : ndarray of shape (n_samples,), default=None
        Validated weights (see :func:`skgmm_em._validation.check_sample_weight`).
    in_memory : bool, default=True
        False for a memory map: the initializer then sees a sample of rows.
    """

    missing = None

    def __init__(self, X, sample_weight=None, *, in_memory=True):
        self.X = X
        self.sample_weight = sample_weight
        self.in_memory = in_memory

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def dtype(self):
        """The data's dtype, in which the heavy products run."""
        return self.X.dtype

    def e_step(self, params, covariance_type):
        """Sufficient statistics of all rows under ``params``."""
        return _em.e_step(
            self.X, params, covariance_type, self.sample_weight, self.missing
        )

    def _rows_for_recentring(self):
        return self.X

    def recentred_m_step(self, stats, params, covariance_type, reg_covar):
        """:func:`skgmm_em._em.recentred_m_step`, with a second pass over the
        rows where the source allows one."""
        return _em.recentred_m_step(
            self._rows_for_recentring(),
            stats,
            params,
            covariance_type,
            reg_covar,
            self.dtype,
            self.sample_weight,
        )

    def predict(self, params, covariance_type):
        """Most probable component of each row; (n_samples,) int64."""
        return _em.predict(self.X, params, covariance_type, self.missing)

    def predict_proba(self, params, covariance_type):
        """Responsibilities; (n_samples, n_components) in the data's dtype."""
        return _em.predict_proba(self.X, params, covariance_type, self.missing)

    def score_samples(self, params, covariance_type):
        """``log p(x)`` of each row (of its observed part); (n_samples,)."""
        return _em.score_samples(self.X, params, covariance_type, self.missing)

    def score(self, params, covariance_type, sample_weight=None):
        """(Weighted) mean of :meth:`score_samples`, a float."""
        log_prob = self.score_samples(params, covariance_type)
        weights = check_sample_weight(sample_weight, log_prob.shape[0])
        if weights is None:
            # scikit-learn's mean, in the dtype of the data.
            return float(np.mean(log_prob))
        return float(np.average(log_prob.astype(np.float64), weights=weights))

    def moments(self):
        """The rows' weighted column means (D,) and covariance matrix (D, D),
        NaN left out (see :mod:`skgmm_em._moments`): the prior's defaults."""
        return _moments.data_moments(self.X, self.sample_weight)

    def init_rows(self, n_components, sample_size, random_state, needed=True):
        """``(X, sample_weight)`` the initializer sees: all rows in memory; for
        a memory map a random sample of ``sample_size`` rows drawn from
        ``random_state`` when ``needed``, else ``(None, None)``."""
        if self.in_memory:
            return self.X, self.sample_weight
        if not needed:
            return None, None
        return _dask.init_sample(self.X, self.sample_weight, sample_size, random_state)


class MissingSource(ArraySource):
    """Rows of a NumPy array with NaN, whose positions ``missing`` gives.

    Passes add the expected statistics (or per-row results) of the rows with
    NaN, by missingness pattern (:mod:`skgmm_em._missing`), to those of the
    complete rows.
    """

    def __init__(self, X, sample_weight, missing):
        super().__init__(X, sample_weight)
        self.missing = missing

    def _rows_for_recentring(self):
        # Moments about new means need every row complete.
        return None

    def init_rows(self, n_components, sample_size, random_state, needed=True):
        """The complete rows if there are enough, else the rows with NaN
        filled in (see :func:`skgmm_em._missing.initialization_data`)."""
        return _missing.initialization_data(
            self.X, self.sample_weight, self.missing, n_components
        )


class DaskSource(ArraySource):
    """Rows of a dask array (complete), reduced block by block."""

    def __init__(self, X, sample_weight=None):
        super().__init__(X, sample_weight, in_memory=False)

    def e_step(self, params, covariance_type):
        return _dask.e_step(self.X, params, covariance_type, self.sample_weight)

    def moments(self):
        return _dask.data_moments(self.X, self.sample_weight)

    def _rows_for_recentring(self):
        # A second pass over the blocks is not worth it for the rare collapse.
        return None

    def predict(self, params, covariance_type):
        """Lazy :meth:`ArraySource.predict`."""
        return _dask.predict(self.X, params, covariance_type)

    def predict_proba(self, params, covariance_type):
        """Lazy :meth:`ArraySource.predict_proba`."""
        return _dask.predict_proba(self.X, params, covariance_type)

    def score_samples(self, params, covariance_type):
        """Lazy :meth:`ArraySource.score_samples`."""
        return _dask.score_samples(self.X, params, covariance_type)

    def score(self, params, covariance_type, sample_weight=None):
        """The mean log-likelihood, computed (``sample_weight`` may be dask)."""
        return _dask.score(self.X, params, covariance_type, sample_weight)


def is_lazy(array):
    """Whether ``array`` is a lazy (dask) result of a source."""
    return _dask.is_dask_array(array)


def _validated(estimator, X, reset, ensure_min_samples):
    """X checked by scikit-learn's ``validate_data`` (NaN allowed), or a dask
    array checked by :func:`skgmm_em._dask.validate_dask`."""
    if _dask.is_dask_array(X):
        X = _dask.validate_dask(X, ensure_min_samples=ensure_min_samples)
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        return X
    # check_array's finiteness test sums X, which warns for inf - inf.
    with np.errstate(invalid="ignore", over="ignore"):
        return validate_data(
            estimator,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_min_samples=ensure_min_samples,
            ensure_all_finite="allow-nan",
        )


def _wrap(X, sample_weight, *, in_memory=True):
    if _dask.is_dask_array(X):
        return DaskSource(X, sample_weight)
    missing = _missing.find_missing(X)
    if missing is not None:
        return MissingSource(X, sample_weight, missing)
    return ArraySource(X, sample_weight, in_memory=in_memory)


def fit_source(estimator, X, sample_weight, n_components):
    """The source of a fit: X and ``sample_weight`` validated (``validate_data``
    resets the estimator's ``n_features_in_``), at least two rows and
    ``n_components``, and as many rows of positive weight."""
    in_memory = not isinstance(X, np.memmap)
    X = _validated(estimator, X, reset=True, ensure_min_samples=2)
    n_samples = X.shape[0]
    if n_samples < n_components:
        raise ValueError(
            "Expected n_samples >= n_components but got n_components = "
            f"{n_components}, n_samples = {n_samples}: use fewer "
            "components or more data."
        )
    if _dask.is_dask_array(X):
        weights = _dask.check_sample_weight(sample_weight, X, n_components)
        return _wrap(X, weights, in_memory=False)
    weights = check_sample_weight(sample_weight, n_samples)
    if weights is not None and np.count_nonzero(weights) < max(2, n_components):
        raise ValueError(
            f"Only {np.count_nonzero(weights)} sample(s) have a "
            f"positive sample_weight; fitting n_components="
            f"{n_components} needs at least {max(2, n_components)}."
        )
    return _wrap(X, weights, in_memory=in_memory)


def inference_source(estimator, X):
    """The source of X for a fitted estimator (checked against its features)."""
    return _wrap(_validated(estimator, X, reset=False, ensure_min_samples=1), None)
