"""An independent check of the constraints of mclust's models on
covariance matrices: each of volume, shape and orientation on its own."""

import numpy as np
from numpy.testing import assert_allclose


def assert_constraints(name, cov, rtol=1e-8):
    """The model's constraints, each checked on its own."""
    k, d, _ = cov.shape
    scale = np.abs(cov).max()
    volumes = np.exp(np.linalg.slogdet(cov)[1] / d)
    assert_allclose(cov, np.swapaxes(cov, 1, 2), atol=rtol * scale)
    if name[0] == "E":
        assert_allclose(volumes, volumes[0], rtol=rtol)
    if name[2] == "I" or name[1] == "I":
        off = cov - np.einsum("kii->ki", cov)[:, :, None] * np.eye(d)
        assert np.abs(off).max() <= rtol * scale
    if name[1] == "I":
        diagonals = np.einsum("kii->ki", cov)
        assert_allclose(diagonals, diagonals[:, :1] * np.ones(d), rtol=rtol)
    if name[2] == "E":
        # Shared axes: those of an irregular combination diagonalize every
        # covariance, off-diagonal entries judged against the diagonal ones.
        mix = np.tensordot(np.sqrt(np.arange(2.0, k + 2.0)), cov, axes=1)
        axes = np.linalg.eigh(mix)[1]
        for c in axes.T @ cov @ axes:
            root = np.sqrt(np.diag(c))
            off = c - np.diag(np.diag(c))
            assert np.abs(off).max() <= rtol * np.outer(root, root).max()
    if name[1] == "E":
        if name[2] == "V":
            shapes = np.linalg.eigvalsh(cov) / volumes[:, None]
        else:
            shapes = cov / volumes[:, None, None]
        assert_allclose(
            shapes,
            np.broadcast_to(shapes[0], shapes.shape),
            rtol=rtol,
            atol=rtol * np.abs(shapes).max(),
        )
