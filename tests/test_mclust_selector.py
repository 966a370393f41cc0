"""The selector over mclust's fourteen models against R mclust's BIC tables.

In every compared cell (covariance model, G) the selector's BIC must not be
worse than mclust 6.0's (``tests/data/mclust/bic.csv``, ``mclustBIC`` with
its defaults) by more than 0.5, without a prior and with mclust's default
conjugate prior (``prior='conjugate'`` here), and the chosen cell must be
mclust's or have a better BIC. With the prior, mclust's value of a cell can
be that of an EM iterate short of the posterior mode, with a higher
log-likelihood than the mode's (EM climbs the posterior); such a cell may be
worse than mclust's table, but not worse than EM continued from mclust's
own estimate to convergence. Signs: mclust's BIC is ``2 log L - p log n``,
ours is its negative; ``tests/_mclust_bic.py`` converts. Cells where mclust
has no BIC (``NA``, and the four models mclust fits without a prior only)
are skipped; a cell where mclust has a BIC and we have none counts as worse.

The whole grid (five data sets, 14 models, G = 1..9, two priors) takes tens
of minutes, most of it in EVE and VVE on wine, whose M-steps iterate; CI
runs a representative subset here:

* faithful: all 14 models, G = 1..9, without the prior; with the prior,
  the ten models mclust fits with it;
* iris: the same for G = 1..5 (mclust's choice is VEV with 2 components);
* wine: the hard cells around VVV with 3 components (the issue's cell where
  the selector was worse before mclust's hierarchical start), G = 2..4;
* mix5d (D = 6): all 14 models for G = 3..5.

``benchmarks/mclust_bic.py`` runs and prints the whole grid. The cells are
fit two at a time (``n_jobs=2``; the result does not depend on it).
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import MCLUST_MODELS, GaussianMixtureSelector
from tests import _mclust, _mclust_bic

# The models mclust fits with its default prior (the others give NA there).
WITH_PRIOR = tuple(m for m in MCLUST_MODELS if m not in {"VEE", "EVE", "VVE", "EVV"})


def _select(dataset, prior, models=MCLUST_MODELS, n_components=range(1, 10)):
    selector = GaussianMixtureSelector(
        n_components=n_components,
        covariance_type=models,
        random_state=0,
        n_jobs=2,
        **({"prior": _mclust_bic.PRIORS[prior]} if prior != "none" else {}),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        selector.fit(_mclust.data(dataset))
    return _mclust_bic.compare(selector, dataset, prior)


def _assert_no_worse_cell(result):
    """No cell worse than mclust's by more than 0.5; with the prior, a cell
    may be worse than mclust's table only where mclust's value is short of
    the posterior mode (EM continued from mclust's estimate ends within 0.5
    of ours: see tests/_mclust_bic.py)."""
    assert result.gaps
    worse = {cell: round(gap, 2) for cell, gap in result.worse.items()}
    if result.prior == "default":
        for cell in result.short_of_the_mode:
            del worse[cell]
    assert not worse, (result.dataset, result.prior, worse, result.mode_gaps)


@pytest.mark.slow
@pytest.mark.parametrize("dataset, max_components", [("faithful", 9), ("iris", 5)])
@pytest.mark.parametrize("prior", ["none", "default"])
def test_every_cell_and_the_choice(dataset, max_components, prior):
    models = MCLUST_MODELS if prior == "none" else WITH_PRIOR
    result = _select(dataset, prior, models, range(1, max_components + 1))
    _assert_no_worse_cell(result)
    assert result.choice_ok, (result.chosen, result.mclust_chosen)


@pytest.mark.slow
@pytest.mark.parametrize("prior", ["none", "default"])
def test_wine_hard_cells(prior):
    models = ["VVV", "EEE", "VEV", "EEV"]
    result = _select("wine", prior, models, n_components=[2, 3, 4])
    _assert_no_worse_cell(result)
    if prior == "none":
        # mclust's 7203.9 (our sign) that no start reached before 'hc'.
        assert result.gaps[("VVV", 3)] <= _mclust_bic.TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize("prior", ["none", "default"])
def test_six_dimensional_mixture(prior):
    models = MCLUST_MODELS if prior == "none" else WITH_PRIOR
    _assert_no_worse_cell(_select("mix5d", prior, models, n_components=[3, 4, 5]))
