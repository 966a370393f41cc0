"""Sanity checks of the R mclust reference tables in tests/data/mclust.

They check that the tables were written and are read back correctly; they
test no code of the package.
"""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from tests import _mclust

DATASETS = _mclust.datasets()
SHAPES = {
    "faithful": (272, 2),
    "iris": (150, 4),
    "wine": (178, 13),
    "blobs3": (400, 2),
    "mix5d": (600, 6),
}
# The cells where mclust gives no BIC without a prior (a covariance became singular).
NA_WITHOUT_PRIOR = {
    "faithful": {},
    "iris": {"VEE": [5, 7, 9], "EVV": [5, 6]},
    "wine": {
        "VEE": [7, 8, 9],
        "EVE": [6, 7, 8, 9],
        "VVE": [7, 8, 9],
        "EVV": [7, 8, 9],
        "VVV": [7, 8, 9],
    },
    "blobs3": {"VVE": [6, 7, 8, 9]},
    "mix5d": {},
}
# mclust fits these with no prior only.
NO_PRIOR_MODELS = {"VEE", "EVE", "VVE", "EVV"}
CELLS = [("EII", 1), ("VVI", 1), ("VVV", 2), ("EEE", 3), ("EVI", 2), ("VEV", 3)]
SPHERICAL_DIAGONAL = {"EII", "VII", "EEI", "VEI", "EVI", "VVI"}


def _loglik(X, p):
    G = len(p["weights"])
    log = [
        np.log(p["weights"][k])
        + multivariate_normal(p["means"][k], p["covariances"][k]).logpdf(X)
        for k in range(G)
    ]
    return logsumexp(np.column_stack(log), axis=1).sum()


@pytest.mark.parametrize("name", DATASETS)
def test_files_load(name):
    X = _mclust.data(name)
    assert X.shape == SHAPES[name]
    n = X.shape[0]
    for use in ("SVD", "VARS"):
        labels = _mclust.hc_labels(name, use)
        assert labels.shape == (n, 9)
        for g in _mclust.GS:
            assert sorted(set(labels[:, g - 1])) == list(range(1, g + 1))
        merges = _mclust.hc_merges(name, use)
        assert merges.shape == (n - 1, 2)
        assert merges.min() >= 1 and merges.max() <= n
    for model in _mclust.MODELS:
        for G in (1, 3):
            assert set(_mclust.default_prior(name, model, G)) == {
                "shrinkage",
                "mean",
                "dof",
                "scale",
            }


@pytest.mark.parametrize("name", DATASETS)
def test_bic_cells(name):
    expected = {
        (model, G)
        for model in _mclust.MODELS
        for G in _mclust.GS
        if G not in NA_WITHOUT_PRIOR[name].get(model, [])
    }
    assert set(_mclust.bic_table(name)) == expected
    with_prior = {model for model, _ in _mclust.bic_table(name, "default")}
    assert with_prior == set(_mclust.MODELS) - NO_PRIOR_MODELS
    assert len(_mclust.bic_rows(name)) == len(_mclust.bic_rows(name, "default")) == 126


@pytest.mark.parametrize("prior", ["none", "default"])
@pytest.mark.parametrize("name", DATASETS)
def test_bic_is_2_loglik_minus_df_log_n(name, prior):
    n = _mclust.data(name).shape[0]
    table = _mclust.bic_table(name, prior)
    assert table
    for bic, loglik, df in table.values():
        assert bic == pytest.approx(2 * loglik - df * np.log(n), rel=1e-9)


@pytest.mark.parametrize("prior", ["none", "default"])
@pytest.mark.parametrize("name", DATASETS)
def test_loglik_at_parameters(name, prior):
    X = _mclust.data(name)
    table = _mclust.bic_table(name, prior)
    for model, G in CELLS:
        if (model, G) not in table:
            continue
        me = _mclust.parameters(name, model, G, prior)
        assert me["loglik"] == table[model, G][1]
        assert _loglik(X, me) == pytest.approx(me["loglik"], rel=1e-8)
        assert me["dens_loglik"] == pytest.approx(me["loglik"], rel=1e-8)
        # Mclust's parameters are one M-step on: the loglik there is its own.
        final = _mclust.parameters(name, model, G, prior, fit="Mclust")
        assert _loglik(X, final) == pytest.approx(final["dens_loglik"], rel=1e-8)
        if G == 1:
            assert final["dens_loglik"] == pytest.approx(me["loglik"], rel=1e-12)


@pytest.mark.parametrize("name", ["faithful", "iris", "mix5d"])
def test_covariances_from_scale_shape_orientation(name):
    d = _mclust.data(name).shape[1]
    for model in _mclust.MODELS:
        for G in (2, 3):
            p = _mclust.parameters(name, model, G)
            scale = np.broadcast_to(p.get("scale", p.get("sigmasq")), (G,))
            shape = np.broadcast_to(p.get("shape", np.ones(d)), (G, d))
            orientation = np.broadcast_to(p.get("orientation", np.eye(d)), (G, d, d))
            if model in ("EEE", "VVV"):
                continue
            built = np.einsum(
                "k,kij,kj,klj->kil", scale, orientation, shape, orientation
            )
            np.testing.assert_allclose(
                built, p["covariances"], rtol=1e-8, atol=1e-12, err_msg=model
            )


@pytest.mark.parametrize("name", DATASETS)
def test_default_prior(name):
    X = _mclust.data(name)
    d = X.shape[1]
    var = np.cov(X, rowvar=False)
    for model in _mclust.MODELS:
        for G in (1, 3):
            prior = _mclust.default_prior(name, model, G)
            assert prior["shrinkage"] == 0.01
            assert prior["dof"] == d + 2
            np.testing.assert_allclose(prior["mean"], X.mean(axis=0), rtol=1e-14)
            factor = G ** (-2 / d)
            if model in SPHERICAL_DIAGONAL:
                expected = factor * np.trace(var) / d
            else:
                expected = factor * var
            np.testing.assert_allclose(prior["scale"], expected, rtol=1e-12)


def _partition(labels):
    first = {}
    return [first.setdefault(label, len(first)) for label in labels]


@pytest.mark.parametrize("use", ["SVD", "VARS"])
@pytest.mark.parametrize("name", ["faithful", "iris"])
def test_merges_replay_to_hclass(name, use):
    merges = _mclust.hc_merges(name, use)
    labels = _mclust.hc_labels(name, use)
    n = labels.shape[0]
    cluster = np.arange(1, n + 1)
    for step, (a, b) in enumerate(merges, start=1):
        cluster[cluster == b] = a
        G = n - step
        if G <= 9:
            assert _partition(cluster) == _partition(labels[:, G - 1])
