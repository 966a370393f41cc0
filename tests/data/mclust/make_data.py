"""Write the input data sets of the mclust reference tables as CSV.

Run from the repository root::

    python tests/data/mclust/make_data.py

Each file has a header row of feature names and one row per sample, with
every float written exactly (shortest round-trip ``repr``), so that R and
Python read identical numbers.  ``make_references.R`` reads these files.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240607


def _rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _random_orthogonal(rng, d):
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def blobs3(rng):
    """3 well separated, anisotropic, rotated clusters in 2-D, n=400."""
    sizes = [200, 130, 70]
    means = [[0.0, 0.0], [9.0, 4.0], [2.0, 10.0]]
    axes = [[2.0, 0.5], [1.2, 0.3], [0.8, 0.6]]
    angles = [0.5, -1.0, 2.0]
    parts = []
    for size, mean, ax, angle in zip(sizes, means, axes, angles, strict=True):
        rot = _rotation(angle)
        z = rng.normal(size=(size, 2)) * np.asarray(ax)
        parts.append(z @ rot.T + np.asarray(mean))
    return np.vstack(parts)


def mix5d(rng):
    """4 clusters in D=6, different volumes, shapes and orientations, n=600."""
    d = 6
    sizes = [240, 180, 120, 60]
    scales = [1.0, 0.6, 1.6, 0.4]
    shapes = [
        [3.0, 2.0, 1.0, 1.0, 0.5, 0.3],
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        [4.0, 1.0, 0.8, 0.5, 0.4, 0.2],
        [2.0, 1.5, 1.0, 0.7, 0.5, 0.5],
    ]
    parts = []
    for size, scale, shape in zip(sizes, scales, shapes, strict=True):
        mean = rng.normal(scale=6.0, size=d)
        rot = _random_orthogonal(rng, d)
        z = rng.normal(size=(size, d)) * (scale * np.sqrt(shape))
        parts.append(z @ rot.T + mean)
    return np.vstack(parts)


def faithful():
    path = HERE.parents[2] / "skgmm_em" / "data" / "faithful.csv"
    raw = np.genfromtxt(path, delimiter=",", names=True)
    return np.column_stack([raw["eruptions"], raw["waiting"]]), ["eruptions", "waiting"]


def write(name, X, columns):
    X = np.asarray(X, dtype=float)
    assert X.ndim == 2 and X.shape[1] == len(columns)
    lines = [",".join(columns)]
    lines += [",".join(repr(float(v)) for v in row) for row in X]
    (HERE / f"{name}.csv").write_text("\n".join(lines) + "\n")


def main():
    from sklearn.datasets import load_iris, load_wine

    X, columns = faithful()
    write("faithful", X, columns)
    iris = load_iris()
    write("iris", iris.data, [f"x{i + 1}" for i in range(iris.data.shape[1])])
    wine = load_wine()
    write("wine", wine.data, [f"x{i + 1}" for i in range(wine.data.shape[1])])
    rng = np.random.default_rng(SEED)
    X = blobs3(rng)
    write("blobs3", X, [f"x{i + 1}" for i in range(X.shape[1])])
    X = mix5d(rng)
    write("mix5d", X, [f"x{i + 1}" for i in range(X.shape[1])])


if __name__ == "__main__":
    main()
