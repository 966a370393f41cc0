"""The M-steps of the parsimonious models (Celeux & Govaert 1995).

Each component covariance is ``Sigma_k = lambda_k D_k A_k D_k^T``: a volume
``lambda_k = det(Sigma_k)^(1/d)``, a shape ``A_k`` (diagonal, determinant
one) and an orientation ``D_k`` (orthogonal). A model's three letters say
whether volume, shape and orientation are Equal across components,
Variable, or the Identity (shape and orientation only).

Given the components' masses ``n_k`` and scatter matrices ``W_k`` (the
weighted moments about their means), the M-step minimizes

    sum_k  n_k log det(Sigma_k) + tr(Sigma_k^-1 W_k)

over the model. Every function here is a pure function of arrays; nothing
names an estimator setting.

Nine models have closed forms. Five alternate between closed-form updates
of some factors given the others, each of which lowers the objective:

* VEI, VEV: the volumes given the shape, then the shape given the volumes
  (for VEV in each component's eigenvector basis of ``W_k``);
* VEE: the volumes given the shared ``C = D A D^T``, then ``C`` given the
  volumes;
* EVE, VVE: the volumes and shapes given the common orientation ``D``,
  then a sweep of plane rotations of ``D`` with the volumes and shapes
  held. Over the angle ``t`` of the plane of axes ``i`` and ``j``, the
  objective is ``const + p cos 2t + q sin 2t``, whose least value has a
  closed form; the pairs of a round of the sweep are disjoint, so they turn
  at once (a Jacobi-type sweep, in the spirit of Flury and Gautschi's
  algorithm for common principal components; Browne & McNicholas 2014 use
  majorization steps instead, which converge far more slowly).

The alternations start from the previous M-step's covariances when given
(so that EM never goes down: each update can only lower the objective from
there) and stop when the objective changes by less than ``tol`` relative,
or after ``max_iter`` rounds.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InnerSettings:
    """The stopping rule of the iterative M-steps (VEI, VEE, EVE, VVE, VEV).

    Attributes
    ----------
    tol : float
        Stop when the objective (``-2`` times the expected complete-data
        log-likelihood, less constants) changes by less than ``tol`` times
        its magnitude.
    max_iter : int
        The most rounds of updates per M-step.
    """

    tol: float = 1e-10
    max_iter: int = 200


DEFAULT_INNER = InnerSettings()


def _geometric_mean(values):
    return np.exp(np.mean(np.log(values), axis=-1))


def _eigh_descending(matrices):
    values, vectors = np.linalg.eigh(matrices)
    return values[..., ::-1], vectors[..., ::-1]


def _from_factors(volumes, shapes, orientations):
    """Sigma_k = lambda_k D_k A_k D_k^T, for (K,), (K, d) and (K, d, d)."""
    scaled = orientations * (volumes[:, None] * shapes)[:, None, :]
    cov = scaled @ np.swapaxes(orientations, -1, -2)
    return 0.5 * (cov + np.swapaxes(cov, -1, -2))


def _diagonal_cov(variances):
    k, d = variances.shape
    cov = np.zeros((k, d, d))
    cov[:, np.arange(d), np.arange(d)] = variances
    return cov


def _objective(nk, omega, volumes, shapes):
    """The M-step objective from the scatter's diagonal ``omega`` (K, d) in
    each component's orientation."""
    d = omega.shape[1]
    scaled = volumes[:, None] * shapes
    return float(nk @ (d * np.log(volumes)) + np.sum(omega / scaled))


def _shape_volume_step(nk, omega, volume, shape):
    """Volumes and shapes minimizing the objective given the orientations:
    ``omega`` (K, d) is each component's scatter on its own axes."""
    k, d = omega.shape
    if shape == "V" and volume == "V":
        variances = omega / nk[:, None]
        volumes = _geometric_mean(variances)
        return volumes, variances / volumes[:, None]
    if shape == "V":
        g = _geometric_mean(omega)
        volumes = np.full(k, g.sum() / nk.sum())
        return volumes, omega / g[:, None]
    if shape == "I":
        if volume == "V":
            return omega.sum(axis=1) / (d * nk), np.ones((k, d))
        return np.full(k, omega.sum() / (d * nk.sum())), np.ones((k, d))
    if volume == "E":
        pooled = omega.sum(axis=0)
        g = _geometric_mean(pooled)
        return np.full(k, g / nk.sum()), np.broadcast_to(pooled / g, (k, d)).copy()
    raise AssertionError("a variable volume with an equal shape is iterative")


def _alternate(step, objective, state, settings):
    """Run ``state = step(state)`` until ``objective(state)`` settles."""
    value = objective(state)
    for _ in range(settings.max_iter):
        state = step(state)
        new = objective(state)
        if abs(value - new) <= settings.tol * max(abs(new), 1.0):
            break
        value = new
    return state


def _variable_volumes_equal_shape(nk, omega, volumes, settings):
    """VEI and VEV: alternate the volumes and the shared shape."""
    d = omega.shape[1]

    def step(volumes):
        shape = _shared_shape(omega, volumes)
        return (omega / shape).sum(axis=1) / (d * nk)

    def objective(volumes):
        return _objective(nk, omega, volumes, _shared_shape(omega, volumes))

    volumes = _alternate(step, objective, volumes, settings)
    return volumes, np.broadcast_to(_shared_shape(omega, volumes), omega.shape)


def _shared_shape(omega, volumes):
    pooled = (omega / volumes[:, None]).sum(axis=0)
    return pooled / _geometric_mean(pooled)


def _start_volumes(nk, W, previous):
    if previous is not None:
        return np.exp(np.linalg.slogdet(previous)[1] / W.shape[-1])
    return np.trace(W, axis1=1, axis2=2) / (W.shape[-1] * nk)


def _vee(nk, W, previous, settings):
    d = W.shape[-1]

    def shared(volumes):
        pooled = np.tensordot(1.0 / volumes, W, axes=1)
        return pooled / np.exp(np.linalg.slogdet(pooled)[1] / d)

    def step(volumes):
        inverse = np.linalg.inv(shared(volumes))
        return np.einsum("kij,ji->k", W, inverse) / (d * nk)

    def objective(volumes):
        inverse = np.linalg.inv(shared(volumes))
        traces = np.einsum("kij,ji->k", W, inverse)
        return float(nk @ (d * np.log(volumes)) + np.sum(traces / volumes))

    volumes = _alternate(step, objective, _start_volumes(nk, W, previous), settings)
    cov = volumes[:, None, None] * shared(volumes)
    return 0.5 * (cov + np.swapaxes(cov, -1, -2))


def common_orientation(covariances):
    """The orthogonal matrix (d, d) whose columns are eigenvectors shared by
    every covariance (K, d, d), ordered by the first one's eigenvalues,
    largest first."""
    k = covariances.shape[0]
    scales = np.trace(covariances, axis1=1, axis2=2)
    # A combination with irregular weights has the shared eigenvectors and,
    # almost surely, no repeated eigenvalue.
    mixing = np.sqrt(np.arange(2.0, k + 2.0))
    mix = np.tensordot(mixing / scales, covariances, axes=1)
    _, vectors = np.linalg.eigh(mix)
    first = np.einsum("ij,ik,kj->j", vectors, covariances[0], vectors)
    return vectors[:, np.argsort(-first, kind="stable")]


def _pairings(d):
    """Rounds of disjoint pairs of axes (the circle method): each pair of
    ``d`` axes meets once, and the pairs of a round can turn at once."""
    players = list(range(d)) + ([-1] if d % 2 else [])
    m = len(players)
    rounds = []
    for _ in range(m - 1):
        pairs = [(players[i], players[m - 1 - i]) for i in range(m // 2)]
        pairs = [(a, b) for a, b in pairs if a >= 0 and b >= 0]
        if pairs:
            rounds.append(tuple(np.array(side) for side in zip(*pairs, strict=True)))
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def _rotation_sweep(W, D, M):
    """One sweep of plane rotations of the common orientation ``D`` (d, d),
    each the exact minimum of ``sum_k tr(W_k D diag(M_k) D^T)`` over the
    angle of its plane, the volumes and shapes held (``M = 1 / (lambda A)``,
    (K, d))."""
    D = D.copy()
    for i, j in _pairings(D.shape[0]):
        WD = W @ D
        b_ii = np.einsum("ai,kai->ki", D[:, i], WD[:, :, i])
        b_jj = np.einsum("ai,kai->ki", D[:, j], WD[:, :, j])
        b_ij = np.einsum("ai,kai->ki", D[:, i], WD[:, :, j])
        dm = M[:, i] - M[:, j]
        p = 0.5 * np.sum(dm * (b_ii - b_jj), axis=0)
        q = np.sum(dm * b_ij, axis=0)
        # p cos(2t) + q sin(2t) is least at 2t = atan2(-q, -p).
        angle = np.where(np.hypot(p, q) > 0.0, 0.5 * np.arctan2(-q, -p), 0.0)
        c, s = np.cos(angle), np.sin(angle)
        left, right = D[:, i].copy(), D[:, j]
        D[:, i] = c * left + s * right
        D[:, j] = c * right - s * left
    return D


def _eve_vve(nk, W, previous, settings, volume):
    if previous is not None:
        D = common_orientation(previous)
    else:
        _, vectors = _eigh_descending(W.sum(axis=0))
        D = vectors

    def omega(D):
        return np.maximum(np.einsum("ij,kij->kj", D, W @ D), np.finfo(float).tiny)

    def factors(D):
        return _shape_volume_step(nk, omega(D), volume, "V")

    def step(D):
        volumes, shapes = factors(D)
        return _rotation_sweep(W, D, 1.0 / (volumes[:, None] * shapes))

    def objective(D):
        return _objective(nk, omega(D), *factors(D))

    D = _alternate(step, objective, D, settings)
    volumes, shapes = factors(D)
    k = W.shape[0]
    return _from_factors(volumes, shapes, np.broadcast_to(D, (k, *D.shape)))


def _variable_orientation(nk, W, previous, settings, volume, shape):
    """EEV, VEV, EVV, VVV: each component's axes are those of its scatter."""
    omega, vectors = _eigh_descending(W)
    omega = np.maximum(omega, np.finfo(float).tiny)
    if shape == "V":
        volumes, shapes = _shape_volume_step(nk, omega, volume, shape)
    elif volume == "E":
        volumes, shapes = _shape_volume_step(nk, omega, "E", "E")
    else:
        volumes, shapes = _variable_volumes_equal_shape(
            nk, omega, _start_volumes(nk, W, previous), settings
        )
    return _from_factors(volumes, shapes, vectors)


def _axis_aligned(nk, W, previous, settings, volume, shape):
    """The models with the identity orientation (xxI)."""
    omega = np.diagonal(W, axis1=1, axis2=2).copy()
    omega = np.maximum(omega, np.finfo(float).tiny)
    if volume == "V" and shape == "E":
        volumes, shapes = _variable_volumes_equal_shape(
            nk, omega, _start_volumes(nk, W, previous), settings
        )
    else:
        volumes, shapes = _shape_volume_step(nk, omega, volume, shape)
    return _diagonal_cov(volumes[:, None] * shapes)


def constrained_covariances(name, nk, W, previous=None, settings=DEFAULT_INNER):
    """The covariances (K, d, d) of model ``name`` (three letters) that
    minimize the M-step objective for masses ``nk`` (K,) and scatter
    matrices ``W`` (K, d, d); ``previous`` (K, d, d) are the covariances the
    iterative models start from (None: from the scatter)."""
    volume, shape, orientation = name
    nk = np.asarray(nk, dtype=np.float64)
    W = 0.5 * (W + np.swapaxes(W, -1, -2))
    # A variance of machine-epsilon size (relative to the data's) added to
    # each scatter keeps a component on fewer points than dimensions from an
    # exactly singular scatter, whose shape would be infinitely elongated.
    d = W.shape[-1]
    floor = np.finfo(float).eps * np.trace(W.sum(axis=0)) / (d * nk.sum())
    W = W + (floor * nk)[:, None, None] * np.eye(d)
    if orientation == "I":
        return _axis_aligned(nk, W, previous, settings, volume, shape)
    if orientation == "V":
        if shape == "V" and volume == "V":
            cov = W / nk[:, None, None]
            return 0.5 * (cov + np.swapaxes(cov, -1, -2))
        return _variable_orientation(nk, W, previous, settings, volume, shape)
    if shape == "E":
        if volume == "E":
            pooled = W.sum(axis=0) / nk.sum()
            return np.broadcast_to(pooled, W.shape).copy()
        return _vee(nk, W, previous, settings)
    return _eve_vve(nk, W, previous, settings, volume)


def decompose(name, covariances):
    """Volumes (K,), shapes (K, d) and orientations (K, d, d) of covariance
    matrices (K, d, d) of model ``name``: ``Sigma_k = lambda_k D_k A_k
    D_k^T``, each shape's diagonal largest first where the model orients
    the components (on the coordinate axes, in the order of the features)."""
    cov = np.asarray(covariances, dtype=np.float64)
    k, d, _ = cov.shape
    volumes = np.exp(np.linalg.slogdet(cov)[1] / d)
    orientation = name[2]
    if orientation == "I":
        D = np.broadcast_to(np.eye(d), (k, d, d)).copy()
        values = np.diagonal(cov, axis1=1, axis2=2)
    elif orientation == "E":
        D = np.broadcast_to(common_orientation(cov), (k, d, d)).copy()
        values = np.einsum("ij,kil,lj->kj", D[0], cov, D[0])
    else:
        values, D = _eigh_descending(cov)
    return volumes, values / volumes[:, None], D


_EXACT = InnerSettings(tol=1e-14, max_iter=1000)


def constraint_violation(name, covariances):
    """The largest relative (Frobenius) distance of covariance matrices
    (K, d, d) to the closest ones of model ``name``."""
    cov = np.asarray(covariances, dtype=np.float64)
    ones = np.ones(cov.shape[0])
    projected = constrained_covariances(name, ones, cov, previous=cov, settings=_EXACT)
    distance = np.linalg.norm(projected - cov, axis=(1, 2))
    return float(np.max(distance / np.linalg.norm(cov, axis=(1, 2))))


_WORDS = (
    {"E": "equal volume", "V": "variable volume"},
    {"I": "spherical", "E": "equal shape", "V": "variable shape"},
    {"I": "axis-aligned", "E": "equal orientation", "V": "variable orientation"},
)


def describe(name):
    """Model ``name``'s constraints in words."""
    words = [table[letter] for table, letter in zip(_WORDS, name, strict=True)]
    if name[1] == "I":
        # A spherical component has no orientation.
        words = words[:2]
    return ", ".join(words)
