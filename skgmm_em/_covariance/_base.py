"""What every covariance model shares: the record that describes one
(:class:`CovarianceModel`), scratch buffers, and the linear algebra of
triangular factors.

Every function here is a plain function of arrays: no estimator state, no
validation of user input.
"""

import math
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from ..exceptions import IllDefinedCovarianceError
from ._constrained import constraint_violation, decompose, describe

LOG_2PI = math.log(2.0 * math.pi)


def ill_defined_covariance_error(components, reg_covar):
    """Build the error raised when covariances are not positive definite."""
    which = (
        "The tied covariance"
        if components is None
        else "Component(s) " + ", ".join(str(k) for k in components)
    )
    return IllDefinedCovarianceError(
        # scikit-learn's words first, so that code matching them still does.
        "Fitting the mixture model failed because some components have "
        "ill-defined empirical covariance (for instance caused by singleton "
        "or collapsed samples). Try to decrease the number of components, "
        "increase reg_covar, or scale the input data. "
        f"{which} of the mixture has an ill-defined covariance: it is not "
        f"positive definite even after adding reg_covar={reg_covar!r} to its "
        "diagonal. This happens when a component collapses onto one sample, "
        "onto duplicated samples, or onto a constant feature. Try fewer "
        "components (n_components), a larger reg_covar (for example 1e-4), "
        "standardized features (for example with StandardScaler), "
        "on_collapse='reseed' to re-seed collapsed components and go on, or "
        "prior='conjugate' (mclust's prior, whose covariances do not collapse).",
        None if components is None else list(components),
    )


# --------------------------------------------------------------------------
# scratch buffers

_SCRATCH = threading.local()


@contextmanager
def reusing_buffers():
    """Within this block, :func:`scratch` hands the calling thread the same
    buffers again and again instead of fresh ones.

    The EM driver wraps each thread's run of chunks in it: the chunks of a
    pass have one size (but the last), so every large temporary is
    allocated once per pass and thread. Fresh multi-megabyte arrays per
    chunk cost page faults whenever the allocator returns them to the system
    (as glibc does for every block above 128 kB when ``MALLOC_TRIM_THRESHOLD_``
    is set, which dask.distributed does for its workers).
    """
    previous = getattr(_SCRATCH, "buffers", None)
    _SCRATCH.buffers = {}
    try:
        yield
    finally:
        _SCRATCH.buffers = previous


def scratch(name, shape, dtype):
    """An uninitialized array of the given shape, reused between calls with
    the same ``name`` inside :func:`reusing_buffers` (same thread only).

    The caller must be done with the previous array of that name; arrays
    from here never leave the chunk computation.
    """
    buffers = getattr(_SCRATCH, "buffers", None)
    if buffers is None:
        return np.empty(shape, dtype=dtype)
    buffer = buffers.get(name)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = buffers[name] = np.empty(shape, dtype=dtype)
    return buffer


def scratch_like(name, Xt, n_rows=None):
    """:func:`scratch` of Xt's dtype and memory layout, with Xt's shape or
    ``n_rows`` rows."""
    shape = (Xt.shape[0] if n_rows is None else n_rows, Xt.shape[1])
    if Xt.flags.c_contiguous:
        return scratch(name, shape, Xt.dtype)
    return scratch(name, shape[::-1], Xt.dtype).T


def row_sq_norms(A):
    """Squared Euclidean norm of each row; (n, d) -> (n,)."""
    return np.einsum("ij,ij->i", A, A)


def log_density(maha, log_det, n_features):
    """Gaussian log densities from squared Mahalanobis distances (K, n) and
    the log-determinants of the precision factors (K,) or scalar; in place."""
    np.maximum(maha, 0.0, out=maha)
    maha *= -0.5
    maha += np.reshape(log_det - 0.5 * n_features * LOG_2PI, (-1, 1))
    return maha


# --------------------------------------------------------------------------
# triangular factors

# From this many features on, the full kernels factor, invert and multiply
# triangular matrices one at a time with LAPACK (potrf, trtri, lauum,
# potri): a third to a half of the work of numpy's general routines, which
# ignore the triangles. Below, one batched numpy call costs less than K
# calls from Python.
LAPACK_MIN_FEATURES = 48


def lapack_func(name, array):
    return lapack.get_lapack_funcs(name, (array,))


def symmetric_from_lower(a):
    """The symmetric matrix whose lower triangle is that of ``a`` (D, D)."""
    lower = np.tril(a)
    symmetric = np.add(lower, lower.T, order="C")
    np.fill_diagonal(symmetric, np.diagonal(lower))
    return symmetric


def triangular_inverses(upper):
    """Inverses (K, D, D) of upper-triangular matrices (K, D, D), exactly
    upper triangular."""
    if upper.shape[-1] < LAPACK_MIN_FEATURES:
        return np.triu(np.linalg.inv(upper))
    trtri = lapack_func("trtri", upper)
    inverses = np.empty(upper.shape, dtype=upper.dtype)
    for k, matrix in enumerate(upper):
        # The transpose of a C-ordered matrix is a Fortran-ordered one that
        # LAPACK reads without a copy.
        inverse, info = trtri(matrix.T, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError("singular triangular matrix")
        inverses[k] = np.triu(inverse.T)
    return inverses


def precision_factor(cov):
    """Upper-triangular U with inv(cov) = U @ U.T for one (D, D) matrix, in
    C order, or None when cov is not positive definite."""
    # Read in Fortran order, the memory of cov holds cov.T; LAPACK factors
    # its lower triangle (cov's upper one): cov = L @ L.T.
    factor, info = lapack_func("potrf", cov)(cov.T, lower=1)
    if info != 0:
        return None
    # inv(cov) = inv(L).T @ inv(L), so U = inv(L).T: the inverse of the
    # lower-triangular L in Fortran order is U's memory in C order.
    inverse, info = lapack_func("trtri", factor)(factor, lower=1, overwrite_c=1)
    return inverse.T if info == 0 else None


def cholesky_upper_inverse(cov, reg_covar, component=None):
    """Upper-triangular U with inv(cov) = U @ U.T, for one (D, D) matrix."""
    factor = precision_factor(cov)
    if factor is None:
        raise ill_defined_covariance_error(
            None if component is None else [component], reg_covar
        )
    return np.ascontiguousarray(factor)


def upper_factor(precision):
    """Upper-triangular U with precision = U @ U.T, for one (D, D) matrix."""
    # The Cholesky factor of the row- and column-reversed matrix, reversed
    # back, is the upper-triangular factor we need.
    flipped = linalg.cholesky(precision[::-1, ::-1], lower=True, check_finite=False)
    return np.ascontiguousarray(flipped[::-1, ::-1])


def inverse_from_upper(prec_chol):
    """Covariance inv(U @ U.T) from one upper-triangular (D, D) factor."""
    # With J the exchange matrix, J U J is lower triangular and the Cholesky
    # factor of J (U U.T) J, whose inverse LAPACK's potri forms from it.
    flipped = np.asfortranarray(prec_chol[::-1, ::-1])
    inverse, info = lapack_func("potri", flipped)(flipped, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular precision factor")
    return symmetric_from_lower(inverse)[::-1, ::-1]


def per_matrix(func, stack):
    """``func`` applied to each (D, D) matrix of a (K, D, D) stack."""
    out = np.empty(stack.shape, dtype=stack.dtype)
    for k, matrix in enumerate(stack):
        out[k] = func(matrix)
    return out


# --------------------------------------------------------------------------
# shared by several models


def prec_chol_vector(cov, reg_covar):
    bad = ~(np.isfinite(cov) & (cov > 0.0))
    if np.any(bad):
        rows = bad if bad.ndim == 1 else bad.any(axis=1)
        raise ill_defined_covariance_error(np.flatnonzero(rows).tolist(), reg_covar)
    return 1.0 / np.sqrt(cov)


def no_change(sx, sxx, prec_chol):
    return sx, sxx


def always(n_rows, n_features):
    return True


# --------------------------------------------------------------------------
# the mass added to n_k
#
# scikit-learn's M-step divides by n_k + 10 eps (eps of the data's dtype) and
# forms the tied, diagonal and spherical covariances from second moments
# about the origin, E[x x^T] - m m^T with m = S1 / (n_k + 10 eps). In exact
# arithmetic that is the covariance about m plus ``extra * m m^T / n_k_eps``
# (``extra`` = n_k_eps - n_k, the mass the addition actually made, which
# rounds to zero from n_k of about 32 on), pooled over the components for
# tied. The kernels compute the covariance about m without that term; the
# driver adds it only where a covariance is otherwise singular (a component
# on a single sample), so that such a fit goes on where scikit-learn's does.


def no_mass_term(extra, nk_eps, means):
    return 0.0


# --------------------------------------------------------------------------
# the record of one covariance model


@dataclass(frozen=True, eq=False)
class CovarianceModel:
    """Everything about one covariance model, in one place.

    A model is a parametrization of the component covariances (``'full'``:
    one matrix per component, ``'tied'``: one matrix for all, ...). The
    estimator, the EM driver, the criteria, the model files, the plots and
    the CLI ask this record; none of them names a model or writes a shape.
    Shapes below use ``K = n_components`` and ``D = n_features``; "the
    shape" is that of ``covariances_``, ``precisions_`` and
    ``precisions_cholesky_`` alike.

    Attributes
    ----------
    name : str
        The value of ``covariance_type``.
    mclust_name : str
        The three-letter name of the same model in mclust (volume, shape,
        orientation: ``'VVV'``, ``'EEE'``, ...).
    aliases : tuple of str
        Other names of the model (mclust's).
    shape : callable ``(K, D) -> tuple``
        The shape of its covariances.
    shape_text : str
        The same shape in words, for messages: ``'(n_components, n_features)'``.
    per_component : bool
        Whether each component has its own covariance (False: one shared).
    elementwise : bool
        Whether the covariances are variances (vectors), each positive on
        its own, rather than matrices.
    stats_shape : callable ``(K, D) -> tuple``
        The shape of the second-moment statistics ``sxx``.
    n_cov_parameters : callable ``(K, D) -> int``
        The number of free covariance parameters.

    E-step (samples are the columns of ``Xt`` (D, n), shifted by a common
    point close to the data):

    log_prob : callable ``(Xt, means, prec_chol) -> (log_prob, aux)``
        Log densities (K, n) of each sample under each component (no
        mixture weights). ``aux`` holds intermediate results that
        ``estep_accumulate`` reuses.
    accumulate : callable ``(Xt, resp, means) -> (sx, sxx)``
        Sufficient statistics from scratch; ``resp`` has shape (K, n).
    accumulate_about : callable ``(Xt, resp, centres) -> (sx, sxx)``
        The statistics of this model taken about a centre per component
        (``'full'`` ones for a shared covariance), for an M-step whose
        moments must not cancel.
    estep_accumulate : callable ``(Xt, resp, means, aux) -> (sx, sxx)``
        The same statistics, reusing the E-step's ``aux``, possibly in
        coordinates of the current parameters;
    estep_finish : callable ``(sx, sxx, prec_chol) -> (sx, sxx)``
        maps summed ``estep_accumulate`` statistics to those of
        ``accumulate``.
    estep_reuses : callable ``(n_rows, n_features) -> bool``
        Whether a pass over ``n_rows`` rows pays for ``estep_accumulate``
        and ``estep_finish``; where not, the pass calls ``accumulate``.
    add_expected : callable ``(k, filled, r, reference, cond, sx, sxx)``
        Adds, in place, component ``k``'s expected statistics of rows with
        missing values: ``filled`` (n, D) the rows completed by their
        conditional means, ``r`` (n,) their weighted responsibilities,
        ``cond`` (D, D) the conditional covariance of the missing values
        (zero elsewhere), ``reference`` (K, D) the means the statistics of
        this model are taken about.

    M-step:

    m_step_kernel : callable ``(nk, nk_eps, sx, sxx, means, reg_covar) -> (means, cov)``
        Means and covariances (``reg_covar`` added) from summed statistics;
        call it through :meth:`m_step`.
    mass_term : callable ``(extra, nk_eps, means) -> term``
        What scikit-learn's formula adds to the covariances for the mass
        ``extra`` (K,) added to ``nk`` (means in data coordinates).
    start_moment : callable ``(x, resp, weights) -> second``
        scikit-learn's second moment about the origin in its initial M-step
        (0 where the model has none), for rows ``x`` (n, D), weighted
        responsibilities ``resp`` (K, n) and row weights (n,).
    start_covariances : callable ``(second, nk_eps, means) -> cov or None``
        scikit-learn's initial covariances (without ``reg_covar``) from the
        summed ``start_moment``; None where it forms them about the means.
    start_scatter : callable ``(x, resp, weights, means) -> (scatter, extra)``
        Moments of rows about each mean, which do not cancel, and what the
        model adds to them (the moment of the mass assigned to no
        component, for a shared covariance).
    start_from_scatter : callable ``(scatter, extra, nk_eps) -> cov``
        The covariances of the initial M-step from summed ``start_scatter``.

    Parameters and conversions:

    precision_cholesky : callable ``(covariances, reg_covar) -> prec_chol``
        Raises :class:`~skgmm_em.exceptions.IllDefinedCovarianceError` when a
        covariance is not positive definite.
    prec_chol_from_precisions : callable ``(precisions) -> prec_chol``
    covariances_from_prec_chol : callable ``(prec_chol) -> covariances``
    precisions_from_prec_chol : callable ``(prec_chol) -> precisions``
    from_full : callable ``(full (K, D, D), weights (K,)) -> covariances``
        Reduce full covariance matrices to this model.
    to_full : callable ``(covariances, K, D) -> full (K, D, D)``
        The covariances of this model as full matrices.
    precisions_from_full : callable ``(full (K, D, D), weights (K,)) -> precisions``
        The precisions of this model closest to full covariances.
    add_to_diagonal : callable ``(covariances, value) -> covariances``
        A float64 copy with ``value`` added to every variance.
    whiten : callable ``(centred (K, D), prec_chol) -> (K, D)``
        Each row ``k`` in the whitened coordinates of component ``k``.
    smallest_variance : callable ``(covariances, scale (D,), reg_covar) -> float``
        The smallest variance once ``reg_covar`` is taken off, in units of
        the data's variances ``scale ** 2``.
    sample : callable ``(rng, mean, covariances, prec_chol, k, n) -> (n, D)``
        ``n`` draws from component ``k``, as numpy's generator makes them.
    inner : InnerSettings or None
        The stopping rule of an iterative M-step (see
        :mod:`skgmm_em._covariance._constrained`); None for the models whose
        M-step takes no ``previous`` covariances.
    constrained : bool
        Whether the model stores full matrices that satisfy constraints
        (equal volumes, shapes or orientations): the ten parsimonious models
        beyond scikit-learn's four.
    prior : PriorSettings or None
        The prior whose posterior mode :meth:`m_step` gives (see
        :mod:`skgmm_em._covariance._prior`); None for maximum likelihood.
    """

    name: str
    mclust_name: str
    shape: Callable
    shape_text: str
    per_component: bool
    elementwise: bool
    stats_shape: Callable
    n_cov_parameters: Callable
    log_prob: Callable
    accumulate: Callable
    accumulate_about: Callable
    estep_accumulate: Callable
    estep_finish: Callable
    estep_reuses: Callable
    add_expected: Callable
    m_step_kernel: Callable
    mass_term: Callable
    start_moment: Callable
    start_covariances: Callable
    start_scatter: Callable
    start_from_scatter: Callable
    precision_cholesky: Callable
    prec_chol_from_precisions: Callable
    covariances_from_prec_chol: Callable
    precisions_from_prec_chol: Callable
    from_full: Callable
    to_full: Callable
    precisions_from_full: Callable
    add_to_diagonal: Callable
    whiten: Callable
    smallest_variance: Callable
    sample: Callable
    inner: object = None
    constrained: bool = False
    prior: object = None

    @property
    def aliases(self):
        return (self.mclust_name,)

    def m_step(
        self,
        nk,
        nk_eps,
        sx,
        sxx,
        means,
        reg_covar,
        prior=None,
        previous=None,
        shift=None,
    ):
        """Means and covariances from summed statistics.

        Parameters
        ----------
        nk : ndarray of shape (K,)
            The components' masses.
        nk_eps : ndarray of shape (K,)
            ``nk`` plus scikit-learn's ``10 * eps``.
        sx, sxx : ndarray
            The summed statistics of :attr:`accumulate`.
        means : ndarray of shape (K, D)
            The means the statistics are taken about (see ``accumulate``).
        reg_covar : float
            Added to every variance.
        prior : object, default=None
            A prior on the parameters: an object whose ``m_step(model, nk,
            nk_eps, sx, sxx, means, reg_covar, previous, shift)`` returns the
            posterior mode ``(means, covariances)`` in place of the maximum
            likelihood. None takes the model's :attr:`prior`.
        previous : ndarray of :attr:`shape`, default=None
            The covariances of the previous M-step, which an iterative
            M-step starts from (so that EM never goes down); None starts it
            from the statistics.
        shift : ndarray of shape (D,), default=None
            The point subtracted from the data before the statistics were
            taken (the prior's mean is in data coordinates); None for none.

        Returns
        -------
        means : ndarray of shape (K, D)
            In the coordinates of ``means``.
        covariances : ndarray of :attr:`shape`
        """
        prior = self.prior if prior is None else prior
        if prior is not None:
            return prior.m_step(
                self, nk, nk_eps, sx, sxx, means, reg_covar, previous, shift
            )
        if self.inner is None:
            return self.m_step_kernel(nk, nk_eps, sx, sxx, means, reg_covar)
        return self.m_step_kernel(
            nk, nk_eps, sx, sxx, means, reg_covar, previous, self.inner
        )

    def with_inner(self, inner):
        """This model with the stopping rule ``inner`` of its iterative
        M-step (itself when it has none)."""
        if self.inner is None or inner is None:
            return self
        return replace(self, inner=inner)

    def with_prior(self, prior):
        """This model with the posterior mode of ``prior`` as its M-step
        (None: maximum likelihood)."""
        if prior is self.prior:
            return self
        return replace(self, prior=prior)

    def decompose(self, covariances, n_components, n_features):
        """Volumes (K,), shapes (K, D) and orientations (K, D, D) of this
        model's covariances: ``Sigma_k = lambda_k D_k A_k D_k^T`` (see
        :func:`skgmm_em._covariance._constrained.decompose`)."""
        full = self.to_full(covariances, n_components, n_features)
        return decompose(self.mclust_name, full)

    @property
    def description(self):
        """The model's constraints in words: ``'equal volume, variable
        shape, common orientation'``."""
        return describe(self.mclust_name)

    def constraint_violation(self, full):
        """How far full covariance matrices (K, D, D) are from this model:
        the largest relative (Frobenius) distance of a matrix to its
        projection on the model; 0 for matrices of the model."""
        return constraint_violation(self.mclust_name, full)

    def n_parameters(self, n_components, n_features):
        """The number of free parameters of a mixture of this model: its
        covariances, ``K * D`` means and ``K - 1`` weights."""
        k, d = n_components, n_features
        return int(self.n_cov_parameters(k, d) + k * d + k - 1)

    def __repr__(self):
        return f"CovarianceModel({self.name!r})"
