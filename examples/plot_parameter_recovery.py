"""
=============================================
Recovering a known mixture: the EM lab report
=============================================

A lab report draws 200 points from a known two-component mixture (weights
0.8 and 0.2, means (3, 5) and (4, 3), covariances diag(5, 0.2) and
diag(0.1, 0.1)), runs EM from a fixed start and checks that the estimates
come back close to the truth. We repeat it with the report's start and
stopping rule, print the true parameters next to the report's estimates and
ours, and add a run on 20,000 points, where the sampling error is ten times
smaller.
"""

# %%
# The report's mixture, start and stopping rule
# ---------------------------------------------
# The start: weights (1/3, 2/3), means (1, 2) and (2, 1), identity
# covariances. The report stops when the largest *relative* change
# ``norm(old - new) / norm(old)`` of the weights, means or covariances falls
# below ``1e-6``; ``param_tol=1e-6`` stops on the largest *absolute* change
# of any entry, which for parameters of order one is about as strict.
# ``tol=0`` turns off the log-likelihood rule so that the parameter rule
# decides.
import matplotlib.pyplot as plt
import numpy as np

from skgmm_em import GaussianMixture
from skgmm_em.datasets import LAB_MIXTURE, make_lab_mixture
from skgmm_em.plotting import plot_ellipses


def fit_lab_report(X):
    """EM from the lab report's start until the parameters stop moving."""
    return GaussianMixture(
        2,
        covariance_type="full",
        weights_init=[1 / 3, 2 / 3],
        means_init=[[1.0, 2.0], [2.0, 1.0]],
        precisions_init=np.stack([np.eye(2), np.eye(2)]),
        tol=0.0,
        param_tol=1e-6,
        max_iter=1000,
    ).fit(X)


def in_true_order(gm):
    """Weights, means and covariances ordered as the true components."""
    order = [
        int(np.argmin(np.linalg.norm(gm.means_ - mean, axis=1)))
        for mean in LAB_MIXTURE["means"]
    ]
    return gm.weights_[order], gm.means_[order], gm.covariances_[order]


X_small, _ = make_lab_mixture(200, random_state=0)
X_large, _ = make_lab_mixture(20_000, random_state=0)
fits = {200: fit_lab_report(X_small), 20_000: fit_lab_report(X_large)}
for n_samples, gm in fits.items():
    print(f"N={n_samples}: converged={gm.converged_} after {gm.n_iter_} iterations")

# %%
# True against estimated parameters
# ---------------------------------
# The report's own estimates come from its own draw of 200 points, so they
# differ from ours by sampling error, not by the algorithm: with 160 points
# in the first component and a variance of 5 along x, the standard error of
# its mean's x coordinate is ``sqrt(5 / 160)``, about 0.18.
report = {
    "weights": np.array([0.8022, 0.1978]),
    "means": np.array([[2.7148, 4.9882], [3.9307, 3.0102]]),
    "covariances": np.array(
        [[[5.4082, 0.0693], [0.0693, 0.2184]], [[0.0858, 0.0177], [0.0177, 0.0769]]]
    ),
}


def rows(weights, means, covariances):
    """The parameters flattened in table order."""
    values = list(weights)
    for k in range(2):
        values += list(means[k]) + [
            covariances[k][0, 0],
            covariances[k][0, 1],
            covariances[k][1, 1],
        ]
    return values


names = ["weight 1", "weight 2"]
for k in (1, 2):
    names += [f"mean {k} x", f"mean {k} y"]
    names += [f"cov {k} xx", f"cov {k} xy", f"cov {k} yy"]
columns = {
    "true": rows(**LAB_MIXTURE),
    "report, N=200": rows(**report),
    "ours, N=200": rows(*in_true_order(fits[200])),
    "ours, N=20000": rows(*in_true_order(fits[20_000])),
}
print(f"{'':>10}" + "".join(f"{title:>15}" for title in columns))
for i, name in enumerate(names):
    print(f"{name:>10}" + "".join(f"{column[i]:>15.4f}" for column in columns.values()))

true = np.array(columns["true"])
for title in ("report, N=200", "ours, N=200", "ours, N=20000"):
    error = np.max(np.abs(np.array(columns[title]) - true))
    print(f"largest absolute error, {title}: {error:.4f}")
# With 100 times more data the estimates must be much closer to the truth.
assert np.max(np.abs(np.array(columns["ours, N=20000"]) - true)) < 0.05

# %%
# The log-likelihood per iteration
# --------------------------------
# ``history_['log_likelihood']`` is the mean log-likelihood of the
# parameters each iteration started from; it rises and levels off.
fig, ax = plt.subplots(figsize=(6, 4))
for n_samples, gm in fits.items():
    curve = gm.history_["log_likelihood"]
    ax.plot(np.arange(1, curve.size + 1), curve, marker="o", label=f"N={n_samples}")
ax.set_xlabel("EM iteration")
ax.set_ylabel("mean log-likelihood")
ax.set_title("Learning curve from the report's start")
ax.legend()
fig.tight_layout()

# %%
# True and estimated means on the data
# ------------------------------------
# The 200 points colored by their most probable component, the estimated
# 1- and 2-sigma ellipses, the true means (black crosses) and the estimated
# means (white diamonds).
fig, ax = plt.subplots(figsize=(7, 5))
plot_ellipses(fits[200], X_small, ax=ax, sigmas=(1, 2))
ax.scatter(*LAB_MIXTURE["means"].T, marker="x", s=120, color="black", label="true")
ax.scatter(
    *fits[200].means_.T,
    marker="D",
    s=60,
    color="white",
    edgecolor="black",
    label="estimated",
)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("Lab report mixture, N=200")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()
