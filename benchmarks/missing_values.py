"""Missing values: recovery errors and imputation RMSE (numbers for the docs).

Data from a known 3-component, 3-D mixture with a fraction of the values
missing completely at random. Prints, for each fraction, the largest
absolute error of the weights, means and covariances of a fit on the
incomplete data and of a fit on the complete rows only, and the RMSE on the
hidden values of GaussianMixtureImputer, SimpleImputer(mean) and
IterativeImputer.

    python benchmarks/missing_values.py
"""

import numpy as np
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer

from skgmm_em import GaussianMixture, GaussianMixtureImputer
from skgmm_em.datasets import make_mixture

TRUE = {
    "weights": np.array([0.5, 0.3, 0.2]),
    "means": np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]]),
    "covariances": np.array(
        [
            [[1.0, 0.8, 0.3], [0.8, 1.0, 0.2], [0.3, 0.2, 1.0]],
            [[1.0, -0.6, 0.0], [-0.6, 1.0, 0.4], [0.0, 0.4, 1.0]],
            [[0.5, 0.2, 0.2], [0.2, 0.5, 0.2], [0.2, 0.2, 0.5]],
        ]
    ),
}


def errors(gm):
    order = [
        int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1))) for m in TRUE["means"]
    ]
    return (
        np.abs(gm.weights_[order] - TRUE["weights"]).max(),
        np.abs(gm.means_[order] - TRUE["means"]).max(),
        np.abs(gm.covariances_[order] - TRUE["covariances"]).max(),
    )


def main(n=3000, seed=3):
    X, _ = make_mixture(n, **TRUE, random_state=seed)
    print(f"n={n}; max abs error of weights / means / covariances; RMSE on hidden")
    for fraction in (0.1, 0.2, 0.3):
        mask = np.random.RandomState(seed + 1).rand(*X.shape) < fraction
        Xm = np.where(mask, np.nan, X)
        complete = ~mask.any(axis=1)
        kwargs = dict(n_init=3, random_state=0, tol=1e-6)
        em = errors(GaussianMixture(3, **kwargs).fit(Xm))
        cc = errors(GaussianMixture(3, **kwargs).fit(Xm[complete]))

        def rmse(filled, mask=mask):
            return np.sqrt(np.mean((filled[mask] - X[mask]) ** 2))

        ours = rmse(
            GaussianMixtureImputer(3, n_init=2, random_state=0).fit_transform(Xm)
        )
        mean = rmse(SimpleImputer().fit_transform(Xm))
        iterative = rmse(
            IterativeImputer(random_state=0, max_iter=25).fit_transform(Xm)
        )
        print(
            f"{fraction:.0%} missing ({complete.mean():.0%} complete rows): "
            f"EM on all rows {em[0]:.3f}/{em[1]:.3f}/{em[2]:.3f}, "
            f"complete rows only {cc[0]:.3f}/{cc[1]:.3f}/{cc[2]:.3f}; "
            f"RMSE GMM imputer {ours:.3f}, mean {mean:.3f}, iterative {iterative:.3f}"
        )


if __name__ == "__main__":
    main()
