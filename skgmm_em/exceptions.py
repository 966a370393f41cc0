"""The errors skgmm_em raises for its own reasons.

Both are :class:`ValueError` subclasses, so code that catches scikit-learn's
``ValueError`` for an ill-defined covariance, or any ``ValueError`` for bad
input, still catches them.
"""

__all__ = ["FileRefusedError", "IllDefinedCovarianceError"]


class IllDefinedCovarianceError(ValueError):
    """A covariance is not positive definite even after ``reg_covar``.

    Raised by ``fit`` (and by the selector's cells) when a component
    collapses onto one sample, onto duplicated samples, or onto a constant
    feature. The message starts with scikit-learn's words for the same
    error and says how to fix it.

    Attributes
    ----------
    components : list of int or None
        The offending components, or None for a shared (``'tied'``)
        covariance.
    """

    def __init__(self, message, components):
        super().__init__(message)
        self.components = components


class FileRefusedError(ValueError):
    """A file that is not a regular file (a FIFO, a device, a socket), or
    that is larger than the size limit, refused before it is read."""
