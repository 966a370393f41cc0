"""Model-based hierarchical agglomeration (``skgmm_em._hc``) and its
initializer ``'hc'``: against a brute-force agglomeration, scipy's Ward
linkage, numpy's SVD and R mclust's ``hc()``."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, ward
from sklearn.metrics import adjusted_rand_score

from skgmm_em import GaussianMixture
from skgmm_em._covariance import ALL_COVARIANCE_TYPES
from skgmm_em._hc import USES, agglomerate, cut, transform
from skgmm_em.initialization import INITIALIZERS, HierarchicalInit
from skgmm_em.model_selection import GaussianMixtureSelector
from tests import _mclust

MODELS = ["VVV", "VII", "EII"]


def _brute_force(Z, model, weights):
    """The agglomeration by recomputing every pair's cost at every stage."""
    from skgmm_em._hc import check_model

    term, full = check_model(model)
    m, q = Z.shape
    centered = Z - weights @ Z / weights.sum()
    omega = np.sum(weights[:, None] * centered**2) / (weights.sum() * q)
    members = {i: [i] for i in range(m)}

    def value(rows):
        w = weights[rows]
        n = w.sum()
        diff = Z[rows] - w @ Z[rows] / n
        scatter = (diff * w[:, None]).T @ diff
        s = scatter[None] if full else None
        return term(np.array([n]), np.array([np.trace(scatter)]), s, omega, q)[0]

    merges = []
    while len(members) > 1:
        keys = sorted(members)
        costs = {
            (a, b): value(members[a] + members[b])
            - value(members[a])
            - value(members[b])
            for i, a in enumerate(keys)
            for b in keys[i + 1 :]
        }
        a, b = min(costs, key=lambda pair: (costs[pair], pair))
        merges.append((a, b))
        members[a] += members.pop(b)
    return np.array(merges)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("weighted", [False, True])
def test_agglomerate_matches_brute_force(model, weighted):
    rng = np.random.RandomState(3)
    Z = rng.normal(size=(24, 3)) @ rng.normal(size=(3, 3))
    weights = rng.uniform(0.5, 2.0, 24) if weighted else np.ones(24)
    merges = agglomerate(Z, model, weights if weighted else None)
    np.testing.assert_array_equal(merges, _brute_force(Z, model, weights))


@pytest.mark.parametrize("name", _mclust.datasets())
def test_equal_spherical_is_ward(name):
    X = _mclust.data(name)
    merges = agglomerate(X, "EII")
    tree = ward(X)
    for G in range(1, 10):
        expected = fcluster(tree, G, criterion="maxclust")
        assert adjusted_rand_score(expected, cut(merges, len(X), G)) == 1.0


def test_cut_numbers_clusters_by_first_row():
    merges = np.array([[1, 3], [0, 2], [0, 1]])
    np.testing.assert_array_equal(cut(merges, 4, 4), [0, 1, 2, 3])
    np.testing.assert_array_equal(cut(merges, 4, 3), [0, 1, 2, 1])
    np.testing.assert_array_equal(cut(merges, 4, 2), [0, 1, 0, 1])
    np.testing.assert_array_equal(cut(merges, 4, 1), [0, 0, 0, 0])
    with pytest.raises(ValueError, match="no stage with 5 clusters"):
        cut(merges, 4, 5)


def test_transforms():
    X = _mclust.data("iris")
    std = (X - X.mean(0)) / X.std(0, ddof=1)
    u, gamma, vt = np.linalg.svd(std, full_matrices=False)
    np.testing.assert_allclose(transform(X, "VARS"), X)
    np.testing.assert_allclose(transform(X, "STD"), std)
    np.testing.assert_allclose(np.abs(transform(X, "PCR")), np.abs(u * gamma))
    np.testing.assert_allclose(np.abs(transform(X, "SVD")), np.abs(u * np.sqrt(gamma)))
    centered = X - X.mean(0)
    pcs = transform(X, "PCS")
    np.testing.assert_allclose(
        np.abs(pcs),
        np.abs(np.linalg.svd(centered)[0][:, :4] * np.linalg.svd(centered)[1]),
    )
    # A constant variable is dropped where it would be divided by zero.
    assert transform(np.c_[X, np.ones(len(X))], "SVD").shape == (150, 4)
    assert USES[0] == "SVD"


# Partitions of mclust 6's hc(data, "VVV", use) that ours reproduce, per
# data set and G = 1..9. mclust regularizes the scatter of small clusters in
# a way its documentation does not give; ours (alpha and beta terms of
# Fraley 1998, see skgmm_em._hc) chooses other early merges, and the
# coarse partitions follow from them.
_AGREE = {
    ("faithful", "VARS"): {1},
    ("faithful", "SVD"): {1},
    ("iris", "VARS"): {1, 2},
    ("iris", "SVD"): {1, 2},
    ("wine", "VARS"): {1, 2},
    ("wine", "SVD"): {1},
    ("blobs3", "VARS"): {1, 2, 3},
    ("blobs3", "SVD"): {1, 2, 3},
    ("mix5d", "VARS"): {1, 2, 3, 4},
    ("mix5d", "SVD"): {1, 2, 3, 4},
}


@pytest.mark.parametrize("name", _mclust.datasets())
@pytest.mark.parametrize("use", ["VARS", "SVD"])
def test_partitions_against_mclust(name, use):
    X = _mclust.data(name)
    expected = _mclust.hc_labels(name, use)
    agree = set()
    for G in range(1, 10):
        labels = HierarchicalInit(use=use).initialize(X, G, np.random.RandomState(0))
        if adjusted_rand_score(expected[:, G - 1], labels) == 1.0:
            agree.add(G)
    # Exactly the agreement measured: a change in either direction is news.
    assert agree == _AGREE[(name, use)]


def test_registered_and_every_covariance_type():
    assert INITIALIZERS["hc"] is HierarchicalInit
    X = _mclust.data("faithful")
    for covariance_type in ALL_COVARIANCE_TYPES:
        gm = GaussianMixture(2, covariance_type=covariance_type, init_params="hc")
        labels = gm.fit_predict(X)
        assert gm.converged_
        assert np.bincount(labels).min() > 90  # the two groups of eruptions


def test_deterministic_without_subset():
    X = _mclust.data("iris")
    random_state = np.random.RandomState(0)
    before = random_state.get_state()[1].copy()
    labels = HierarchicalInit().initialize(X, 3, random_state)
    np.testing.assert_array_equal(random_state.get_state()[1], before)
    assert labels.dtype == np.int64 and set(labels) == {0, 1, 2}


def test_subset_returns_parameters():
    X = _mclust.data("mix5d")
    init = HierarchicalInit(subset=200)
    weights, means, covariances = init.initialize(X, 4, np.random.RandomState(0))
    assert weights.shape == (4,) and means.shape == (4, 6)
    assert covariances.shape == (4, 6, 6)
    np.testing.assert_allclose(weights.sum(), 1.0)
    other = init.initialize(X, 4, np.random.RandomState(1))[1]
    assert not np.allclose(np.sort(means, 0), np.sort(other, 0))
    gm = GaussianMixture(4, init_params=init, random_state=0).fit(X)
    assert gm.converged_


def test_sample_weights():
    X = _mclust.data("blobs3")
    init = HierarchicalInit(use="VARS")
    rs = np.random.RandomState(0)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(X))
    np.testing.assert_array_equal(
        init.initialize(X, 3, rs, w), init.initialize(X, 3, rs, 7.0 * w)
    )
    w[:10] = 0.0
    labels = init.initialize(X, 3, rs, w)
    assert np.all(labels[:10] == -1)
    rest = init.initialize(X[10:], 3, rs, w[10:])
    assert adjusted_rand_score(labels[10:], rest) == 1.0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"use": "RND"}, "use must be one of"),
        ({"model": "EEE"}, "model must be one of"),
        ({"subset": 1}, "subset must be an int"),
    ],
)
def test_bad_options(params, match):
    with pytest.raises(ValueError, match=match):
        HierarchicalInit(**params).initialize(np.eye(3), 2, np.random.RandomState(0))


def test_too_few_samples():
    with pytest.raises(ValueError, match="fewer than n_components=3"):
        HierarchicalInit().initialize(np.eye(2), 3, np.random.RandomState(0))


def test_selector_at_least_as_good_as_hc():
    X = _mclust.data("wine")
    selector = GaussianMixtureSelector(
        n_components=[2, 3], covariance_type=["full", "diag"], random_state=0
    ).fit(X)
    for k, covariance_type in [(3, "full"), (2, "diag")]:
        gm = GaussianMixture(
            k,
            covariance_type=covariance_type,
            init_params="hc",
            tol=1e-6,
            max_iter=1000,
        ).fit(X)
        kept = selector.log_likelihood_table_.loc[k, covariance_type]
        assert kept >= gm.score(X) * len(X) - 1e-6 * len(X)
