"""``skgmm-em demo``: fit the EM lab report's mixture and show what EM recovers."""

import sys

import numpy as np

from .._gaussian_mixture import GaussianMixture
from ..datasets import LAB_MIXTURE, make_lab_mixture

_SPARK = " .:-=+*#%@"


def _sparkline(values, width=40):
    """A one-line text picture of a curve."""
    values = np.asarray(values, dtype=float)
    if values.size > width:
        values = values[np.linspace(0, values.size - 1, width).round().astype(int)]
    low, high = values.min(), values.max()
    scaled = np.zeros_like(values) if high == low else (values - low) / (high - low)
    return "".join(_SPARK[int(round(s * (len(_SPARK) - 1)))] for s in scaled)


def _fmt(array):
    return np.array2string(np.asarray(array), precision=4, suppress_small=True)


# ----------------------------------------------------------------------
# demo


def demo(n_samples=2000, random_state=0, out=None):
    """Fit the lab report's mixture and print true vs estimated parameters."""
    out = out or sys.stdout
    X, _ = make_lab_mixture(n_samples, random_state=random_state)
    # The lab report's start: weights (1/3, 2/3), means (1, 2) and (2, 1),
    # identity covariances.
    gm = GaussianMixture(
        2,
        weights_init=[1 / 3, 2 / 3],
        means_init=[[1.0, 2.0], [2.0, 1.0]],
        precisions_init=np.stack([np.eye(2)] * 2),
        tol=1e-8,
        max_iter=500,
        random_state=random_state,
    ).fit(X)
    # Match each true component to the nearest estimated one.
    order = [
        int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1)))
        for m in LAB_MIXTURE["means"]
    ]
    print(
        f"skgmm_em demo: the EM lab report's mixture, {n_samples} samples "
        f"(random_state={random_state})",
        file=out,
    )
    print("", file=out)
    for k, j in enumerate(order):
        print(f"component {k}", file=out)
        rows = [
            ("weight", LAB_MIXTURE["weights"][k], gm.weights_[j]),
            ("mean", LAB_MIXTURE["means"][k], gm.means_[j]),
            ("covariance", LAB_MIXTURE["covariances"][k], gm.covariances_[j]),
        ]
        for name, true, est in rows:
            true_lines = _fmt(true).splitlines()
            est_lines = _fmt(est).splitlines()
            for i, (t, e) in enumerate(zip(true_lines, est_lines, strict=True)):
                label = name if i == 0 else ""
                print(f"  {label:<11} true {t:<20} estimated {e}", file=out)
    ll = gm.history_["log_likelihood"]
    print("", file=out)
    print(
        f"EM iterations: {gm.n_iter_} (converged: {gm.converged_}); mean "
        f"log-likelihood {ll[0]:.4f} -> {ll[-1]:.4f}",
        file=out,
    )
    print(f"log-likelihood curve: [{_sparkline(ll)}]", file=out)
    changes = {k: v[-1] for k, v in gm.history_.items() if k != "log_likelihood"}
    print(
        "last changes: "
        + ", ".join(f"{k.replace('_change', '')} {v:.2e}" for k, v in changes.items()),
        file=out,
    )
    return gm
