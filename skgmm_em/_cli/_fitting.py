"""The fits of ``skgmm-em fit``: the estimator, or the model selector for ``auto``.

Both run in the library (:class:`~skgmm_em.GaussianMixture` with its
``n_init`` restarts, :class:`~skgmm_em.GaussianMixtureSelector`), with the
command line's progress bar listening to their progress events.
"""

import warnings

from sklearn.exceptions import ConvergenceWarning

from .. import _progress
from .._covariance import COVARIANCE_TYPES, MCLUST_MODELS
from .._gaussian_mixture import GaussianMixture
from ._messages import warnings_as_notes

#: The largest number of components ``--n-components auto`` tries.
AUTO_MAX_COMPONENTS = 10

#: The values of ``--covariance-type`` that choose among several types.
SELECTIONS = {"auto": COVARIANCE_TYPES, "mclust": MCLUST_MODELS}


#: Defaults of a plain fit (the estimator's); ``auto`` uses the selector's.
FIT_DEFAULTS = {"n_init": 1, "tol": 1e-3, "max_iter": 100}


def fit_mixture(X, options, progress):
    """``GaussianMixture(...).fit(X)`` with the options, reporting to ``progress``.

    The model equals ``GaussianMixture(n_components, covariance_type=...,
    n_init=..., random_state=...).fit(X)``, parameters included.
    """
    gm = GaussianMixture(
        options.n_components,
        covariance_type=options.covariance_type,
        tol=options.tol,
        reg_covar=options.reg_covar,
        max_iter=options.max_iter,
        n_init=options.n_init,
        random_state=options.random_state,
    )
    with _progress.listening(progress), warnings.catch_warnings():
        # fit_command reports non-convergence in the command's own terms.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X)


def _given(options):
    """The EM options given on the command line (those of FIT_DEFAULTS not None)."""
    return {
        name: getattr(options, name)
        for name in FIT_DEFAULTS
        if getattr(options, name) is not None
    }


def select_model(X, options, progress, note, n_distinct):
    """Choose by BIC with :class:`~skgmm_em.model_selection.GaussianMixtureSelector`.

    ``auto`` in ``options.n_components`` tries 1 to ``AUTO_MAX_COMPONENTS``
    components (at most one per distinct row), ``auto`` in
    ``options.covariance_type`` scikit-learn's four types and ``mclust``
    mclust's fourteen models. Returns the selector, fitted.
    """
    from ..model_selection import GaussianMixtureSelector

    n_components = options.n_components
    if n_components == "auto":
        n_components = range(1, min(AUTO_MAX_COMPONENTS, n_distinct) + 1)
    covariance_type = SELECTIONS.get(options.covariance_type, options.covariance_type)
    given = _given(options)
    selector = GaussianMixtureSelector(
        n_components,
        covariance_type=covariance_type,
        criterion="bic",
        reg_covar=options.reg_covar,
        random_state=options.random_state,
        **given,
    )
    with _progress.listening(progress), warnings_as_notes(ConvergenceWarning, note):
        selector.fit(X)
    return selector


def chosen_model(selector, options):
    """The selector's chosen fit as a plain ``GaussianMixture``.

    The selector's own model carries the winning start as constructor
    arguments (``means_init``, ``precisions_init``, a drawn
    ``random_state``, the selector's ``tol`` and ``max_iter``). This one
    has the parameters a user would write, ``GaussianMixture(k,
    covariance_type=..., random_state=SEED)`` with the options given on
    the command line, and the chosen fit's fitted state, so it predicts
    exactly as the selector does.
    """
    best = selector.best_estimator_
    given = _given(options)
    model = GaussianMixture(
        best.n_components,
        covariance_type=best.covariance_type,
        reg_covar=options.reg_covar,
        random_state=options.random_state,
        **given,
    )
    for name, value in vars(best).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(model, name, value)
    return model
