"""The selector over mclust's model family: names, the BIC table, the summary.

Which names the selector accepts and how it reports them (the names given,
scikit-learn's or mclust's), mclust's fourteen as a constant, the BIC table
in both signs, and the summary of the best cells as mclust prints it. The
agreement of its BIC with mclust's is tested in test_mclust_selector.py.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

import skgmm_em
from skgmm_em import GaussianMixture, GaussianMixtureSelector
from skgmm_em.datasets import load_faithful
from skgmm_em.model_selection import MCLUST_MODELS, BestModels, bic

# mclust's order (mclust.options("emModelNames")), written out once here as
# the independent reference of the constant.
MCLUST_ORDER = "EII VII EEI VEI EVI VVI EEE VEE EVE VVE EEV VEV EVV VVV".split()

# Two models by scikit-learn's name and two by mclust's, one of them the
# same model as scikit-learn's 'tied' would be (EEE) but not given twice.
MIXED = ["full", "EEE", "VVE", "spherical"]


@pytest.fixture(scope="module")
def faithful():
    return load_faithful()[0]


@pytest.fixture(scope="module")
def mixed(faithful):
    return GaussianMixtureSelector(
        n_components=[1, 2, 3],
        covariance_type=MIXED,
        n_init=2,
        random_state=0,
    ).fit(faithful)


def test_mclust_models_constant():
    assert list(MCLUST_MODELS) == MCLUST_ORDER
    assert skgmm_em.MCLUST_MODELS is MCLUST_MODELS
    assert "MCLUST_MODELS" in skgmm_em.__all__
    assert "MCLUST_MODELS" in skgmm_em.model_selection.__all__


def test_results_use_the_names_given(mixed):
    assert mixed.covariance_types_ == tuple(MIXED)
    assert list(mixed.results_["covariance_type"][:4]) == MIXED
    assert set(mixed.results_["covariance_type"]) == set(MIXED)
    assert mixed.best_params_["covariance_type"] in MIXED
    assert (
        mixed.best_estimator_.covariance_type == mixed.best_params_["covariance_type"]
    )
    # Every cell's BIC is that of a GaussianMixture of the name given.
    assert mixed.best_params_ == {"n_components": 3, "covariance_type": "EEE"}


def test_a_model_named_either_way_gives_the_same_fit(faithful):
    def fit(name):
        return GaussianMixtureSelector(
            n_components=[2],
            covariance_type=[name],
            split_merge=False,
            refine_margin=None,
            n_init=2,
            random_state=0,
        ).fit(faithful)

    sklearn_named, mclust_named = fit("full"), fit("VVV")
    assert mclust_named.covariance_types_ == ("VVV",)
    assert sklearn_named.covariance_types_ == ("full",)
    assert_allclose(mclust_named.results_["bic"], sklearn_named.results_["bic"])
    assert mclust_named.best_estimator_.covariance_type == "VVV"


@pytest.mark.parametrize(
    "types, message",
    [
        (["full", "VVV"], "'full' and 'VVV' are both mclust's VVV"),
        (["EEE", "diag", "tied"], "'EEE' and 'tied' are both mclust's EEE"),
    ],
)
def test_two_names_of_one_model_are_refused(faithful, types, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixtureSelector(n_components=[1], covariance_type=types).fit(faithful)


def test_a_repeated_name_counts_once(faithful):
    selector = GaussianMixtureSelector(
        n_components=[1], covariance_type=["EII", "EII", "VVI"], random_state=0
    ).fit(faithful)
    assert selector.covariance_types_ == ("EII", "VVI")


def test_unknown_names_list_every_name(faithful):
    with pytest.raises(ValueError, match="'VVV'.*got"):
        GaussianMixtureSelector(covariance_type=["VVV", "XXX"]).fit(faithful)
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixtureSelector(covariance_type="XXX").fit(faithful)


# ----------------------------------------------------------------------------
# the BIC table and the summary


def test_bic_table_in_both_signs(mixed, faithful):
    ours = np.asarray(mixed.bic_table())
    theirs = np.asarray(mixed.bic_table(mclust_sign=True))
    assert ours.shape == (3, len(MIXED))
    assert_array_equal(ours.ravel(), mixed.results_["bic"])
    assert_array_equal(theirs, -ours)
    # The criterion is BIC: the table is the criterion table.
    assert_array_equal(ours, np.asarray(mixed.criterion_table_))
    row, col = np.unravel_index(np.nanargmin(ours), ours.shape)
    assert ours[row, col] == pytest.approx(bic(mixed.best_estimator_, faithful))


def test_bic_table_is_labelled_with_pandas(mixed):
    pd = pytest.importorskip("pandas")
    table = mixed.bic_table(mclust_sign=True)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == MIXED
    assert list(table.index) == [1, 2, 3]
    assert table.loc[3, "EEE"] == pytest.approx(-mixed.bic_table().loc[3, "EEE"])


def test_bic_table_without_pandas(mixed, monkeypatch):
    from skgmm_em.model_selection import _results

    monkeypatch.setattr(_results, "_pandas", lambda: None)
    table = mixed.bic_table()
    assert isinstance(table, np.ndarray) and table.shape == (3, len(MIXED))


def test_bic_table_of_another_criterion_is_still_bic(faithful):
    selector = GaussianMixtureSelector(
        n_components=[1, 2], covariance_type=["EII"], criterion="aic", random_state=0
    ).fit(faithful)
    assert_array_equal(
        np.asarray(selector.bic_table()).ravel(), selector.results_["bic"]
    )
    assert_array_equal(
        np.asarray(selector.criterion_table_).ravel(), selector.results_["aic"]
    )


def test_summary_lists_the_best_cells(mixed):
    results = mixed.results_
    best = mixed.summary(n_best=3)
    assert isinstance(best, BestModels) and len(best) == 3
    order = np.argsort(results["bic"], kind="stable")[:3]
    expected = [
        (results["covariance_type"][i], int(results["n_components"][i])) for i in order
    ]
    assert best.cells == expected
    assert best.names == [f"{t},{k}" for t, k in expected]
    assert_allclose(best.values, results["bic"][order])
    assert best.differences[0] == 0.0 and np.all(best.differences[1:] >= 0.0)
    assert best.cells[0] == (
        mixed.best_params_["covariance_type"],
        mixed.best_params_["n_components"],
    )


def test_summary_in_mclust_sign_prints_as_mclust(mixed):
    ours, theirs = mixed.summary(2), mixed.summary(2, mclust_sign=True)
    assert theirs.cells == ours.cells
    assert_allclose(theirs.values, -ours.values)
    assert np.all(theirs.differences <= 0.0)
    lines = str(theirs).splitlines()
    assert lines[0] == "Best BIC values (mclust's sign: higher is better):"
    assert lines[1].split() == theirs.names
    assert lines[2].split() == ["BIC", *(f"{v:.3f}" for v in theirs.values)]
    assert lines[3].split()[:2] == ["BIC", "diff"]
    assert repr(theirs) == str(theirs)
    assert str(ours).startswith("Best BIC values (lower is better):")


def test_summary_by_another_criterion_and_short_grids(mixed):
    by_icl = mixed.summary(2, criterion="icl")
    assert by_icl.criterion == "icl" and str(by_icl).startswith("Best ICL values")
    assert_allclose(by_icl.values, np.sort(mixed.results_["icl"])[:2])
    # More cells asked for than the grid holds: all of them.
    assert len(mixed.summary(100)) == len(mixed.results_["bic"])


@pytest.mark.parametrize("n_best", [0, -1, 1.5, True, "3"])
def test_summary_refuses_bad_counts(mixed, n_best):
    with pytest.raises(ValueError, match="n_best"):
        mixed.summary(n_best)


def test_summary_refuses_unknown_criteria(mixed):
    with pytest.raises(ValueError, match="criterion"):
        mixed.summary(criterion="loglik")
    with pytest.raises(ValueError, match="criterion"):
        mixed.summary(criterion="loglik", mclust_sign=True)


def test_tables_need_a_fit():
    for method in ("bic_table", "summary"):
        with pytest.raises(NotFittedError):
            getattr(GaussianMixtureSelector(), method)()


def test_the_family_cell_is_a_plain_gaussian_mixture(mixed, faithful):
    best = mixed.best_estimator_
    refit = GaussianMixture(**best.get_params()).fit(faithful)
    assert refit.bic(faithful) == pytest.approx(best.bic(faithful), rel=1e-9)


# ----------------------------------------------------------------------------
# the prior


def test_prior_is_forwarded_to_every_cell(faithful):
    selector = GaussianMixtureSelector(
        n_components=[1, 2],
        covariance_type=["EII", "VVV"],
        prior="conjugate",
        n_init=1,
        random_state=0,
    ).fit(faithful)
    best = selector.best_estimator_
    assert best.prior == "conjugate" and best.prior_ is not None
    # The criteria are those of the log-likelihood at the posterior mode.
    assert np.nanmin(selector.results_["bic"]) == pytest.approx(best.bic(faithful))
    plain = GaussianMixtureSelector(
        n_components=[1, 2], covariance_type=["EII", "VVV"], n_init=1, random_state=0
    ).fit(faithful)
    assert plain.best_estimator_.prior_ is None
    # A prior moves every estimate: no log-likelihood is that of the plain fit.
    assert not np.any(
        np.isclose(
            selector.results_["log_likelihood"], plain.results_["log_likelihood"]
        )
    )


def test_prior_is_validated(faithful):
    with pytest.raises(ValueError, match="prior"):
        GaussianMixtureSelector(prior="flat").fit(faithful)


# ----------------------------------------------------------------------------
# mclust's start runs to convergence


def test_the_hierarchical_start_does_not_race():
    """On blobs3, EEE with 9 components: after 10 iterations mclust's
    hierarchical start trails a k-means start, which converges to a worse
    optimum (BIC 2968.66 against 2955.07); racing would drop it."""
    from sklearn.utils import check_random_state

    from skgmm_em.model_selection._grid import initializers
    from skgmm_em.model_selection._race import Settings, fit_cell
    from skgmm_em.model_selection._search import Search
    from skgmm_em.model_selection._starts import HierarchicalStarts, center_scale
    from tests import _mclust

    X = _mclust.data("blobs3")
    random_state = check_random_state(0)
    cells = [(k, t) for k in range(1, 10) for t in MCLUST_MODELS]
    seeds = {
        cell: random_state.randint(np.iinfo(np.int32).max, size=6) for cell in cells
    }
    hierarchical = [HierarchicalStarts(X, random_state)]
    defaults = GaussianMixtureSelector()
    settings = Settings(1e-6, 1e-6, 1000, 10, 1e-6, center_scale(X)[1])
    starts = initializers(defaults.init_params, defaults.standardize)
    search = Search(X, settings, seeds, starts, defaults, None)
    starts = search.initial_starts((9, "EEE"), hierarchical)
    assert [s.race for s in starts] == [True, True, True, False]
    kept = fit_cell(X, 9, "EEE", starts, settings)
    raced = fit_cell(X, 9, "EEE", [s._replace(race=True) for s in starts], settings)
    assert kept.log_likelihood > raced.log_likelihood + 5.0
    assert kept.model.bic(X) == pytest.approx(2955.067, abs=0.01)
    assert kept.start_log_likelihoods[:3] == raced.start_log_likelihoods[:3]
