"""Model-based hierarchical agglomeration (Banfield & Raftery 1993; Fraley 1998).

Every sample starts as its own cluster; at each stage the two clusters whose
merge increases the model's classification criterion the least are merged.
A cluster ``k`` is summarized by its (weighted) size ``n_k``, mean and
scatter matrix ``W_k`` (the sum of weighted outer products of its samples
about their mean); the criteria are sums of one term per cluster, so a
merge changes the criterion by ``term(i + j) - term(i) - term(j)``:

* equal spherical covariances: ``term = tr(W_k)`` (Ward's method);
* variable spherical covariances:
  ``term = n_k D log((tr(W_k) + alpha * omega) / n_k)``;
* unconstrained covariances:
  ``term = n_k log det((W_k + c_k I) / n_k)`` with
  ``c_k = beta * tr(W_k) / n_k + alpha * omega``,

where ``omega = tr(W) / (n D)`` is the mean variance of all the data and
``alpha = beta = 1``. The ``alpha`` and ``beta`` terms keep the criteria
defined for clusters of fewer than ``D + 1`` samples, whose scatter is
singular (Fraley 1998 uses the same two quantities).

The cost of every pair of clusters is kept in an (m, m) matrix for ``m``
samples, with the minimum of every row: a merge recomputes one row (a
vectorized pass over the clusters) and the minima of the rows that pointed
at the merged clusters, so memory is ``8 m^2`` bytes and no loop over pairs
runs in Python.
"""

import numpy as np

from ._covariance import get_model

__all__ = ["USES", "agglomerate", "check_model", "cut", "transform"]

#: The transformations of the data before the agglomeration, as mclust's ``hcUse``.
USES = ("SVD", "VARS", "STD", "PCS", "PCR")


def transform(X, use, sample_weight=None):
    """The data the agglomeration runs on, an array of shape (n, q).

    ``'VARS'`` the variables as given; ``'STD'`` centred and scaled to unit
    standard deviation; ``'PCS'`` the principal components of the centred
    data; ``'PCR'`` those of the standardized data; ``'SVD'`` the scaled SVD
    transformation ``U Gamma^(1/2)`` of the standardized data
    ``Z = U Gamma V^T`` (Scrucca & Raftery 2015), that is the principal
    components of the standardized data each divided by the square root of
    its singular value. Means and deviations are weighted by
    ``sample_weight``; constant variables (and, for the SVD, directions of
    zero spread) are dropped where scaling them would divide by zero.
    """
    X = np.asarray(X, dtype=np.float64)
    if use == "VARS":
        return X
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
    w = w / w.sum()
    centered = X - w @ X
    if use == "PCS":
        _, _, vt = np.linalg.svd(centered * np.sqrt(w)[:, None], full_matrices=False)
        return centered @ vt.T
    # R's scale(): deviations about the mean with n - 1 (any common factor
    # leaves every criterion's choices unchanged).
    sd = np.sqrt((w @ centered**2) * len(X) / max(len(X) - 1, 1))
    # A constant variable's deviation is rounding of its mean, not spread.
    keep = sd > 64 * np.finfo(np.float64).eps * np.max(np.abs(X), axis=0)
    std = centered[:, keep] / sd[keep]
    if use == "STD":
        return std
    _, gamma, vt = np.linalg.svd(std * np.sqrt(w)[:, None], full_matrices=False)
    rank = gamma > gamma[0] * len(gamma) * np.finfo(np.float64).eps
    rotated = std @ vt[rank].T
    if use == "PCR":
        return rotated
    # U Gamma^(1/2) = Z V Gamma^(-1/2), with Gamma of the unweighted scale.
    return rotated / np.sqrt(gamma[rank] * np.sqrt(len(X)))


class _Clusters:
    """Sizes (m,), means (m, q) and scatter (m, q, q) or traces (m,)."""

    def __init__(self, Z, weights, full):
        self.n = weights.copy()
        self.means = Z.copy()
        self.trace = np.zeros(len(Z))
        self.scatter = np.zeros((len(Z), Z.shape[1], Z.shape[1])) if full else None

    def merged(self, a, ks, scatter=True):
        """Size, trace and scatter (or None) of cluster a merged with each of ks."""
        n = self.n[a] + self.n[ks]
        d = self.means[ks] - self.means[a]
        gain = self.n[a] * self.n[ks] / n
        trace = self.trace[a] + self.trace[ks] + gain * np.einsum("ij,ij->i", d, d)
        if self.scatter is None or not scatter:
            return n, trace, None
        merged = self.scatter[a] + self.scatter[ks]
        merged += gain[:, None, None] * d[:, :, None] * d[:, None, :]
        return n, trace, merged

    def absorb(self, a, b):
        """Cluster b joins cluster a."""
        n, trace, scatter = self.merged(a, np.array([b]))
        self.means[a] = (self.n[a] * self.means[a] + self.n[b] * self.means[b]) / n[0]
        self.n[a], self.trace[a] = n[0], trace[0]
        if scatter is not None:
            self.scatter[a] = scatter[0]


def _ward_term(n, trace, scatter, omega, q):
    return trace


def _spherical_term(n, trace, scatter, omega, q):
    return n * q * np.log((trace + omega) / n)


def _unconstrained_term(n, trace, scatter, omega, q):
    c = trace / n + omega
    if scatter is None:
        # Every cluster of at most two samples has a scatter of rank <= 1:
        # det(W + c I) = c^(q - 1) (tr(W) + c).
        return n * ((q - 1) * np.log(c / n) + np.log((trace + c) / n))
    regularized = scatter + c[:, None, None] * np.eye(q)
    return n * np.linalg.slogdet(regularized / n[:, None, None])[1]


def _unconstrained_merged(clusters, a, ks, omega):
    """The unconstrained term (m,) of cluster a merged with each of ks.

    A partner without scatter (one sample, or equal ones) adds a rank-one
    term to W_a: with W_a = Q diag(lam) Q^T and y = Q^T d,
    det(W_a + g d d^T + c I) = prod(lam + c) (1 + g sum(y^2 / (lam + c))),
    O(q^2) per partner instead of a determinant.
    """
    q = clusters.means.shape[1]
    out = np.empty(ks.size)
    single = clusters.trace[ks] == 0
    n, trace, _ = clusters.merged(a, ks[single], scatter=False)
    lam, vectors = np.linalg.eigh(clusters.scatter[a])
    y = (clusters.means[ks[single]] - clusters.means[a]) @ vectors
    gain = clusters.n[a] * clusters.n[ks[single]] / n
    shifted = np.maximum(lam, 0.0) + (trace / n + omega)[:, None]
    logdet = np.sum(np.log(shifted), axis=1)
    logdet += np.log1p(gain * np.sum(y**2 / shifted, axis=1))
    out[single] = n * (logdet - q * np.log(n))
    if not single.all():
        n, trace, scatter = clusters.merged(a, ks[~single])
        out[~single] = _unconstrained_term(n, trace, scatter, omega, q)
    return out


# The criterion of each geometry (volume, shape, orientation), and whether
# it needs the clusters' scatter matrices beyond their traces.
_CRITERIA = {
    ("E", "I", "I"): (_ward_term, False),
    ("V", "I", "I"): (_spherical_term, False),
    ("V", "V", "V"): (_unconstrained_term, True),
}


def check_model(model):
    """The criterion and scatter flag of ``model``, or a ValueError."""
    geometry = tuple(get_model(model).mclust_name) if isinstance(model, str) else ()
    if geometry not in _CRITERIA:
        names = ["".join(g) for g in _CRITERIA]
        raise ValueError(
            f"HierarchicalInit: model must be one of {names} (or their "
            f"scikit-learn names); got {model!r}."
        )
    return _CRITERIA[geometry]


def _initial_costs(Z, weights, term, omega, chunk=64):
    """Costs (m, m) of merging every pair of single samples (inf on the diagonal)."""
    m, q = Z.shape
    ones = term(weights, np.zeros(m), None, omega, q)
    costs = np.empty((m, m))
    sq = np.einsum("ij,ij->i", Z, Z)
    for start in range(0, m, chunk):
        rows = slice(start, min(start + chunk, m))
        d2 = np.maximum(sq[rows, None] - 2.0 * Z[rows] @ Z.T + sq[None, :], 0.0)
        n = weights[rows, None] + weights[None, :]
        trace = weights[rows, None] * weights[None, :] / n * d2
        merged = term(n.ravel(), trace.ravel(), None, omega, q).reshape(n.shape)
        costs[rows] = merged - ones[rows, None] - ones[None, :]
    np.fill_diagonal(costs, np.inf)
    return costs, ones


def agglomerate(Z, model="VVV", sample_weight=None):
    """Merge the rows of Z into one cluster, two clusters at a time.

    Parameters
    ----------
    Z : ndarray of shape (m, q)
        The (transformed) data, rows of positive weight only.
    model : str, default='VVV'
        The covariance model whose criterion chooses the merges.
    sample_weight : ndarray of shape (m,), default=None
        Positive weights: a cluster's size, mean and scatter are weighted.

    Returns
    -------
    merges : ndarray of shape (m - 1, 2)
        Stage ``s`` joins the clusters ``merges[s]`` = ``(a, b)``, each named
        by its smallest row index, ``a < b``: cluster b joins cluster a (the
        convention of mclust's ``hc``, 0-based). Ties go to the pair of
        smallest indices.
    """
    term, full = check_model(model)
    Z = np.asarray(Z, dtype=np.float64)
    m, q = Z.shape
    weights = np.ones(m) if sample_weight is None else np.asarray(sample_weight, float)
    centered = Z - weights @ Z / weights.sum()
    omega = float(weights @ np.einsum("ij,ij->i", centered, centered))
    omega = omega / (weights.sum() * q) if omega > 0 else 1.0
    costs, terms = _initial_costs(Z, weights, term, omega)
    clusters = _Clusters(Z, weights, full)
    alive = np.ones(m, dtype=bool)
    best = np.argmin(costs, axis=1)
    best_cost = costs[np.arange(m), best]
    merges = np.empty((max(m - 1, 0), 2), dtype=np.int64)
    for stage in range(m - 1):
        a = int(np.argmin(best_cost))
        a, b = sorted((a, int(best[a])))
        merges[stage] = a, b
        clusters.absorb(a, b)
        alive[b] = False
        costs[b, :] = costs[:, b] = np.inf
        best_cost[b] = np.inf
        others = np.flatnonzero(alive)
        others = others[others != a]
        if others.size == 0:
            break
        terms[a] = term(
            clusters.n[[a]], clusters.trace[[a]], _one(clusters, a), omega, q
        )[0]
        if full:
            merged = _unconstrained_merged(clusters, a, others, omega)
        else:
            merged = term(*clusters.merged(a, others), omega, q)
        row = merged - terms[a] - terms[others]
        costs[a, others] = costs[others, a] = row
        best[a] = others[np.argmin(row)]
        best_cost[a] = costs[a, best[a]]
        _update_minima(costs, best, best_cost, others, a, b, row)
    return merges


def _one(clusters, a):
    """The scatter of cluster a as a (1, q, q) array, or None."""
    return None if clusters.scatter is None else clusters.scatter[[a]]


def _update_minima(costs, best, best_cost, others, a, b, row):
    """Row minima after cluster b joined a (``row``: the new costs of a to
    ``others``). A row whose new cost to a is at most its minimum now points
    at a; a row that pointed at a or b and whose cost to a grew is searched
    again; the others keep their minimum."""
    pointed = (best[others] == a) | (best[others] == b)
    previous = best_cost[others]
    closer = (row < previous) | ((row == previous) & ((a < best[others]) | pointed))
    best[others[closer]] = a
    best_cost[others[closer]] = row[closer]
    stale = others[pointed & ~closer]
    if stale.size:
        best[stale] = np.argmin(costs[stale], axis=1)
        best_cost[stale] = costs[stale, best[stale]]


def cut(merges, n_rows, n_clusters):
    """Labels (n_rows,) of the ``n_clusters`` clusters after ``n_rows - n_clusters``
    merges, numbered 0, 1, ... in the order of their first row."""
    if not 1 <= n_clusters <= n_rows:
        raise ValueError(
            f"The agglomeration of {n_rows} rows has no stage with "
            f"{n_clusters} clusters."
        )
    root = np.arange(n_rows)
    for a, b in merges[: n_rows - n_clusters]:
        root[b] = a
    # Each row's cluster is found by following root to a fixed point;
    # merges name clusters by their smallest row, so root[i] <= i.
    for i in range(n_rows):
        root[i] = root[root[i]]
    _, labels = np.unique(root, return_inverse=True)
    return labels.astype(np.int64)
