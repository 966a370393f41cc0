"""Pluggable initialization of Gaussian mixtures.

An *initializer* chooses where EM starts. It is any object with a method

.. code-block:: python

    initialize(X, n_components, random_state, sample_weight=None) -> start

or a plain callable with the same signature. It receives the validated data
``X`` (float32 or float64, shape ``(n_samples, n_features)``), the number of
components, a :class:`numpy.random.RandomState` to draw from (never a seed:
use it, so that ``random_state`` of the estimator makes fits reproducible),
and the sample weights of a weighted fit, rescaled to a mean of one over
the positive ones (``None`` when the fit is unweighted or all weights are
equal). The start it returns takes one of three forms:

* **labels**, a 1-D integer :class:`numpy.ndarray` of shape
  ``(n_samples,)``: the component of each sample, or ``-1`` for a sample
  that belongs to none. The start is the M-step of these hard
  responsibilities (scikit-learn's ``'kmeans'``, ``'k-means++'`` and
  ``'random_from_data'`` starts are of this form);
* **responsibilities**, a 2-D :class:`numpy.ndarray` of shape
  ``(n_samples, n_components)`` of non-negative numbers, each row normally
  summing to one: the start is their M-step (scikit-learn's ``'random'``);
* **parameters**, a tuple ``(weights, means, covariances)``: ``weights`` of
  shape ``(n_components,)`` or ``None``, ``means`` of shape
  ``(n_components, n_features)`` (required), ``covariances`` as full
  matrices of shape ``(n_components, n_features, n_features)`` or ``None``.

The estimator then completes and converts the start:

* labels and responsibilities: the M-step of scikit-learn's
  ``GaussianMixture`` initialization, for the estimator's
  ``covariance_type``: ``n_k`` is the (weighted) sum of the
  responsibilities plus ``10 * eps`` of the data's dtype, the weights are
  ``n_k / n`` (``n`` the number or total weight of the samples), the means
  and covariances those of the responsibilities, plus ``reg_covar``. A
  component with no sample keeps weight ``10 * eps / n``, the mean 0 and
  the covariance ``reg_covar``, exactly as in scikit-learn;
* parameters: when ``weights`` or ``covariances`` is ``None``, every sample
  is assigned to its nearest initial mean, and the missing weights are the
  (weighted) fractions of samples per component, the missing covariances
  the covariances of the samples around their component (a component that
  receives fewer than two samples starts with the covariance of all data);
  given weights are rescaled to sum to one; full covariances are reduced to
  the ``covariance_type`` (``'tied'`` their weighted average, ``'diag'``
  their diagonals, ``'spherical'`` the mean of their diagonals), and
  ``reg_covar`` is added to every variance.

The built-in initializers are selected by name in ``init_params`` or passed
as instances (to set their options); see :data:`INITIALIZERS`. With their
default options and no sample weights they give exactly scikit-learn's
start for the same name and ``random_state``: the same draws from the
random state, on the rows as given. Two options give other starts:

* ``rows='distinct'`` runs the initializer on the distinct samples in a
  canonical order, each with its total weight, and maps its result back to
  the rows: the start then depends only on the weighted set of samples, so
  that shuffling the rows, repeating a sample or giving it an integer
  weight start EM at the same place (for a fixed ``random_state``);
* ``covariances='cell'`` (the seed initializers ``KMeansPlusPlusInit`` and
  ``RandomFromDataInit``) gives each seed the weight and covariance of the
  samples nearest to it, where scikit-learn's start gives each seed alone
  the responsibility of its component (weight ``1 / n`` and covariance
  ``reg_covar``).
"""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, kmeans_plusplus

from . import _hc
from ._start_stats import distinct_rows

__all__ = [
    "INITIALIZERS",
    "HierarchicalInit",
    "KMeansInit",
    "KMeansPlusPlusInit",
    "MomentsInit",
    "RandomFromDataInit",
    "RandomInit",
    "parameters_from_responsibilities",
]

_ROWS = ("as_given", "distinct")
_SEED_COVARIANCES = ("seed", "cell")


def _check_option(owner, name, value, choices):
    if not (isinstance(value, str) and value in choices):
        raise ValueError(
            f"{type(owner).__name__}: {name} must be one of "
            f"{', '.join(repr(c) for c in choices)}; got {value!r}."
        )


def _weighted_mean_cov(X, sample_weight, chunk_rows=65536):
    """Weighted mean (D,) and covariance (D, D) of X, in float64, a chunk of
    rows at a time (no temporary of X's size)."""
    n_samples = X.shape[0]
    w = np.ones(n_samples) if sample_weight is None else sample_weight
    w = np.asarray(w, dtype=np.float64) / np.sum(w)
    chunks = range(0, n_samples, chunk_rows)
    mean = sum(w[i : i + chunk_rows] @ X[i : i + chunk_rows] for i in chunks)
    cov = np.zeros((X.shape[1], X.shape[1]))
    for i in chunks:
        centered = np.asarray(X[i : i + chunk_rows], dtype=np.float64) - mean
        cov += (centered.T * w[i : i + chunk_rows]) @ centered
    return mean, cov


class _Rows:
    """The rows an initializer works on, and the map of its result back.

    With ``rows='as_given'`` these are X and sample_weight themselves; with
    ``rows='distinct'`` the distinct rows of positive weight in a canonical
    order with their total weights (see :func:`skgmm_em._start_stats.distinct_rows`).
    """

    def __init__(self, X, sample_weight, n_components, rows):
        self.n_rows = X.shape[0]
        self.inverse = None
        if rows == "distinct":
            X, sample_weight, self.inverse = distinct_rows(
                X, sample_weight, return_inverse=True
            )
            if X.shape[0] < n_components:
                raise ValueError(
                    f"X has only {X.shape[0]} distinct sample(s) with positive "
                    f"weight, fewer than n_components={n_components}: use fewer "
                    "components, or rows='as_given'."
                )
        self.X, self.sample_weight = X, sample_weight

    def labels(self, labels):
        """Labels of the worked-on rows as labels of the rows of X."""
        labels = np.asarray(labels, dtype=np.int64)
        if self.inverse is None:
            return labels
        return np.where(self.inverse >= 0, labels[self.inverse], -1)

    def seeds(self, indices):
        """Labels of X giving seed ``k`` (a worked-on row) to component k."""
        labels = np.full(self.X.shape[0], -1, dtype=np.int64)
        labels[indices] = np.arange(len(indices))
        return self.labels(labels)

    def responsibilities(self, resp):
        """Responsibilities of the worked-on rows as those of the rows of X."""
        if self.inverse is None:
            return resp
        return resp[np.maximum(self.inverse, 0)]


def _distance_scaled(X):
    """X moved and scaled for distance computations, and the map back.

    k-means and its seeding square distances in X's dtype: data of a tiny
    or huge scale (float32 values near 1e-30, say) would underflow or
    overflow there. Such data are centred and scaled to unit size first;
    both algorithms are equivariant, so the partition is the same and the
    centres map back exactly up to rounding. Data of ordinary scale are
    passed through untouched.
    """
    center = X.mean(axis=0, dtype=np.float64)
    size = float(max(np.max(X.max(axis=0) - center), np.max(center - X.min(axis=0))))
    if size == 0.0 or 1e-8 <= size <= 1e8:
        return X, lambda centers: centers
    scaled = ((X - center) / size).astype(X.dtype)
    return scaled, lambda centers: center + size * np.asarray(centers, np.float64)


def _uniform_weights(sample_weight):
    """None for no weights or equal weights: they draw as an unweighted fit."""
    if sample_weight is None or np.all(sample_weight == sample_weight[0]):
        return None
    return sample_weight


def parameters_from_responsibilities(X, resp, sample_weight=None):
    """Weights, means and full covariances from soft responsibilities.

    A helper for writing initializers that return parameters. An
    initializer can also return ``resp`` itself (see the module doc): the
    estimator then computes the M-step of its covariance type.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    resp : array-like of shape (n_samples, n_components)
        Non-negative responsibilities.
    sample_weight : array-like of shape (n_samples,), default=None
        Multiplies the responsibilities of each sample.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em.initialization import parameters_from_responsibilities
    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [12.0, 0.0]])
    >>> resp = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> weights, means, covariances = parameters_from_responsibilities(X, resp)
    >>> np.round(weights, 6).tolist(), np.round(means[:, 0], 6).tolist()
    ([0.5, 0.5], [1.0, 11.0])
    >>> np.round(covariances[:, 0, 0], 6).tolist()
    [1.0, 1.0]
    """
    X = np.asarray(X, dtype=np.float64)
    resp = np.asarray(resp, dtype=np.float64)
    if sample_weight is not None:
        resp = resp * np.asarray(sample_weight, dtype=np.float64)[:, None]
    nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps
    means = (resp.T @ X) / nk[:, None]
    covariances = np.empty((resp.shape[1], X.shape[1], X.shape[1]))
    for k in range(resp.shape[1]):
        diff = X - means[k]
        covariances[k] = (diff * resp[:, k : k + 1]).T @ diff / nk[k]
    return nk / nk.sum(), means, covariances


class KMeansInit(BaseEstimator):
    """Start from a k-means partition (the default, as in scikit-learn).

    Runs :class:`sklearn.cluster.KMeans` (honouring sample weights) and
    returns its labels: the start is the M-step of the k-means clusters.
    With the default options it is scikit-learn's ``'kmeans'`` start.

    Parameters
    ----------
    n_init : int, default=1
        Number of k-means runs; the best is kept.
    max_iter : int, default=300
        Maximum number of k-means iterations.
    rows : {'as_given', 'distinct'}, default='as_given'
        The rows k-means runs on: ``'as_given'`` (scikit-learn's), or the
        distinct samples in a canonical order with their total weights
        (a start that does not depend on the order of the rows, and is the
        same for integer weights and repeated rows).

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.initialization import KMeansInit
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5]
    >>> X += np.random.RandomState(0).normal(size=X.shape)
    >>> gm = GaussianMixture(2, init_params=KMeansInit(n_init=3), random_state=0)
    >>> gm.fit(X).converged_
    True
    """

    def __init__(self, n_init=1, max_iter=300, rows="as_given"):
        self.n_init = n_init
        self.max_iter = max_iter
        self.rows = rows

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the k-means labels of the rows of X; see the module doc."""
        _check_option(self, "rows", self.rows, _ROWS)
        rows = _Rows(X, sample_weight, n_components, self.rows)
        if n_components == 1:
            # One cluster holds every sample. KMeans would copy X to find
            # that out; its draws (one per k-means run, for its first seed)
            # are made all the same, so that random_state moves on as it
            # does in scikit-learn.
            for _ in range(self.n_init):
                random_state.random_sample()
            return rows.labels(np.zeros(rows.X.shape[0], dtype=np.int64))
        scaled, _ = _distance_scaled(rows.X)
        km = KMeans(
            n_clusters=n_components,
            n_init=self.n_init,
            max_iter=self.max_iter,
            random_state=random_state,
        ).fit(scaled, sample_weight=_uniform_weights(rows.sample_weight))
        return rows.labels(km.labels_)


class KMeansPlusPlusInit(BaseEstimator):
    """Start at k-means++ seeds.

    The seeds are drawn by :func:`sklearn.cluster.kmeans_plusplus` (with
    sample weights when given). With the default options, each seed alone
    has the responsibility of its component, as in scikit-learn's
    ``'k-means++'`` start.

    Parameters
    ----------
    rows : {'as_given', 'distinct'}, default='as_given'
        The rows the seeds are drawn from; see :class:`KMeansInit`.
    covariances : {'seed', 'cell'}, default='seed'
        ``'seed'``: each seed is its component's only sample (weight
        ``1 / n``, covariance ``reg_covar``: scikit-learn's start);
        ``'cell'``: the seeds are the means, and the weights and covariances
        are those of the samples nearest to each seed (a start nearer to
        the data, which EM often leaves in fewer iterations).
    """

    def __init__(self, rows="as_given", covariances="seed"):
        self.rows = rows
        self.covariances = covariances

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the seeds' labels, or ``(None, seeds, None)``."""
        _check_option(self, "rows", self.rows, _ROWS)
        _check_option(self, "covariances", self.covariances, _SEED_COVARIANCES)
        rows = _Rows(X, sample_weight, n_components, self.rows)
        scaled, to_data_units = _distance_scaled(rows.X)
        centers, indices = kmeans_plusplus(
            scaled,
            n_components,
            random_state=random_state,
            sample_weight=_uniform_weights(rows.sample_weight),
        )
        if self.covariances == "cell":
            return None, to_data_units(centers), None
        return rows.seeds(indices)


class RandomInit(BaseEstimator):
    """Start from random responsibilities, as scikit-learn's ``'random'``.

    Each sample gets responsibilities drawn uniformly and normalized to sum
    to one; the start is their M-step, so all components start near the
    data mean with nearly the data covariance.

    Parameters
    ----------
    rows : {'as_given', 'distinct'}, default='as_given'
        The rows the responsibilities are drawn for; see :class:`KMeansInit`.
    """

    def __init__(self, rows="as_given"):
        self.rows = rows

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return random responsibilities of shape (n_samples, n_components)."""
        _check_option(self, "rows", self.rows, _ROWS)
        rows = _Rows(X, sample_weight, n_components, self.rows)
        resp = random_state.uniform(size=(rows.X.shape[0], n_components))
        resp = resp.astype(X.dtype, copy=False)
        resp /= resp.sum(axis=1)[:, np.newaxis]
        return rows.responsibilities(resp)


class RandomFromDataInit(BaseEstimator):
    """Start at random samples, drawn without replacement.

    In a weighted fit a sample is drawn with probability proportional to
    its weight. With the default options, each drawn sample alone has the
    responsibility of its component, as in scikit-learn's
    ``'random_from_data'`` start.

    Parameters
    ----------
    rows : {'as_given', 'distinct'}, default='as_given'
        The rows the seeds are drawn from; see :class:`KMeansInit`.
    covariances : {'seed', 'cell'}, default='seed'
        As for :class:`KMeansPlusPlusInit`.
    """

    def __init__(self, rows="as_given", covariances="seed"):
        self.rows = rows
        self.covariances = covariances

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the drawn samples' labels, or ``(None, samples, None)``."""
        _check_option(self, "rows", self.rows, _ROWS)
        _check_option(self, "covariances", self.covariances, _SEED_COVARIANCES)
        rows = _Rows(X, sample_weight, n_components, self.rows)
        p = _uniform_weights(rows.sample_weight)
        if p is not None:
            p = np.asarray(p, dtype=np.float64) / np.sum(p)
        indices = random_state.choice(
            rows.X.shape[0], size=n_components, replace=False, p=p
        )
        if self.covariances == "cell":
            return None, rows.X[indices], None
        return rows.seeds(indices)


class MomentsInit(BaseEstimator):
    """Start from the data's first two moments, with distinct means.

    Every component starts with weight ``1 / n_components`` and with the
    (weighted) covariance ``S`` of the data. Identical components would
    never separate under EM, so the means are drawn from the Gaussian that
    matches the data's moments, shrunk towards the data mean ``m``:
    ``mean_k = m + scale * L z_k`` where ``S = L L^T`` and ``z_k`` are
    independent standard normal vectors drawn from ``random_state``.
    The start is therefore deterministic for a fixed ``random_state``, and
    it does not depend on the order of the rows.

    Parameters
    ----------
    scale : float, default=1.0
        Spread of the initial means, in units of the data's standard
        deviation. Must be positive.
    """

    def __init__(self, scale=1.0):
        self.scale = scale

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(equal weights, drawn means, data covariance)``."""
        if not self.scale > 0:
            raise ValueError(f"MomentsInit needs scale > 0, got scale={self.scale!r}.")
        mean, cov = _weighted_mean_cov(X, sample_weight)
        n_features = X.shape[1]
        # The data covariance may be singular (a constant feature); a tiny
        # ridge keeps the square root defined without changing the spread.
        ridge = 1e-10 * max(np.trace(cov) / n_features, np.finfo(float).tiny)
        eigval, eigvec = np.linalg.eigh(cov + ridge * np.eye(n_features))
        root = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
        z = random_state.standard_normal((n_components, n_features))
        means = mean + self.scale * z @ root.T
        weights = np.full(n_components, 1.0 / n_components)
        covariances = np.broadcast_to(cov, (n_components, n_features, n_features))
        return weights, means, covariances


class HierarchicalInit(BaseEstimator):
    """Start from a model-based hierarchical agglomeration, as mclust does.

    Every sample starts as its own cluster, and the two clusters whose merge
    costs the model's classification criterion least are merged until
    ``n_components`` are left (Banfield & Raftery 1993; Fraley 1998); this is
    mclust's default start (``hc()`` with ``hcUse = "SVD"``, ``hcModelName =
    "VVV"``, ``subset = 2000``). The start works for every ``covariance_type``:
    the estimator computes the M-step of its model from the partition.

    With at most ``subset`` samples of positive weight the start is the
    labels of the partition (``-1`` for samples of zero weight), and no
    number is drawn from ``random_state``: the start is deterministic. With
    more, the agglomeration runs on ``subset`` samples drawn without
    replacement from ``random_state`` (as mclust's subset), and the start is
    the parameters of their clusters: weights, means and full covariances
    (each cluster's weighted moments, in the units of X), which EM then
    continues on all samples. Sample weights weight each cluster's size,
    mean and scatter, and the transformation's means and deviations.

    Parameters
    ----------
    use : {'SVD', 'VARS', 'STD', 'PCS', 'PCR'}, default='SVD'
        The data the agglomeration sees (mclust's ``hcUse``): ``'SVD'``
        the scaled SVD transformation of the standardized data (its
        principal components each divided by the square root of its
        singular value, mclust 6's default); ``'VARS'`` the variables as
        given; ``'STD'`` each variable centred and scaled to unit variance;
        ``'PCS'`` the principal components of the centred data; ``'PCR'``
        those of the standardized data. The mixture is always fit to X.
    model : {'VVV', 'VII', 'EII'}, default='VVV'
        The covariance model of the criterion (scikit-learn's names
        ``'full'`` and ``'spherical'`` are accepted for the first two):
        unconstrained (``'VVV'``, mclust's default), spherical of variable
        volume (``'VII'``), or spherical of equal volume (``'EII'``, Ward's
        method). ``'VII'`` and ``'EII'`` make mclust's merges; ``'VVV'``
        regularizes the scatter of small clusters in its own way (see the
        user guide), so its partitions can differ from mclust's.
    subset : int, default=2000
        The largest number of samples agglomerated (mclust's ``subset``):
        the cost matrix takes ``8 * subset**2`` bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import GaussianMixture
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))]
    >>> gm = GaussianMixture(2, covariance_type="spherical", init_params="hc")
    >>> np.sort(np.round(gm.fit(X).weights_, 2)).tolist()
    [0.5, 0.5]
    """

    def __init__(self, use="SVD", model="VVV", subset=2000):
        self.use = use
        self.model = model
        self.subset = subset

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the partition's labels, or its clusters' parameters for a
        subset; see the class doc."""
        _check_option(self, "use", self.use, _hc.USES)
        _hc.check_model(self.model)
        if not (isinstance(self.subset, int | np.integer) and self.subset >= 2):
            raise ValueError(
                f"HierarchicalInit: subset must be an int >= 2; got {self.subset!r}."
            )
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        rows = np.flatnonzero(np.asarray(w) > 0)
        subset = rows.size > self.subset
        if subset:
            rows = np.sort(random_state.choice(rows, self.subset, replace=False))
        if rows.size < n_components:
            raise ValueError(
                f"HierarchicalInit: {rows.size} sample(s) to agglomerate, fewer "
                f"than n_components={n_components}."
            )
        x, w = np.asarray(X[rows], dtype=np.float64), np.asarray(w, float)[rows]
        weights = None if sample_weight is None else w
        Z = _hc.transform(x, self.use, weights)
        merges = _hc.agglomerate(Z, self.model, weights)
        labels = _canonical_order(_hc.cut(merges, rows.size, n_components), x, w)
        if subset:
            resp = np.eye(n_components)[labels]
            return parameters_from_responsibilities(x, resp, w)
        full = np.full(X.shape[0], -1, dtype=np.int64)
        full[rows] = labels
        return full


def _canonical_order(labels, x, w):
    """Labels renumbered in the order of their clusters' weighted means (the
    first feature first), which does not depend on the order of the rows: a
    weight then starts EM as the repeated row does."""
    k = labels.max() + 1
    counts = np.bincount(labels, w, minlength=k)
    means = np.stack([np.bincount(labels, w * x[:, j], k) for j in range(x.shape[1])])
    order = np.lexsort((means / counts)[::-1])
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[labels]


#: The built-in initializers by the name ``init_params`` accepts.
INITIALIZERS = {
    "kmeans": KMeansInit,
    "k-means++": KMeansPlusPlusInit,
    "random": RandomInit,
    "random_from_data": RandomFromDataInit,
    "moments": MomentsInit,
    "hc": HierarchicalInit,
}
