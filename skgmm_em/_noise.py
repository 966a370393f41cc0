"""The uniform noise component (Banfield & Raftery 1993, as in mclust).

One more component of constant density ``1 / V`` over the data's region,
with weight ``noise_weight``: the mixture's density is
``sum_k w_k N(x | mu_k, Sigma_k) + noise_weight / V``, the Gaussian weights
``w_k`` and ``noise_weight`` summing to one (mclust's ``pro``). In the EM
core (:mod:`skgmm_em._em`) the noise is one more row of the weighted
log-probabilities, ``log(noise_weight) - log V``, normalized with the
others; its responsibilities are left out of the Gaussian components'
statistics and summed into ``SufficientStats.noise_nk``, from which
:func:`with_noise_weight` updates the weights after the M-step.

Also here, as plain functions of arrays: ``log V`` by mclust's rule
(:func:`log_hypervolume`) and the initial noise by nearest-neighbour
clutter removal (:func:`nnclean`, after Byers & Raftery 1998).
"""

import numpy as np
from scipy.special import gammaln

#: The neighbour whose distance :func:`nnclean` models (Byers & Raftery's k).
NNCLEAN_K = 10


def with_noise_row(wlp, params):
    """The weighted log-probabilities (K, n) with the noise's row appended
    (K + 1, n); ``wlp`` itself without a noise component."""
    if _log_volume(params) is None:
        return wlp
    out = np.empty((wlp.shape[0] + 1, wlp.shape[1]), dtype=wlp.dtype)
    out[:-1] = wlp
    with np.errstate(divide="ignore"):
        out[-1] = np.log(params.noise_weight) - params.log_volume
    return out


def split_noise(resp, params):
    """The Gaussian rows of the responsibilities (K, n) and the noise's
    summed mass (0.0 without a noise component)."""
    if _log_volume(params) is None:
        return resp, 0.0
    return resp[:-1], float(resp[-1].sum(dtype=np.float64))


def _log_volume(params):
    """``log V`` of parameters with a noise component, else None (also for
    the parameters of other mixtures, which have no such field)."""
    return getattr(params, "log_volume", None)


def noise_labels(labels, params):
    """Labels with the noise component's (index K) replaced by -1, in place."""
    if _log_volume(params) is not None:
        labels[labels == params.means.shape[0]] = -1
    return labels


def with_noise_weight(new, params, stats, dtype):
    """The M-step's parameters ``new`` (weights summing to one) with the
    noise weight of the statistics: ``noise_nk / (sum(n_k + 10 eps) +
    noise_nk)``, the Gaussian weights scaled to the rest."""
    if _log_volume(params) is None:
        return new
    gaussian = float(np.sum(stats.nk + 10.0 * np.finfo(dtype).eps))
    noise_weight = stats.noise_nk / (gaussian + stats.noise_nk)
    return new._replace(
        weights=new.weights * (1.0 - noise_weight),
        noise_weight=noise_weight,
        log_volume=params.log_volume,
    )


def with_noise(params, noise_weight, log_volume):
    """A start's parameters with the noise component: its weights (of any
    sum) scaled to ``1 - noise_weight``."""
    weights = np.asarray(params.weights, dtype=np.float64)
    return params._replace(
        weights=weights * ((1.0 - noise_weight) / weights.sum()),
        noise_weight=float(noise_weight),
        log_volume=float(log_volume),
    )


def log_hypervolume(X):
    """``log V`` of mclust's ``hypvol``: the smaller of the volumes of the
    axis-aligned bounding box of the rows ``X`` (n, D) and of the bounding
    box of their principal-component scores, in logs (no overflow)."""
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(divide="ignore"):
        box = float(np.sum(np.log(np.ptp(X, axis=0))))
        centred = X - X.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        scores = centred @ vt.T
        pc_box = float(np.sum(np.log(np.ptp(scores, axis=0))))
    return min(box, pc_box)


def _gamma_log_pdf(y, log_y, shape, rate):
    return shape * np.log(rate) + (shape - 1) * log_y - rate * y - gammaln(shape)


def nnclean(X, k=NNCLEAN_K, max_iter=500, tol=1e-10):
    """The rows of ``X`` (n, D) that are noise by nearest-neighbour clutter
    removal; a boolean mask (n,).

    After Byers & Raftery (1998): in a Poisson process of intensity
    ``lambda``, the volume of the ball reaching a point's ``k``-th nearest
    neighbour is Gamma(``k``, rate ``lambda``) (the distance is a scaled chi
    distribution). The volumes are modelled as a mixture of two such, of a
    dense (features) and a sparse (noise) intensity, fitted by EM; a point
    is noise when the sparse one is the more probable. Duplicated rows get a
    distance of zero and count as features. When the sparse component would
    take more than half of the rows, the two are not features and clutter
    (too few rows, or no clutter): no row is noise.
    """
    from sklearn.neighbors import NearestNeighbors

    X = np.asarray(X, dtype=np.float64)
    n, n_features = X.shape
    k = min(k, n - 1)
    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    unit_ball = n_features / 2 * np.log(np.pi) - gammaln(n_features / 2 + 1)
    with np.errstate(divide="ignore"):
        log_y = unit_ball + n_features * np.log(distances[:, k])
    log_y = np.maximum(log_y, np.log(np.finfo(np.float64).tiny))
    y = np.exp(log_y)
    # Start: the largest fifth of the volumes as noise.
    noise = y > np.quantile(y, 0.8)
    resp = np.where(noise, 1.0, 0.0)
    previous = -np.inf
    for _ in range(max_iter):
        p = np.clip(resp.mean(), 1e-12, 1 - 1e-12)
        rates = [
            k * max(np.sum(r), 1e-12) / max(np.dot(r, y), 1e-300)
            for r in (1.0 - resp, resp)
        ]
        log_f = _gamma_log_pdf(y, log_y, k, rates[0]) + np.log(1 - p)
        log_g = _gamma_log_pdf(y, log_y, k, rates[1]) + np.log(p)
        top = np.maximum(log_f, log_g)
        log_norm = top + np.log(np.exp(log_f - top) + np.exp(log_g - top))
        resp = np.exp(log_g - log_norm)
        total = float(np.sum(log_norm))
        if abs(total - previous) <= tol * abs(total):
            break
        previous = total
    sparse = int(np.argmin(rates))
    noise = (resp if sparse == 1 else 1.0 - resp) > 0.5
    return noise if noise.sum() <= n / 2 else np.zeros(n, dtype=bool)
