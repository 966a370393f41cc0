"""mclust's fourteen covariance models: their M-steps against a general
optimizer, their constraints, parameter counts, EM's monotonicity, and the
features of the estimator on the ten models beyond scikit-learn's four."""

import numpy as np
import pytest
from _constraints import assert_constraints
from numpy.testing import assert_allclose, assert_array_equal
from scipy import linalg, optimize

from skgmm_em import GaussianMixture
from skgmm_em._covariance import MCLUST_MODEL_NAMES, MCLUST_MODELS, MODELS
from skgmm_em._covariance._constrained import InnerSettings, constrained_covariances
from skgmm_em.datasets import load_faithful

NEW_MODELS = [name for name in MCLUST_MODELS if MODELS[name].constrained]


def _objective(nk, W, cov):
    _, logdet = np.linalg.slogdet(cov)
    traces = np.einsum("kij,kji->k", np.linalg.inv(cov), W)
    return float(nk @ logdet + traces.sum())


def _scatter(rng, k, d):
    nk = rng.uniform(5.0, 40.0, k)
    W = []
    for n in nk:
        A = rng.normal(size=(d, d + 3)) * rng.uniform(0.3, 3.0, size=(d, 1))
        W.append(n * (A @ A.T) / (d + 3))
    return nk, np.array(W)


def _parametrized(name, k, d):
    """A map from an unconstrained vector to covariances of model ``name``
    (log volumes, log shapes summing to zero, rotations as exponentials of
    skew-symmetric matrices): an independent description of the model."""
    volume, shape, orientation = name
    n_vol = 1 if volume == "E" else k
    n_shape = {"I": 0, "E": 1, "V": k}[shape] * (d - 1)
    n_rot = {"I": 0, "E": 1, "V": k}[orientation] * (d * (d - 1) // 2)
    iu = np.triu_indices(d, 1)

    def covariances(theta):
        log_vol = np.broadcast_to(theta[:n_vol], (k,))
        if n_shape:
            free = theta[n_vol : n_vol + n_shape].reshape(-1, d - 1)
            log_shape = np.hstack([free, -free.sum(axis=1, keepdims=True)])
            log_shape = np.broadcast_to(log_shape, (k, d))
        else:
            log_shape = np.zeros((k, d))
        angles = theta[n_vol + n_shape :].reshape(-1, len(iu[0]))
        rotations = []
        for a in angles:
            skew = np.zeros((d, d))
            skew[iu] = a
            rotations.append(linalg.expm(skew - skew.T))
        rotations = np.broadcast_to(
            np.array(rotations) if rotations else np.eye(d), (k, d, d)
        )
        values = np.exp(log_vol[:, None] + log_shape)
        return np.einsum("kij,kj,klj->kil", rotations, values, rotations)

    return covariances, n_vol + n_shape + n_rot


@pytest.mark.slow
@pytest.mark.parametrize("name", MCLUST_MODELS)
def test_m_step_is_the_minimum_a_general_optimizer_finds(name):
    rng = np.random.default_rng(3)
    k, d = 3, 3
    nk, W = _scatter(rng, k, d)
    ours = constrained_covariances(
        name, nk, W, settings=InnerSettings(tol=1e-14, max_iter=5000)
    )
    covariances, n_theta = _parametrized(name, k, d)
    best = np.inf
    for _ in range(4):
        result = optimize.minimize(
            lambda t: _objective(nk, W, covariances(t)),
            rng.normal(scale=0.5, size=n_theta),
            method="BFGS",
            options={"gtol": 1e-9, "maxiter": 5000},
        )
        best = min(best, result.fun)
    assert _objective(nk, W, ours) <= best + 1e-7 * abs(best)
    assert _objective(nk, W, ours) == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("name", MCLUST_MODELS)
def test_m_step_satisfies_the_constraints(name):
    nk, W = _scatter(np.random.default_rng(0), 4, 5)
    assert_constraints(name, constrained_covariances(name, nk, W))


# mclust's counts of covariance parameters for K = 3 components in d = 4
# dimensions, written out from its documented formulas.
_COUNTS_3_4 = {
    "EII": 1, "VII": 3, "EEI": 4, "VEI": 3 + 3, "EVI": 1 + 3 * 3,
    "VVI": 12, "EEE": 10, "VEE": 3 + 3 + 6, "EVE": 1 + 9 + 6, "VVE": 3 + 9 + 6,
    "EEV": 1 + 3 + 18, "VEV": 3 + 3 + 18, "EVV": 1 + 9 + 18, "VVV": 30,
}  # fmt: skip


def test_parameter_counts():
    for name in MCLUST_MODELS:
        assert MODELS[name].n_cov_parameters(3, 4) == _COUNTS_3_4[name]
        assert MODELS[name].n_parameters(3, 4) == _COUNTS_3_4[name] + 12 + 2


@pytest.fixture(scope="module")
def faithful():
    return load_faithful()[0]


# Monotonicity is the point here, not convergence within max_iter.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", MCLUST_MODELS)
def test_em_never_goes_down(name, faithful):
    rng = np.random.default_rng(1)
    weights = rng.uniform(0.2, 3.0, len(faithful))
    for sample_weight in (None, weights):
        gm = GaussianMixture(
            4,
            covariance_type=name,
            reg_covar=0.0,
            tol=1e-9,
            max_iter=300,
            random_state=0,
        ).fit(faithful, sample_weight=sample_weight)
        bounds = np.asarray(gm.lower_bounds_)
        assert np.all(np.diff(bounds) >= -1e-12 * np.abs(bounds[1:]))
        assert_constraints(name, MODELS[name].to_full(gm.covariances_, 4, 2))


@pytest.mark.parametrize("name", NEW_MODELS)
def test_decomposition_attributes(name, faithful):
    gm = GaussianMixture(3, covariance_type=name, random_state=0).fit(faithful)
    assert gm.covariances_.shape == gm.precisions_.shape == (3, 2, 2)
    rebuilt = np.einsum(
        "kij,kj,klj->kil",
        gm.orientations_,
        gm.volumes_[:, None] * gm.shapes_,
        gm.orientations_,
    )
    assert_allclose(rebuilt, gm.covariances_, rtol=1e-10, atol=1e-12)
    assert_allclose(np.prod(gm.shapes_, axis=1), 1.0, rtol=1e-12)


def test_scikit_learn_names_and_mclust_names_give_the_same_fit(faithful):
    for name, mclust_name in MCLUST_MODEL_NAMES.items():
        a = GaussianMixture(3, covariance_type=name, random_state=0).fit(faithful)
        b = GaussianMixture(3, covariance_type=mclust_name, random_state=0)
        b.fit(faithful)
        assert_array_equal(a.covariances_, b.covariances_)
        assert_array_equal(a.means_, b.means_)
        assert a.bic(faithful) == b.bic(faithful)


def test_precisions_init_is_checked_against_the_model(faithful):
    covariances = np.array([np.eye(2), np.diag([4.0, 1.0])])
    gm = GaussianMixture(2, covariance_type="EEI", precisions_init=covariances)
    with pytest.raises(ValueError, match="not of the 'EEI' model.*equal shape"):
        gm.fit(faithful)
    equal = np.array([np.diag([2.0, 3.0])] * 2)
    gm.set_params(precisions_init=np.linalg.inv(equal), max_iter=0).fit(faithful)
    assert_allclose(gm.covariances_, equal)
    gm = GaussianMixture(2, covariance_type="VEV", precisions_init=np.eye(2))
    with pytest.raises(ValueError, match="precisions_init"):
        gm.fit(faithful)


# ---------------------------------------------------------------------------
# everything the four models have, for the ten others


@pytest.fixture(scope="module")
def mixture():
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 2.0], [0.0, 7.0, -3.0]])
    X = np.vstack([c + rng.normal(size=(300, 3)) * [1.0, 0.5, 2.0] for c in centres])
    return X[rng.permutation(len(X))]


def _fit(name, X, **kwargs):
    settings = dict(covariance_type=name, random_state=0, tol=1e-8, max_iter=500)
    return GaussianMixture(3, **{**settings, **kwargs}).fit(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", NEW_MODELS)
def test_chunks_threads_and_integer_weights(name, mixture, monkeypatch):
    from skgmm_em import _em

    whole = _fit(name, mixture)
    monkeypatch.setattr(_em, "MAX_CHUNK_ROWS", 64)
    monkeypatch.setattr(_em, "MIN_CHUNK_ROWS", 64)
    chunked = _fit(name, mixture)
    assert_allclose(chunked.covariances_, whole.covariances_, rtol=1e-7, atol=1e-9)
    # Weight 2 on a row is the row twice, from the same start.
    start = dict(
        weights_init=whole.weights_,
        means_init=whole.means_,
        precisions_init=whole.precisions_,
    )
    weights = np.ones(len(mixture))
    weights[:100] = 2.0
    weighted = _fit(name, mixture, **start, max_iter=5, tol=0.0)
    weighted.fit(mixture, sample_weight=weights)
    repeated = _fit(name, np.vstack([mixture, mixture[:100]]), **start)
    repeated.set_params(max_iter=5, tol=0.0).fit(np.vstack([mixture, mixture[:100]]))
    assert_allclose(weighted.covariances_, repeated.covariances_, rtol=1e-7)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", NEW_MODELS)
def test_missing_values_sampling_files_and_imputer(name, mixture, tmp_path):
    from skgmm_em import GaussianMixtureImputer, load, save

    X = mixture.copy()
    X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan
    gm = _fit(name, X, max_iter=200)
    bounds = np.asarray(gm.lower_bounds_)
    assert np.all(np.diff(bounds) >= -1e-10 * np.abs(bounds[1:]))
    assert_constraints(name, gm.covariances_, rtol=1e-7)
    assert np.isfinite(gm.score(X))
    drawn, labels = gm.sample(50)
    assert drawn.shape == (50, 3) and labels.shape == (50,)
    save(gm, tmp_path / "model.json")
    loaded = load(tmp_path / "model.json")
    assert loaded.covariance_type == name
    assert_array_equal(loaded.predict(mixture), gm.predict(mixture))
    imputer = GaussianMixtureImputer(3, covariance_type=name, random_state=0)
    filled = imputer.fit_transform(X)
    assert not np.isnan(filled).any()


@pytest.mark.parametrize("name", ["VEE", "EVE", "EEV"])
def test_dask_gives_the_numpy_fit(name, mixture):
    da = pytest.importorskip("dask.array")
    ours = _fit(name, mixture)
    lazy = _fit(name, da.from_array(mixture, chunks=300))
    assert_allclose(lazy.covariances_, ours.covariances_, rtol=1e-6, atol=1e-9)
    assert_allclose(lazy.means_, ours.means_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["VVE", "EVI"])
def test_plots(name, mixture):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from skgmm_em.plotting import plot_ellipses

    gm = _fit(name, mixture)
    ax = plot_ellipses(gm, mixture)
    assert len(ax.patches) >= 3
    plt.close("all")


def test_model_file_with_covariances_off_the_model_is_refused(mixture, tmp_path):
    import json

    from skgmm_em import load, save

    gm = _fit("EVE", mixture)
    path = tmp_path / "model.json"
    save(gm, path)
    assert_allclose(load(path).covariances_, gm.covariances_)
    # Covariances of the 'full' model, with their own factors, under EVE.
    full = _fit("VVV", mixture)
    document = json.loads(path.read_text())
    document["fitted"]["covariances"] = full.covariances_.tolist()
    document["fitted"]["precisions_cholesky"] = full.precisions_cholesky_.tolist()
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="covariances are not of the 'EVE' model"):
        load(path)
    # save refuses such a model too.
    for name in ("covariances_", "precisions_", "precisions_cholesky_"):
        setattr(gm, name, getattr(full, name))
    with pytest.raises(ValueError, match="not of the 'EVE' model"):
        save(gm, tmp_path / "other.json")
