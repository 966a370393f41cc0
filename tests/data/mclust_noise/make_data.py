"""Write the contaminated data set of the noise-component references.

Run from the repository root::

    python tests/data/mclust_noise/make_data.py

Two Gaussian clusters of 1000 points each in 2-D plus 200 points scattered
uniformly over a box ten times wider than the clusters' extent. Writes
``contaminated.csv`` (x, y; every float exactly, shortest round-trip repr)
and ``contaminated_noise.csv`` (1 for the scattered points, the start of the
noise fits in ``make_references.R``).
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def contaminated(seed=20261201):
    rng = np.random.default_rng(seed)
    a = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 1.0]], size=1000)
    b = rng.multivariate_normal([5.0, 1.0], [[0.8, -0.3], [-0.3, 0.5]], size=1000)
    clusters = np.vstack([a, b])
    low, high = clusters.min(axis=0), clusters.max(axis=0)
    centre, width = (low + high) / 2, high - low
    noise = centre + (rng.random((200, 2)) - 0.5) * 10.0 * width
    X = np.vstack([clusters, noise])
    is_noise = np.r_[np.zeros(2000, int), np.ones(200, int)]
    order = rng.permutation(len(X))
    return X[order], is_noise[order]


def main():
    X, is_noise = contaminated()
    with open(HERE / "contaminated.csv", "w") as out:
        out.write("x,y\n")
        for row in X:
            out.write(",".join(repr(float(v)) for v in row) + "\n")
    with open(HERE / "contaminated_noise.csv", "w") as out:
        out.write("noise\n")
        out.write("".join(f"{v}\n" for v in is_noise))


if __name__ == "__main__":
    main()
