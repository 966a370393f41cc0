"""The uniform noise component: against R mclust's noise fits
(``tests/data/mclust_noise``, written by ``make_references.R``), its
kernels, and the estimator's behaviour with ``noise_component=True``."""

import csv
from functools import lru_cache
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skgmm_em import GaussianMixture, _noise
from skgmm_em._covariance import MODELS
from skgmm_em._driver import EMSettings, run_restart
from skgmm_em._em import MixtureParams
from skgmm_em._source import ArraySource

DIR = Path(__file__).resolve().parent / "data" / "mclust_noise"
FITS = [(m, g) for m in ("EII", "VII", "EEE", "VVV") for g in (1, 2, 3)]


@lru_cache
def _table(name):
    with open(DIR / name) as f:
        return list(csv.DictReader(f))


def contaminated():
    """The data and its true noise (also the start mask of mclust's fits)."""
    X = np.loadtxt(DIR / "contaminated.csv", delimiter=",", skiprows=1)
    noise = np.loadtxt(DIR / "contaminated_noise.csv", skiprows=1) == 1
    return X, noise


def mclust_fit(model, G):
    """loglik, bic, df, V of mclust's fit."""
    (row,) = [
        r for r in _table("noise_fits.csv") if (r["model"], r["G"]) == (model, str(G))
    ]
    return {k: float(row[k]) for k in ("loglik", "bic", "df", "V", "hypvol")}


def mclust_params(model, G, storage="full"):
    """mclust's fit as MixtureParams (covariances stored as ``storage``'s),
    with the noise."""
    rows = [
        r for r in _table("noise_params.csv") if (r["model"], r["G"]) == (model, str(G))
    ]
    pro = np.zeros(G + 1)
    means, sigma = np.zeros((G, 2)), np.zeros((G, 2, 2))
    for r in rows:
        k, i, j, v = (
            int(r["k"]) - 1,
            int(r["i"]) - 1,
            int(r["j"]) - 1,
            float(r["value"]),
        )
        if r["what"] == "pro":
            pro[k] = v
        elif r["what"] == "mean":
            means[k, i] = v
        else:
            sigma[k, i, j] = v
    kernel = MODELS[storage]
    covariances = kernel.from_full(sigma, pro[:G] / pro[:G].sum())
    return MixtureParams(
        pro[:G],
        means,
        covariances,
        kernel.precision_cholesky(covariances, 0.0),
        noise_weight=pro[G],
        log_volume=np.log(mclust_fit(model, G)["V"]),
    )


def mclust_labels(model, G):
    """mclust's classification, 0-based, -1 for noise."""
    return np.array([int(r[f"{model}_{G}"]) - 1 for r in _table("noise_labels.csv")])


def fitted(params, covariance_type, X):
    """A GaussianMixture holding ``params`` (as after a fit on X)."""
    gm = GaussianMixture(len(params.weights), covariance_type=covariance_type)
    gm.fit(X[:50])  # the fitted state, then the parameters replaced
    gm.weights_, gm.means_ = params.weights, params.means
    gm.covariances_ = params.covariances
    gm.precisions_cholesky_ = params.precisions_cholesky
    gm.noise_weight_ = params.noise_weight
    gm.noise_log_volume_ = params.log_volume
    gm.noise_volume_ = np.exp(params.log_volume)
    return gm


def test_hypervolume_is_mclusts():
    X, _ = contaminated()
    assert_allclose(
        np.exp(_noise.log_hypervolume(X)), mclust_fit("VVV", 2)["V"], rtol=1e-12
    )
    assert_allclose(mclust_fit("VVV", 2)["V"], mclust_fit("VVV", 2)["hypvol"], rtol=0)


def test_hypervolume_is_the_smaller_box():
    # A thin diagonal band: its principal box is far smaller than its axes' box.
    t = np.linspace(0, 1, 200)
    X = np.c_[t, t + 0.01 * np.sin(40 * t)]
    log_v = _noise.log_hypervolume(X)
    assert log_v < np.log(np.ptp(X[:, 0]) * np.ptp(X[:, 1])) - 1
    # Axis-aligned data: both boxes are the same.
    Y = np.random.default_rng(0).random((500, 3)) * [1, 2, 3]
    assert_allclose(
        _noise.log_hypervolume(Y), np.sum(np.log(np.ptp(Y, axis=0))), rtol=1e-12
    )


@pytest.mark.parametrize("model,G", FITS)
def test_log_likelihood_at_mclusts_parameters(model, G):
    X, _ = contaminated()
    params = mclust_params(model, G)
    stats = ArraySource(X).e_step(params, "full")
    # mclust reports the log-likelihood of its last E-step, before its last
    # M-step: equal to its parameters' up to EM's last change.
    assert_allclose(stats.log_likelihood, mclust_fit(model, G)["loglik"], rtol=1e-6)


@pytest.mark.parametrize("model,G", FITS)
def test_em_from_mclusts_parameters_stays(model, G):
    # mclust stops when the log-likelihood changes by less than 1e-5
    # relative: with that tolerance EM stops at once, where it started.
    X, _ = contaminated()
    params = mclust_params(model, G, model)
    loglik = mclust_fit(model, G)["loglik"]
    settings = EMSettings(max_iter=20, tol=1e-5 * abs(loglik) / len(X), reg_covar=0.0)
    run = run_restart(ArraySource(X), MODELS[model], params, -np.inf, settings)
    # (mclust's fits of three components stop on a flat ridge, where its
    # rule and ours, on the mean, stop a few iterations apart.)
    assert run.converged and run.n_iter <= (3 if G < 3 else 10)
    assert loglik - 1e-6 <= run.lower_bound * len(X) <= loglik + 1e-4 * abs(loglik)
    assert_allclose(run.params.means, params.means, atol=1e-2 if G < 3 else 5e-2)
    assert_allclose(run.params.noise_weight, params.noise_weight, atol=1e-3)
    total = run.params.weights.sum() + run.params.noise_weight
    assert_allclose(total, 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    "model,G", [(m, 2) for m in ("EII", "VII", "EEE", "VVV")] + [("EII", 1), ("VVV", 3)]
)
def test_fit_from_mclusts_start(model, G):
    X, start = contaminated()
    gm = GaussianMixture(
        G, covariance_type=model, noise_component=True, noise_init=start,
        init_params="hc", tol=1e-8, max_iter=1000, reg_covar=0.0,
    ).fit(X)  # fmt: skip
    reference = mclust_fit(model, G)
    log_likelihood = gm.score(X) * len(X)
    assert log_likelihood >= reference["loglik"] - 1e-6 * abs(reference["loglik"])
    assert gm._n_parameters() == reference["df"]
    ours, theirs = gm.labels_, mclust_labels(model, G)
    assert np.mean((ours == -1) == (theirs == -1)) >= 0.995
    if G == 3:
        # Three components for two clusters: our EM goes on to a better
        # optimum (by 0.7 to 81) than where mclust stops; the noise agrees.
        return
    # The same classification, up to the order of the components.
    agree = max(
        np.mean(ours == np.where(theirs >= 0, np.array(perm)[theirs], -1))
        for perm in permutations(range(G))
    )
    assert agree >= 0.999
    # mclust's BIC (of the opposite sign) at the same fit.
    assert_allclose(-gm.bic(X), reference["bic"], rtol=1e-6)


@pytest.mark.parametrize("model,G", [("VVV", 2), ("EII", 3)])
def test_bic_at_mclusts_parameters(model, G):
    X, _ = contaminated()
    gm = fitted(mclust_params(model, G, model), model, X)
    reference = mclust_fit(model, G)
    n = len(X)
    assert gm._n_parameters() == reference["df"]
    expected = -2 * reference["loglik"] + reference["df"] * np.log(n)
    assert_allclose(gm.bic(X), expected, rtol=1e-6)


def test_inference_with_noise():
    X, truth = contaminated()
    gm = GaussianMixture(2, noise_component=True, random_state=0).fit(X)
    proba = gm.predict_proba(X)
    assert proba.shape == (len(X), 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    labels = gm.predict(X)
    assert_array_equal(labels, gm.labels_)
    assert_array_equal(labels == -1, proba.argmax(axis=1) == 2)
    assert set(np.unique(labels)) == {-1, 0, 1}
    # score_samples: the log of the whole mixture's density.
    params = gm._params()
    full = MODELS["full"]
    density = np.full(len(X), gm.noise_weight_ / gm.noise_volume_)
    for w, m, c in zip(params.weights, params.means, gm.covariances_, strict=True):
        from scipy.stats import multivariate_normal

        density += w * multivariate_normal(m, c).pdf(X)
    assert full is not None
    assert_allclose(gm.score_samples(X), np.log(density), rtol=1e-10)
    assert_allclose(gm.weights_.sum() + gm.noise_weight_, 1.0, rtol=1e-12)
    assert np.mean(labels[truth] == -1) > 0.9
    assert np.mean(labels[~truth] == -1) < 0.01


def test_em_never_decreases_with_noise():
    X, _ = contaminated()
    gm = GaussianMixture(
        3, covariance_type="diag", noise_component=True, tol=0, max_iter=40,
        random_state=1,
    )  # fmt: skip
    with pytest.warns(Warning):
        gm.fit(X)
    assert np.all(np.diff(gm.lower_bounds_) >= -1e-10)


def test_nnclean_finds_the_scattered_points():
    X, truth = contaminated()
    mask = _noise.nnclean(X)
    assert mask.dtype == bool and mask.shape == truth.shape
    assert np.mean(mask[truth]) > 0.9
    assert np.mean(mask[~truth]) < 0.05


def test_noise_off_is_unchanged():
    X, _ = contaminated()
    a = GaussianMixture(2, random_state=0).fit(X)
    b = GaussianMixture(2, random_state=0, noise_component=False).fit(X)
    assert_array_equal(a.means_, b.means_)
    assert not hasattr(a, "noise_weight_")
    assert a.predict_proba(X).shape == (len(X), 2)


def test_refit_without_noise_drops_the_noise_attributes():
    X, _ = contaminated()
    gm = GaussianMixture(2, noise_component=True, random_state=0).fit(X)
    gm.set_params(noise_component=False).fit(X)
    assert not hasattr(gm, "noise_weight_")
    assert gm.predict_proba(X).shape == (len(X), 2)


def test_noise_volume_and_sample_weight():
    X, truth = contaminated()
    gm = GaussianMixture(2, noise_component=True, noise_volume=1e4, noise_init=truth)
    gm.fit(X)
    assert_allclose(gm.noise_volume_, 1e4)
    assert_allclose(gm.noise_log_volume_, np.log(1e4))
    # An integer weight is a repeated row.
    w = np.ones(len(X))
    w[:5] = 2
    Xr = np.vstack([X, X[:5]])
    kw = dict(noise_component=True, tol=1e-10, max_iter=500, random_state=0)
    a = GaussianMixture(2, noise_init=truth, **kw).fit(X, sample_weight=w)
    b = GaussianMixture(2, noise_init=np.r_[truth, truth[:5]], **kw).fit(Xr)
    assert_allclose(a.noise_weight_, b.noise_weight_, rtol=1e-6)


def test_warm_start_keeps_the_noise():
    X, _ = contaminated()
    gm = GaussianMixture(2, noise_component=True, warm_start=True, random_state=0)
    gm.fit(X)
    first = gm.score(X)
    gm.fit(X)
    assert gm.score(X) >= first - 1e-12
    assert 0 < gm.noise_weight_ < 0.2


def test_noise_refusals():
    X, truth = contaminated()
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        GaussianMixture(2, noise_component=True).fit(Xn)
    with pytest.raises(ValueError, match="boolean array"):
        GaussianMixture(2, noise_component=True, noise_init=truth[:10]).fit(X)
    with pytest.raises(ValueError, match="no volume"):
        GaussianMixture(1, noise_component=True).fit(np.c_[X[:, 0], np.ones(len(X))])
    gm = GaussianMixture(2, noise_component=True, random_state=0).fit(X)
    with pytest.raises(NotImplementedError, match="noise"):
        gm.sample(3)
    for method in (gm.predict, gm.predict_proba, gm.score_samples):
        with pytest.raises(ValueError, match="missing values"):
            method(Xn)


def test_noise_refuses_dask():
    da = pytest.importorskip("dask.array")
    X, _ = contaminated()
    with pytest.raises(ValueError, match="dask"):
        GaussianMixture(2, noise_component=True).fit(da.from_array(X, chunks=500))
    gm = GaussianMixture(2, noise_component=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="dask"):
        gm.predict(da.from_array(X, chunks=500))


def test_noise_float32():
    X, truth = contaminated()
    kw = dict(noise_component=True, noise_init=truth, tol=1e-8, random_state=0)
    a = GaussianMixture(2, **kw).fit(X)
    b = GaussianMixture(2, **kw).fit(X.astype(np.float32))
    assert b.means_.dtype == np.float32
    assert_allclose(b.noise_weight_, a.noise_weight_, rtol=1e-4)
    assert_allclose(np.sort(b.means_, axis=0), np.sort(a.means_, axis=0), atol=1e-3)
    assert_array_equal(b.labels_ == -1, a.labels_ == -1)


def test_model_file_keeps_the_noise(tmp_path):
    from skgmm_em.persistence import from_dict, load, save, to_dict

    X, truth = contaminated()
    gm = GaussianMixture(2, noise_component=True, random_state=0).fit(X)
    save(gm, tmp_path / "noise.json")
    back = load(tmp_path / "noise.json")
    assert back.noise_weight_ == gm.noise_weight_
    assert back.noise_log_volume_ == gm.noise_log_volume_
    assert_array_equal(back.predict(X), gm.predict(X))
    assert_array_equal(back.predict_proba(X), gm.predict_proba(X))
    document = to_dict(gm)
    del document["fitted"]["noise"]
    with pytest.raises(ValueError, match="fitted.noise is missing"):
        from_dict(document)
    document = to_dict(gm)
    document["fitted"]["noise"]["weight"] = 0.5
    with pytest.raises(ValueError, match="must sum to 1"):
        from_dict(document)
    # A mask is not stored: loading restores 'nnclean', with a warning.
    masked = GaussianMixture(2, noise_component=True, noise_init=truth).fit(X)
    with pytest.warns(UserWarning, match="noise_init"):
        document = to_dict(masked)
    assert from_dict(document).noise_init == "nnclean"


def test_selector_searches_with_noise():
    from skgmm_em import GaussianMixtureSelector
    from skgmm_em.model_selection import bic, n_parameters

    X, truth = contaminated()
    X, truth = X[::2], truth[::2]
    selector = GaussianMixtureSelector(
        [1, 2], covariance_type=["full"], noise_component=True, n_init=1,
        init_params=("kmeans",),
        split_merge=False, random_state=0,
    ).fit(X)  # fmt: skip
    best = selector.best_estimator_
    assert best.noise_component and best.n_components == 2
    assert n_parameters(best) == best._n_parameters() == 13
    assert_allclose(bic(best, X), best.bic(X))
    assert np.mean(best.labels_[truth] == -1) > 0.9


def test_noise_rescues_the_means_of_contaminated_data():
    # Two clusters of 1000 points and 200 scattered over a box ten times
    # wider (make_noise_data.py): the noise component keeps the means in place.
    X, truth = contaminated()
    true_means = np.array([[0.0, 0.0], [5.0, 1.0]])

    def error(means):
        return max(np.min(np.linalg.norm(means - m, axis=1)) for m in true_means)

    gaussian = GaussianMixture(2, n_init=3, random_state=0).fit(X)
    noise = GaussianMixture(2, n_init=3, noise_component=True, random_state=0).fit(X)
    assert error(gaussian.means_) > 1.0
    assert error(noise.means_) < 0.1
    assert np.mean(noise.labels_[truth] == -1) >= 0.95
    assert np.mean(noise.labels_[~truth] == -1) <= 0.01
