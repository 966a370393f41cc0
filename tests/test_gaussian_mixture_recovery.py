"""EM recovers a known mixture: the seed lab report's, on 20,000 points."""

import numpy as np

from skgmm_em import GaussianMixture
from skgmm_em.datasets import LAB_MIXTURE, make_lab_mixture


def test_lab_mixture_recovered_within_sampling_error():
    n = 20_000
    X, _ = make_lab_mixture(n, random_state=0)
    gm = GaussianMixture(2, tol=1e-8, max_iter=500, random_state=0).fit(X)
    assert gm.converged_
    order = [
        int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1)))
        for m in LAB_MIXTURE["means"]
    ]
    assert sorted(order) == [0, 1]
    for k, j in enumerate(order):
        w = LAB_MIXTURE["weights"][k]
        cov = LAB_MIXTURE["covariances"][k]
        nk = w * n
        # Five standard errors of the complete-data estimates.
        assert abs(gm.weights_[j] - w) < 5 * np.sqrt(w * (1 - w) / n)
        se_mean = np.sqrt(np.diag(cov) / nk)
        assert np.all(np.abs(gm.means_[j] - LAB_MIXTURE["means"][k]) < 5 * se_mean)
        var = np.diag(cov)
        se_cov = np.sqrt((np.outer(var, var) + cov**2) / nk)
        assert np.all(np.abs(gm.covariances_[j] - cov) < 5 * se_cov)


def test_lab_report_start_and_stopping_rule():
    # The report's start and its parameter-change stopping rule, on 200 points.
    X, _ = make_lab_mixture(200, random_state=1)
    gm = GaussianMixture(
        2,
        weights_init=[1 / 3, 2 / 3],
        means_init=[[1.0, 2.0], [2.0, 1.0]],
        precisions_init=np.stack([np.eye(2)] * 2),
        tol=0.0,
        param_tol=1e-6,
        max_iter=1000,
    ).fit(X)
    assert gm.converged_
    ll = gm.history_["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[1:]))
    big = int(np.argmax(gm.weights_))
    assert abs(gm.weights_[big] - 0.8) < 0.1
    np.testing.assert_allclose(gm.means_[big], [3, 5], atol=0.5)
    np.testing.assert_allclose(gm.means_[1 - big], [4, 3], atol=0.2)
