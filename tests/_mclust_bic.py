"""The selector's BIC table against mclust's, cell by cell.

Shared by ``tests/test_mclust_selector.py`` and ``benchmarks/mclust_bic.py``.
mclust's BIC is ``2 log L - p log n`` (higher is better), the selector's
``-2 log L + p log n``: a cell is compared in mclust's sign, ours negated. A
cell where mclust has no BIC (``NA``) is skipped; one where mclust has a BIC
and the selector none counts as worse.

A worse cell is also compared with the BIC that EM reaches when it starts
at mclust's own estimate of the cell and runs to convergence
(:func:`mode_bic`). Without a prior that can only raise the log-likelihood.
With a prior EM climbs the posterior, not the likelihood: mclust stops at a
relative change of 1e-5 and reports the log-likelihood of that iterate,
which can be higher than the one at the posterior mode, where the
selector's tighter ``tol`` ends.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture
from skgmm_em._covariance import MODELS
from tests import _mclust

#: A cell is worse than mclust's when its BIC is lower by more than this.
TOLERANCE = 0.5

#: The selector's prior by the name of mclust's in the tables.
PRIORS = {"none": None, "default": "conjugate"}


@dataclass
class Comparison:
    """The cells of one selection against mclust's table.

    ``gaps`` maps every compared cell ``(model, G)`` to mclust's BIC minus
    ours (mclust's sign: positive where ours is worse; ``inf`` where we have
    none); ``chosen`` and ``mclust_chosen`` are the best cells of the grid,
    ``chosen_bic`` and ``mclust_bic`` their BIC in mclust's sign;
    ``mode_gaps`` maps each worse cell to :func:`mode_bic` minus ours.
    """

    dataset: str
    prior: str
    gaps: dict
    chosen: tuple
    chosen_bic: float
    mclust_chosen: tuple
    mclust_bic: float
    skipped: list = field(default_factory=list)
    mode_gaps: dict = field(default_factory=dict)

    @property
    def worse(self):
        """The cells worse than mclust's table by more than TOLERANCE."""
        return {cell: gap for cell, gap in self.gaps.items() if gap > TOLERANCE}

    @property
    def short_of_the_mode(self):
        """The worse cells within TOLERANCE of EM continued from mclust's
        estimate to convergence: mclust's value is not that of its optimum."""
        return {
            cell: gap
            for cell, gap in self.worse.items()
            if self.mode_gaps.get(cell, math.inf) <= TOLERANCE
        }

    @property
    def largest(self):
        """The cell of the largest gap and the gap (negative: ours better)."""
        cell = max(self.gaps, key=self.gaps.get)
        return cell, self.gaps[cell]

    @property
    def choice_ok(self):
        """mclust's choice, or a better BIC than mclust's best."""
        return self.chosen == self.mclust_chosen or self.chosen_bic >= self.mclust_bic


def compare(selector, dataset, prior="none"):
    """The :class:`Comparison` of a fitted selector whose covariance types
    are mclust's names, against mclust's table for ``dataset`` and
    ``prior`` (``'none'`` or ``'default'``)."""
    reference = _mclust.bic_table(dataset, prior)
    table = np.asarray(selector.bic_table(mclust_sign=True))
    grid = [int(g) for g in selector.n_components_grid_]
    ours = {
        (model, g): float(table[i, j])
        for i, g in enumerate(grid)
        for j, model in enumerate(selector.covariance_types_)
    }
    gaps, skipped = {}, []
    for cell, value in ours.items():
        if cell not in reference:
            skipped.append(cell)
            continue
        theirs = reference[cell][0]
        gaps[cell] = theirs - value if math.isfinite(value) else math.inf
    mode_gaps = {}
    for cell, gap in gaps.items():
        if TOLERANCE < gap < math.inf:
            mode = mode_bic(dataset, *cell, prior, selector.reg_covar)
            if mode is not None:
                mode_gaps[cell] = mode - ours[cell]
    chosen = (
        selector.best_params_["covariance_type"],
        selector.best_params_["n_components"],
    )
    in_grid = {cell: reference[cell][0] for cell in ours if cell in reference}
    mclust_chosen = max(in_grid, key=in_grid.get)
    return Comparison(
        dataset=dataset,
        prior=prior,
        gaps=gaps,
        chosen=chosen,
        chosen_bic=ours[chosen],
        mclust_chosen=mclust_chosen,
        mclust_bic=in_grid[mclust_chosen],
        skipped=skipped,
        mode_gaps=mode_gaps,
    )


def mode_bic(dataset, model, G, prior, reg_covar):
    """The BIC (mclust's sign) of EM started at mclust's estimate of the cell
    (``me()``'s parameters) and run to convergence with the prior and
    ``reg_covar``; None when the parameters of the cell are not stored."""
    try:
        ref = _mclust.parameters(dataset, model, G, prior)
    except KeyError:
        return None
    X = _mclust.data(dataset)
    weights = ref["weights"] / ref["weights"].sum()
    precisions = MODELS[model].precisions_from_full(ref["covariances"], weights)
    gm = GaussianMixture(
        G,
        covariance_type=model,
        prior=PRIORS[prior],
        reg_covar=reg_covar,
        weights_init=weights,
        means_init=ref["means"],
        precisions_init=precisions,
        tol=1e-10,
        max_iter=100_000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return -gm.fit(X).bic(X)
