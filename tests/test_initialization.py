"""The initializers: built-ins, user-written ones, and their use in sklearn."""

import numpy as np
import pytest
from _data import COVARIANCE_TYPES
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from sklearn.model_selection import GridSearchCV

from skgmm_em import GaussianMixture
from skgmm_em.initialization import (
    INITIALIZERS,
    HierarchicalInit,
    KMeansInit,
    KMeansPlusPlusInit,
    MomentsInit,
    RandomFromDataInit,
    RandomInit,
    parameters_from_responsibilities,
)

NAMES = ["kmeans", "k-means++", "random", "random_from_data", "moments", "hc"]
RANDOM_NAMES = ["k-means++", "random", "random_from_data", "moments"]
FITTED = ["weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"]
REG = 1e-6


BLOBS, _ = make_blobs(
    n_samples=120,
    centers=[[-5.0, 0.0, 1.0], [0.0, 5.0, -1.0], [5.0, 0.0, 0.0]],
    cluster_std=[0.6, 1.0, 0.8],
    random_state=0,
)
BLOBS.setflags(write=False)


@pytest.fixture(scope="module")
def X():
    return BLOBS


@pytest.fixture(scope="module")
def iris():
    return load_iris().data


def _assert_positive_definite(covariances, covariance_type):
    assert np.all(np.isfinite(covariances))
    if covariance_type == "full":
        for cov in covariances:
            np.testing.assert_allclose(cov, cov.T, rtol=0, atol=1e-12)
            assert np.linalg.eigvalsh(cov)[0] > 0
    elif covariance_type == "tied":
        np.testing.assert_allclose(covariances, covariances.T, rtol=0, atol=1e-12)
        assert np.linalg.eigvalsh(covariances)[0] > 0
    else:
        assert np.all(covariances > 0)


def _min_pairwise_distance(means):
    diff = means[:, None, :] - means[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    return dist[np.triu_indices(len(means), k=1)].min()


def _start(X, init, covariance_type="full", random_state=0, n_components=3, **kw):
    return GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        init_params=init,
        max_iter=0,
        random_state=random_state,
        **kw,
    ).fit(X)


def _expand_full(cov_full, covariance_type, weights):
    """What full covariances become for a covariance type (reg_covar added)."""
    d = cov_full.shape[-1]
    if covariance_type == "full":
        return cov_full + REG * np.eye(d)
    if covariance_type == "tied":
        return np.tensordot(weights, cov_full, axes=1) + REG * np.eye(d)
    diag = np.diagonal(cov_full, axis1=1, axis2=2)
    if covariance_type == "diag":
        return diag + REG
    return diag.mean(axis=1) + REG


_BUILTIN_STARTS = {}


def _builtin_start(name, covariance_type, random_state=0):
    """The (cached, never modified) start of a built-in on BLOBS."""
    key = (name, covariance_type, random_state)
    if key not in _BUILTIN_STARTS:
        _BUILTIN_STARTS[key] = _start(BLOBS, name, covariance_type, random_state)
    return _BUILTIN_STARTS[key]


# ---------------------------------------------------------------------------
# the built-ins


def test_registry():
    assert set(INITIALIZERS) == set(NAMES)
    assert INITIALIZERS["kmeans"] is KMeansInit
    assert INITIALIZERS["k-means++"] is KMeansPlusPlusInit
    assert INITIALIZERS["random"] is RandomInit
    assert INITIALIZERS["random_from_data"] is RandomFromDataInit
    assert INITIALIZERS["moments"] is MomentsInit
    assert INITIALIZERS["hc"] is HierarchicalInit


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", NAMES)
def test_builtin_start_is_valid(X, name, covariance_type):
    gm = _builtin_start(name, covariance_type)
    assert gm.n_iter_ == 0
    assert gm.weights_.shape == (3,)
    assert np.all(gm.weights_ > 0)
    if name in ("k-means++", "random_from_data"):
        # One sample per component: weights (1 + 10 eps) / n, as scikit-learn.
        np.testing.assert_allclose(gm.weights_, 1 / len(X), rtol=1e-12)
    else:
        assert abs(gm.weights_.sum() - 1.0) < 1e-12
    assert gm.means_.shape == (3, X.shape[1])
    assert np.all(np.isfinite(gm.means_))
    assert _min_pairwise_distance(gm.means_) > 1e-6
    _assert_positive_definite(gm.covariances_, covariance_type)
    _assert_positive_definite(gm.precisions_, covariance_type)
    # No iteration, no lower bound (scikit-learn's -inf).
    assert gm.lower_bound_ == -np.inf and gm.lower_bounds_ == []


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", ["kmeans", "k-means++", "random", "random_from_data"])
@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_start_is_sklearns(X, name, covariance_type, random_state):
    # The same draws from the same random_state, on the rows as given: the
    # start scikit-learn computes (max_iter=0 leaves it in place).
    ours = _start(X, name, covariance_type, random_state)
    theirs = SkGaussianMixture(
        3,
        covariance_type=covariance_type,
        init_params=name,
        max_iter=0,
        random_state=random_state,
    ).fit(X)
    for attr in FITTED:
        np.testing.assert_allclose(
            getattr(ours, attr), getattr(theirs, attr), rtol=1e-12, err_msg=attr
        )
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.lower_bound_ == theirs.lower_bound_ == -np.inf


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", NAMES)
def test_builtin_start_is_reproducible(X, name, covariance_type):
    first = _builtin_start(name, covariance_type)
    second = _start(X, name, covariance_type, random_state=0)
    for attr in FITTED:
        np.testing.assert_array_equal(getattr(first, attr), getattr(second, attr))
    if covariance_type == "full":
        # A RandomState instance in the same state gives the same start too.
        rng = np.random.RandomState(0)
        third = _start(X, name, covariance_type, random_state=rng)
        np.testing.assert_array_equal(third.means_, first.means_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_random_builtin_depends_on_random_state(X, name, covariance_type):
    means = [_builtin_start(name, covariance_type, s).means_ for s in (0, 1)]
    assert np.max(np.abs(means[0] - means[1])) > 1e-6


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", NAMES)
def test_instance_equals_name(X, name, covariance_type):
    by_name = _builtin_start(name, covariance_type)
    by_instance = _start(X, INITIALIZERS[name](), covariance_type)
    for attr in FITTED:
        np.testing.assert_array_equal(
            getattr(by_instance, attr), getattr(by_name, attr)
        )


@pytest.mark.parametrize("name", ["k-means++", "random_from_data"])
@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_seeds_are_rows_of_X(X, name, random_state):
    # Each seed's mean is its row shrunk by 1 + 10 eps (scikit-learn's n_k).
    gm = _builtin_start(name, "full", random_state)
    rows = []
    for mean in gm.means_:
        matches = np.flatnonzero(np.all(np.isclose(X, mean, rtol=1e-14), axis=1))
        assert matches.size >= 1, f"mean {mean} is not a row of X"
        rows.append(matches[0])
    assert len(set(rows)) == 3
    np.testing.assert_allclose(
        gm.covariances_, np.stack([REG * np.eye(3)] * 3), rtol=1e-9, atol=1e-20
    )


@pytest.mark.parametrize("name", ["k-means++", "random_from_data"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_cell_covariances_are_the_seeds_nearest_samples(X, name, covariance_type):
    # covariances='cell': the seeds are the means, the rest comes from the
    # samples nearest to each seed (the parameter form of the protocol).
    seeds = _builtin_start(name, "full", 0).means_
    cells = INITIALIZERS[name](covariances="cell")
    gm = _start(X, cells, covariance_type)
    np.testing.assert_allclose(gm.means_, seeds, rtol=1e-14)

    def nearest(X, n_components, random_state, sample_weight=None):
        return None, seeds, None

    expected = _start(X, nearest, covariance_type)
    for attr in ("weights_", "covariances_"):
        np.testing.assert_allclose(
            getattr(gm, attr), getattr(expected, attr), rtol=1e-12
        )


@pytest.mark.parametrize("name", ["kmeans", "k-means++", "random", "random_from_data"])
def test_distinct_rows_start_ignores_row_order_and_repeats(X, name):
    # rows='distinct': the start depends only on the weighted set of samples:
    # not on the order of the rows, and integer weights are repeated rows.
    init = INITIALIZERS[name](rows="distinct")
    order = np.random.RandomState(3).permutation(len(X))
    repeats = np.random.RandomState(4).randint(1, 3, size=len(X))
    pairs = [
        (_start(X, init, "full"), _start(X[order], init, "full")),
        (
            _start(np.repeat(X, repeats, axis=0), init, "full"),
            GaussianMixture(3, init_params=init, max_iter=0, random_state=0).fit(
                X[order], sample_weight=repeats[order]
            ),
        ),
    ]
    for a, b in pairs:
        for attr in FITTED:
            np.testing.assert_allclose(
                getattr(b, attr), getattr(a, attr), rtol=1e-9, atol=1e-12
            )
    assert not np.allclose(pairs[0][0].means_, pairs[1][0].means_)


def test_distinct_rows_refuse_too_many_components():
    X = np.repeat([[0.0, 1.0], [3.0, -2.0]], 10, axis=0)
    with pytest.raises(ValueError, match="only 2 distinct sample.*rows='as_given'"):
        _start(X, KMeansInit(rows="distinct"), "full")


@pytest.mark.parametrize(
    "init, match",
    [
        (KMeansInit(rows="sorted"), "rows must be one of 'as_given', 'distinct'"),
        (KMeansPlusPlusInit(covariances="full"), "covariances must be one of"),
        (RandomFromDataInit(covariances=None), "covariances must be one of"),
        (RandomInit(rows=1), "rows must be one of"),
    ],
)
def test_bad_initializer_options(X, init, match):
    with pytest.raises(ValueError, match=match):
        _start(X, init, "full")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_moments_start(iris, covariance_type):
    gm = _start(iris, "moments", covariance_type, n_components=3)
    np.testing.assert_array_equal(gm.weights_, np.full(3, 1.0 / 3))
    data_cov = np.cov(iris.T, bias=True)
    expected = _expand_full(
        np.broadcast_to(data_cov, (3, 4, 4)), covariance_type, gm.weights_
    )
    np.testing.assert_allclose(gm.covariances_, expected, rtol=1e-10)


@pytest.mark.parametrize("n_components", [2, 4, 5])
def test_moments_full_covariance_and_weights(iris, n_components):
    gm = _start(iris, "moments", "full", n_components=n_components, reg_covar=1e-3)
    np.testing.assert_array_equal(gm.weights_, np.full(n_components, 1 / n_components))
    expected = np.cov(iris.T, bias=True) + 1e-3 * np.eye(4)
    for cov in gm.covariances_:
        np.testing.assert_allclose(cov, expected, rtol=1e-10)


def test_moments_means_scale(iris):
    # mean_k = m + scale * L z_k: the spread of the means is proportional to
    # scale, around the data mean.
    wide = _start(iris, MomentsInit(scale=1.0), n_components=4).means_
    narrow = _start(iris, MomentsInit(scale=0.25), n_components=4).means_
    centre = iris.mean(axis=0)
    np.testing.assert_allclose(narrow - centre, 0.25 * (wide - centre), atol=1e-10)


def test_moments_invalid_scale(iris):
    with pytest.raises(ValueError, match="MomentsInit needs scale > 0"):
        _start(iris, MomentsInit(scale=0.0))


# ---------------------------------------------------------------------------
# user-written initializers


FIXED_WEIGHTS = np.array([0.2, 0.3, 0.5])
FIXED_COVS = np.array(
    [
        [[1.0, 0.2, 0.0], [0.2, 2.0, 0.1], [0.0, 0.1, 0.5]],
        [[0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5]],
        [[3.0, -0.5, 0.2], [-0.5, 1.0, 0.0], [0.2, 0.0, 2.0]],
    ]
)


def _fixed_means(X):
    return X[[0, 40, 80]] + 0.125


class FixedInit:
    """A user-written initializer class that records its calls."""

    def __init__(self):
        self.calls = []

    def initialize(self, X, n_components, random_state, sample_weight=None):
        self.calls.append((X.shape, n_components, random_state, sample_weight))
        return FIXED_WEIGHTS.copy(), _fixed_means(X), FIXED_COVS.copy()


def fixed_init_function(X, n_components, random_state, sample_weight=None):
    fixed_init_function.calls.append((X.shape, n_components, random_state))
    return FIXED_WEIGHTS.copy(), _fixed_means(X), FIXED_COVS.copy()


fixed_init_function.calls = []


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("kind", ["class", "function"])
def test_user_initializer_is_the_start(X, kind, covariance_type):
    if kind == "class":
        init = FixedInit()
        calls = init.calls
    else:
        init = fixed_init_function
        calls = fixed_init_function.calls
        calls.clear()
    gm = _start(X, init, covariance_type)
    assert len(calls) == 1
    assert calls[0][0] == X.shape
    assert calls[0][1] == 3
    assert isinstance(calls[0][2], np.random.RandomState)
    np.testing.assert_allclose(gm.weights_, FIXED_WEIGHTS, rtol=1e-12)
    np.testing.assert_allclose(gm.means_, _fixed_means(X), rtol=1e-12)
    np.testing.assert_allclose(
        gm.covariances_,
        _expand_full(FIXED_COVS, covariance_type, FIXED_WEIGHTS),
        rtol=1e-12,
    )


def test_user_initializer_runs_once_per_init(X):
    init = FixedInit()
    GaussianMixture(3, init_params=init, n_init=3, max_iter=0, random_state=0).fit(X)
    assert len(init.calls) == 3


def test_user_initializer_weights_are_rescaled(X):
    def unnormalized(X, n_components, random_state, sample_weight=None):
        return FIXED_WEIGHTS * 7.0, _fixed_means(X), FIXED_COVS

    gm = _start(X, unnormalized)
    np.testing.assert_allclose(gm.weights_, FIXED_WEIGHTS, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_user_initializer_receives_the_random_state(X, name):
    # Drawing from the given RandomState makes a wrapper of a built-in give
    # the built-in's start.
    builtin = INITIALIZERS[name]()

    def wrapper(X, n_components, random_state, sample_weight=None):
        return builtin.initialize(X, n_components, random_state, sample_weight)

    np.testing.assert_array_equal(
        _start(X, wrapper).means_, _builtin_start(name, "full").means_
    )


SMALL_X = np.array(
    [
        [0.0, 0.0],
        [1.0, 0.5],
        [0.5, 1.5],
        [-0.5, 0.2],
        [10.0, 0.0],
        [11.0, 1.0],
        [9.0, 2.5],
        [0.0, 10.0],
        [1.5, 11.0],
        [-1.0, 9.0],
        [0.5, 12.5],
    ]
)
SMALL_MEANS = np.array([[0.5, 0.5], [9.0, 1.0], [0.0, 10.5]])


def _hand_assignment(X, means):
    dist = ((X[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    labels = np.argmin(dist, axis=1)
    weights = np.bincount(labels, minlength=len(means)) / len(X)
    covs = np.stack([np.cov(X[labels == k].T, bias=True) for k in range(len(means))])
    return labels, weights, covs


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
@pytest.mark.parametrize("missing", ["both", "weights", "covariances"])
def test_none_parts_derived_from_nearest_mean(covariance_type, missing):
    given_weights = np.array([0.5, 0.25, 0.25])
    given_covs = np.stack([np.eye(2) * (k + 1) for k in range(3)])

    def partial(X, n_components, random_state, sample_weight=None):
        weights = None if missing in ("both", "weights") else given_weights
        covs = None if missing in ("both", "covariances") else given_covs
        return weights, SMALL_MEANS.copy(), covs

    labels, weights, covs = _hand_assignment(SMALL_X, SMALL_MEANS)
    assert np.all(np.bincount(labels) >= 2)
    np.testing.assert_array_equal(np.bincount(labels), [4, 3, 4])
    gm = _start(SMALL_X, partial, covariance_type)

    expected_weights = given_weights if missing == "covariances" else weights
    expected_covs = given_covs if missing == "weights" else covs
    np.testing.assert_allclose(gm.weights_, expected_weights, rtol=1e-12)
    np.testing.assert_array_equal(gm.means_, SMALL_MEANS)
    np.testing.assert_allclose(
        gm.covariances_,
        _expand_full(expected_covs, covariance_type, expected_weights),
        rtol=1e-10,
        atol=1e-14,
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_lonely_component_gets_data_covariance(covariance_type):
    # A mean with a single nearest sample starts with the covariance of all
    # the data (documented), not a collapsed one.
    X = np.r_[SMALL_X, [[30.0, 30.0]]]
    means = np.r_[SMALL_MEANS, [[30.0, 30.0]]]

    def partial(X, n_components, random_state, sample_weight=None):
        return None, means.copy(), None

    gm = _start(X, partial, covariance_type, n_components=4)
    labels, weights, covs = _hand_assignment(X[:-1], SMALL_MEANS)
    np.testing.assert_allclose(gm.weights_[3], 1 / len(X), rtol=1e-12)
    _assert_positive_definite(gm.covariances_, covariance_type)
    if covariance_type in ("full", "diag", "spherical"):
        data_cov = np.cov(X.T, bias=True)[None]
        np.testing.assert_allclose(
            gm.covariances_[3],
            _expand_full(data_cov, covariance_type, np.ones(1))[0],
            rtol=1e-10,
        )
        np.testing.assert_allclose(
            gm.covariances_[:3],
            _expand_full(covs, covariance_type, weights),
            rtol=1e-10,
        )


def test_parameters_from_responsibilities_by_hand():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3)) * [1.0, 2.0, 0.5] + [10.0, -3.0, 0.0]
    resp = rng.uniform(size=(30, 4))
    resp /= resp.sum(axis=1, keepdims=True)
    sample_weight = rng.uniform(0.5, 2.0, size=30)

    for sw in (None, sample_weight):
        r = resp if sw is None else resp * sw[:, None]
        nk = r.sum(axis=0)
        means = (r.T @ X) / nk[:, None]
        covs = np.stack(
            [
                np.einsum("n,nd,ne->de", r[:, k], X - means[k], X - means[k]) / nk[k]
                for k in range(4)
            ]
        )
        weights, got_means, got_covs = parameters_from_responsibilities(X, resp, sw)
        np.testing.assert_allclose(weights, nk / nk.sum(), rtol=1e-12)
        np.testing.assert_allclose(got_means, means, rtol=1e-12)
        np.testing.assert_allclose(got_covs, covs, rtol=1e-10)
        assert abs(weights.sum() - 1.0) < 1e-12
        # np.cov with analytic weights gives the same covariances
        for k in range(4):
            np.testing.assert_allclose(
                got_covs[k], np.cov(X.T, aweights=r[:, k], bias=True), rtol=1e-10
            )


def test_parameters_from_responsibilities_hard_labels():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 1.0], [10.0, 0.0], [12.0, 2.0]])
    resp = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]])
    weights, means, covs = parameters_from_responsibilities(X, resp)
    np.testing.assert_allclose(weights, [0.6, 0.4], rtol=1e-12)
    np.testing.assert_allclose(means, [[2.0, 5.0 / 3.0], [11.0, 1.0]], rtol=1e-12)
    np.testing.assert_allclose(
        covs[0], np.cov(X[:3].T, bias=True), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(
        covs[1], np.cov(X[3:].T, bias=True), rtol=1e-12, atol=1e-14
    )


def test_random_init_is_m_step_of_random_responsibilities(X):
    # Responsibilities drawn for the rows as given, as scikit-learn draws them.
    gm = _start(X, "random", random_state=5)
    rng = np.random.RandomState(5)
    resp = rng.uniform(size=(X.shape[0], 3))
    resp /= resp.sum(axis=1, keepdims=True)
    weights, means, covs = parameters_from_responsibilities(X, resp)
    np.testing.assert_allclose(gm.weights_, weights, rtol=1e-12)
    np.testing.assert_allclose(gm.means_, means, rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_, covs + REG * np.eye(3), rtol=1e-10)


# ---------------------------------------------------------------------------
# scikit-learn integration


def test_clone_copies_the_initializer():
    init = KMeansInit(n_init=3, max_iter=50)
    gm = GaussianMixture(2, init_params=init, random_state=0)
    cloned = clone(gm)
    assert cloned.init_params is not init
    assert type(cloned.init_params) is KMeansInit
    assert cloned.init_params.get_params() == init.get_params()
    params, cloned_params = gm.get_params(deep=False), cloned.get_params(deep=False)
    assert params.keys() == cloned_params.keys()
    for key, value in params.items():
        if key != "init_params":
            assert cloned_params[key] == value, key


def test_get_set_params_with_initializer(X):
    gm = GaussianMixture(3, init_params=KMeansInit(n_init=2), random_state=0)
    params = gm.get_params(deep=True)
    assert params["init_params__n_init"] == 2
    assert params["init_params__max_iter"] == 300
    gm.set_params(init_params__n_init=4)
    assert gm.init_params.n_init == 4
    assert gm.get_params()["init_params__n_init"] == 4
    gm.set_params(init_params=MomentsInit(scale=0.5), max_iter=0)
    assert gm.get_params()["init_params__scale"] == 0.5
    gm.fit(X)
    np.testing.assert_array_equal(gm.weights_, np.full(3, 1 / 3))
    gm.set_params(init_params="random_from_data")
    assert gm.get_params()["init_params"] == "random_from_data"
    gm.fit(X)
    is_row = np.isclose(X[:, None], gm.means_[None], rtol=1e-14).all(axis=2)
    assert np.all(is_row.any(axis=0))


def my_function(X, n_components, random_state, sample_weight=None):
    idx = random_state.choice(X.shape[0], size=n_components, replace=False)
    return None, X[idx], None


def test_grid_search_over_initializers():
    X, _ = make_blobs(n_samples=150, centers=[[-4.0, 0.0], [4.0, 0.0]], random_state=0)
    candidates = ["kmeans", "moments", KMeansPlusPlusInit(), my_function]
    search = GridSearchCV(
        GaussianMixture(2, random_state=0),
        param_grid={"init_params": candidates},
        cv=3,
    ).fit(X)
    best = search.best_params_["init_params"]
    assert any(best is c or (isinstance(c, str) and best == c) for c in candidates)
    assert len(search.cv_results_["params"]) == 4
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (4,)
    assert np.all(np.isfinite(scores))
    for split in range(3):
        assert np.all(np.isfinite(search.cv_results_[f"split{split}_test_score"]))
    assert np.isfinite(search.best_score_)
    assert search.best_estimator_.converged_


@pytest.mark.parametrize("n_init", [1, 3])
def test_one_component_kmeans_draws_as_sklearn(n_init):
    # One k-means cluster is every sample: no k-means run, but the same
    # draws from random_state, so a shared RandomState moves on as in
    # scikit-learn.
    X = load_iris().data
    ours_state, theirs_state = np.random.RandomState(0), np.random.RandomState(0)
    ours = GaussianMixture(1, n_init=n_init, random_state=ours_state).fit(X)
    theirs = SkGaussianMixture(1, n_init=n_init, random_state=theirs_state).fit(X)
    for attr in FITTED:
        np.testing.assert_allclose(
            getattr(ours, attr), getattr(theirs, attr), rtol=1e-12
        )
    assert ours.n_iter_ == theirs.n_iter_
    assert ours_state.randint(2**30) == theirs_state.randint(2**30)


# 'hc' agglomerates at most `subset` rows: its memory (a 2000 x 2000 matrix
# of costs by default) does not grow with the data.
@pytest.mark.parametrize("name", [name for name in NAMES if name != "hc"])
def test_default_fit_allocates_less_than_the_data(name):
    # The start and the EM work a chunk at a time: a one-component fit (the
    # default) allocates less than the data's own size at its peak.
    import tracemalloc

    X = np.random.RandomState(0).normal(size=(400_000, 5))
    tracemalloc.start()
    try:
        GaussianMixture(init_params=name, max_iter=3, random_state=0).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes, (
        f"peak {peak / 2**20:.1f} MB, data {X.nbytes / 2**20:.1f} MB"
    )
