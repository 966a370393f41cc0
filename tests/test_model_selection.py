"""Model selection: the criteria, the scorers and GaussianMixtureSelector.

The criteria are checked against scikit-learn's ``bic``/``aic`` on the same
fitted parameters and ICL against a hand computation; the selector against
mclust's published Old Faithful values (issue 5) and against scikit-learn's
GaussianMixture on iris, wine and generated data.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skgmm_em import (
    GaussianMixture,
    GaussianMixtureSelector,
    aic_scorer,
    bic_scorer,
    icl_scorer,
)
from skgmm_em.datasets import load_faithful, make_mixture
from skgmm_em.model_selection import COVARIANCE_TYPES, aic, bic, icl, n_parameters
from skgmm_em.model_selection import _results as model_selection

# mclust 6.0 on Old Faithful (issue 5), scikit-learn's sign.
MCLUST_ISSUE_BIC = {
    (3, "tied"): 2314.316,
    (2, "full"): 2322.192,
    (2, "diag"): 2346.065,
    (3, "spherical"): 3336.598,
}
MCLUST_EEE3_LOG_LIKELIHOOD = -1126.326

# The whole mclustBIC(faithful) table for the four models (VVV, EEE, VVI,
# VII), rows G = 1..9, scikit-learn's sign: a secondary reference,
# transcribed from printed R output; it agrees with the issue's four values.
MCLUST_FAITHFUL_BIC = {
    "full": [2607.623, 2322.192, 2349.696, 2351.493, 2379.388, 2387.016,
             2412.440, 2442.018, 2460.398],
    "tied": [2607.623, 2325.220, 2314.316, 2331.223, 2360.659, 2347.352,
             2369.330, 2376.104, 2389.609],
    "diag": [3055.835, 2346.065, 2342.366, 2343.486, 2351.017, 2373.469,
             2394.696, 2413.705, 2432.708],
    "spherical": [4024.721, 3458.305, 3336.598, 3242.826, 3129.080, 3038.171,
                  2973.374, 2935.082, 2919.415],
}  # fmt: skip


def _blobs():
    """Three separated Gaussian blobs with one shared covariance, (300, 2)."""
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    X, _ = make_mixture(
        300,
        [0.4, 0.35, 0.25],
        [[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]],
        [cov, cov, cov],
        random_state=0,
    )
    return X


def _as_sklearn(model):
    """A scikit-learn GaussianMixture holding the fitted parameters of model."""
    theirs = SklearnGaussianMixture(
        model.n_components, covariance_type=model.covariance_type
    )
    for name in (
        "weights_",
        "means_",
        "covariances_",
        "precisions_",
        "precisions_cholesky_",
        "converged_",
        "n_iter_",
        "lower_bound_",
    ):
        setattr(theirs, name, getattr(model, name))
    theirs.n_features_in_ = model.n_features_in_
    return theirs


@pytest.fixture(scope="module")
def faithful():
    return load_faithful()[0]


@pytest.fixture(scope="module")
def faithful_selector(faithful):
    """The default selector on Old Faithful."""
    return GaussianMixtureSelector(random_state=0).fit(faithful)


# ----------------------------------------------------------------------------
# scikit-learn compatibility


# Every check fits the selector's grid of models, some checks several times.
@pytest.mark.slow
@parametrize_with_checks(
    [
        GaussianMixtureSelector(
            n_components=[2, 3], covariance_type=["full", "spherical"], n_init=1
        )
    ]
)
def test_sklearn_compatible_selector(estimator, check):
    check(estimator)


def test_param_validation():
    check_param_validation(
        "GaussianMixtureSelector", GaussianMixtureSelector(n_components=[1, 2])
    )


# ----------------------------------------------------------------------------
# criteria


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bic_aic_equal_sklearn_on_the_same_parameters(covariance_type):
    X = load_iris().data
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    theirs = _as_sklearn(ours)
    assert_allclose(theirs.score_samples(X), ours.score_samples(X), rtol=1e-10)
    assert bic(ours, X) == pytest.approx(theirs.bic(X), rel=1e-12)
    assert aic(ours, X) == pytest.approx(theirs.aic(X), rel=1e-12)
    # The functions accept scikit-learn's estimator as well.
    assert bic(theirs, X) == pytest.approx(theirs.bic(X), rel=1e-12)
    assert aic(theirs, X) == pytest.approx(theirs.aic(X), rel=1e-12)


@pytest.mark.parametrize(
    "covariance_type, expected",
    [("full", 17), ("tied", 11), ("diag", 14), ("spherical", 11)],
)
def test_n_parameters_closed_form(faithful, covariance_type, expected):
    # K = 3, D = 2: 2 weights + 6 means + the covariance parameters.
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0)
    assert n_parameters(gm.fit(faithful)) == expected


def test_icl_is_bic_plus_twice_the_entropy(faithful):
    gm = GaussianMixture(3, covariance_type="tied", random_state=0).fit(faithful)
    resp = gm.predict_proba(faithful)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.sum(np.where(resp > 0, resp * np.log(resp), 0.0))
    assert entropy > 1.0
    assert icl(gm, faithful) == pytest.approx(bic(gm, faithful) + 2 * entropy)
    # BIC by hand: -2 log L + p log n.
    log_likelihood = gm.score(faithful) * len(faithful)
    assert bic(gm, faithful) == pytest.approx(
        -2 * log_likelihood + 11 * math.log(len(faithful))
    )


def test_scorers_are_the_negated_criteria(faithful):
    gm = GaussianMixture(2, random_state=0).fit(faithful)
    assert bic_scorer(gm, faithful) == -bic(gm, faithful)
    assert aic_scorer(gm, faithful, None) == -aic(gm, faithful)
    assert icl_scorer(gm, faithful) == -icl(gm, faithful)


def test_criteria_of_a_pipeline_are_those_of_its_mixture():
    X = load_iris().data
    pipe = make_pipeline(StandardScaler(), GaussianMixture(3, random_state=0)).fit(X)
    Z = pipe[:-1].transform(X)
    for criterion in (bic, aic, icl):
        assert criterion(pipe, X) == pytest.approx(criterion(pipe[-1], Z), rel=1e-12)
    assert n_parameters(pipe) == n_parameters(pipe[-1])


def test_criteria_refuse_what_is_not_a_fitted_mixture(faithful):
    with pytest.raises(TypeError, match="Gaussian mixture"):
        bic(KMeans(2, n_init=1).fit(faithful), faithful)
    with pytest.raises(NotFittedError):
        aic(GaussianMixture(2), faithful)
    with pytest.raises(NotFittedError):
        n_parameters(GaussianMixtureSelector())


# ----------------------------------------------------------------------------
# GridSearchCV


@pytest.mark.slow
def test_grid_search_default_scoring_is_held_out_log_likelihood():
    X = _blobs()
    grid = {
        "n_components": [1, 2, 3, 4],
        "covariance_type": ["full", "spherical"],
        "init_params": ["kmeans", "k-means++"],
    }
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        GaussianMixture(random_state=0, tol=1e-6, max_iter=1000), grid, cv=cv
    )
    search.fit(X)
    assert search.best_params_["n_components"] >= 3
    # The reported score is the mean held-out log-likelihood per sample.
    params = search.best_params_
    by_hand = [
        GaussianMixture(random_state=0, tol=1e-6, max_iter=1000, **params)
        .fit(X[train])
        .score(X[test])
        for train, test in cv.split(X)
    ]
    assert search.best_score_ == pytest.approx(np.mean(by_hand), rel=1e-12)


@pytest.mark.slow
def test_grid_search_with_bic_scorer_in_sample(faithful):
    # One split whose train and test sets are all the data: in-sample BIC.
    n = len(faithful)
    grid = {"n_components": [2, 3], "covariance_type": list(COVARIANCE_TYPES)}
    base = GaussianMixture(n_init=3, tol=1e-6, max_iter=1000, random_state=0)
    search = GridSearchCV(
        base, grid, scoring=bic_scorer, cv=[(np.arange(n), np.arange(n))]
    ).fit(faithful)
    assert search.best_params_ == {"covariance_type": "tied", "n_components": 3}
    assert search.best_score_ == pytest.approx(-bic(search.best_estimator_, faithful))
    params = search.cv_results_["params"][0]
    by_hand = -bic(clone(base).set_params(**params).fit(faithful), faithful)
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(by_hand)


def test_grid_search_with_scorers_on_held_out_folds():
    X = _blobs()
    cv = KFold(3, shuffle=True, random_state=1)
    base = GaussianMixture(covariance_type="tied", random_state=0)
    for scorer, criterion in ((aic_scorer, aic), (icl_scorer, icl)):
        search = GridSearchCV(
            base, {"n_components": [2, 3]}, scoring=scorer, cv=cv
        ).fit(X)
        train, test = next(cv.split(X))
        model = clone(base).set_params(n_components=3).fit(X[train])
        assert search.cv_results_["split0_test_score"][1] == pytest.approx(
            -criterion(model, X[test])
        )
        assert search.best_params_ == {"n_components": 3}


def test_grid_search_scores_a_pipeline():
    X = load_iris().data
    pipe = make_pipeline(StandardScaler(), GaussianMixture(random_state=0))
    search = GridSearchCV(
        pipe,
        {"gaussianmixture__n_components": [1, 2, 3]},
        scoring=bic_scorer,
        cv=[(np.arange(len(X)), np.arange(len(X)))],
    ).fit(X)
    best = search.best_estimator_
    assert search.best_score_ == pytest.approx(-bic(best, X))
    assert search.best_params_ == {"gaussianmixture__n_components": 2}


# ----------------------------------------------------------------------------
# the selector on Old Faithful


@pytest.mark.slow
def test_faithful_selects_mclust_model(faithful_selector):
    assert faithful_selector.best_params_ == {
        "n_components": 3,
        "covariance_type": "tied",
    }
    assert faithful_selector.best_estimator_.covariance_type == "tied"
    assert faithful_selector.best_estimator_.n_components == 3


@pytest.mark.slow
def test_faithful_reaches_mclust_values(faithful_selector):
    results = faithful_selector.results_
    cells = dict(
        zip(
            zip(
                results["n_components"].tolist(),
                results["covariance_type"],
                strict=True,
            ),
            range(len(results["bic"])),
            strict=True,
        )
    )
    for cell, mclust_bic in MCLUST_ISSUE_BIC.items():
        assert results["bic"][cells[cell]] <= mclust_bic + 0.01, cell
    tied3 = cells[(3, "tied")]
    assert results["log_likelihood"][tied3] >= MCLUST_EEE3_LOG_LIKELIHOOD - 0.005
    # Every cell of mclust's table is reached or beaten, not only those four.
    for covariance_type, column in MCLUST_FAITHFUL_BIC.items():
        for k, mclust_bic in enumerate(column, start=1):
            cell = cells[(k, covariance_type)]
            assert results["bic"][cell] <= mclust_bic + 0.01, (k, covariance_type)
    assert set(results["status"]) == {"ok"}


@pytest.mark.slow
def test_faithful_tables_and_results_agree(faithful_selector, faithful):
    selector = faithful_selector
    n_rows, n_cols = len(selector.n_components_grid_), len(selector.covariance_types_)
    assert_array_equal(selector.n_components_grid_, np.arange(1, 10))
    assert selector.covariance_types_ == COVARIANCE_TYPES
    table = np.asarray(selector.criterion_table_)
    assert table.shape == (n_rows, n_cols)
    assert_array_equal(table.ravel(), selector.results_["bic"])
    assert_array_equal(
        np.asarray(selector.log_likelihood_table_).ravel(),
        selector.results_["log_likelihood"],
    )
    best = selector.best_estimator_
    row, col = np.unravel_index(np.nanargmin(table), table.shape)
    assert table[row, col] == pytest.approx(bic(best, faithful), rel=1e-12)
    assert np.asarray(selector.log_likelihood_table_)[row, col] == pytest.approx(
        best.score(faithful) * len(faithful), rel=1e-12
    )
    # n_parameters per cell follows the closed form.
    k = selector.results_["n_components"]
    d = faithful.shape[1]
    cov = {"full": k * 3, "tied": np.full_like(k, 3), "diag": k * 2, "spherical": k}
    expected = [
        cov[t][i] + k[i] * d + k[i] - 1
        for i, t in enumerate(selector.results_["covariance_type"])
    ]
    assert_array_equal(selector.results_["n_parameters"], expected)
    assert n_parameters(selector) == 11
    assert bic(selector, faithful) == pytest.approx(table[row, col], rel=1e-12)


@pytest.mark.slow
def test_faithful_delegates_to_the_best_model(faithful_selector, faithful):
    selector, best = faithful_selector, faithful_selector.best_estimator_
    assert_array_equal(selector.labels_, best.predict(faithful))
    assert_array_equal(selector.predict(faithful), best.predict(faithful))
    assert_allclose(selector.predict_proba(faithful), best.predict_proba(faithful))
    assert_allclose(selector.score_samples(faithful), best.score_samples(faithful))
    assert selector.score(faithful) == best.score(faithful)
    samples, labels = selector.sample(50)
    assert samples.shape == (50, 2) and labels.shape == (50,)
    assert set(labels) <= {0, 1, 2}
    # The chosen model's parameters hold its start: a clone refits to it.
    refit = clone(best).fit(faithful)
    assert_allclose(refit.means_, best.means_, rtol=1e-10)
    assert refit.score(faithful) == pytest.approx(best.score(faithful), rel=1e-12)


@pytest.mark.slow
def test_criterion_table_is_a_labelled_dataframe_with_pandas(faithful_selector):
    pd = pytest.importorskip("pandas")
    table = faithful_selector.criterion_table_
    assert isinstance(table, pd.DataFrame)
    assert table.index.name == "n_components"
    assert table.columns.name == "covariance_type"
    assert list(table.columns) == list(COVARIANCE_TYPES)
    assert table.loc[3, "tied"] == pytest.approx(
        np.nanmin(faithful_selector.results_["bic"])
    )


def test_criterion_table_is_an_array_without_pandas(monkeypatch):
    monkeypatch.setattr(model_selection, "_pandas", lambda: None)
    X = _blobs()
    selector = GaussianMixtureSelector(
        n_components=[2, 3], covariance_type=["tied", "diag"], random_state=0
    ).fit(X)
    assert isinstance(selector.criterion_table_, np.ndarray)
    assert isinstance(selector.log_likelihood_table_, np.ndarray)
    assert selector.criterion_table_.shape == (2, 2)
    assert_array_equal(selector.n_components_grid_, [2, 3])
    assert selector.covariance_types_ == ("tied", "diag")
    assert selector.best_params_ == {"n_components": 3, "covariance_type": "tied"}


# ----------------------------------------------------------------------------
# the selector elsewhere


@pytest.mark.slow
@pytest.mark.parametrize("criterion", ["aic", "icl"])
def test_criterion_choice(criterion):
    X = _blobs()
    selector = GaussianMixtureSelector(
        n_components=[1, 2, 3, 4],
        covariance_type=["full", "tied"],
        criterion=criterion,
        random_state=0,
    ).fit(X)
    values = selector.results_[criterion]
    assert_array_equal(np.asarray(selector.criterion_table_).ravel(), values)
    best = int(np.nanargmin(values))
    assert selector.best_params_ == {
        "n_components": selector.results_["n_components"][best],
        "covariance_type": selector.results_["covariance_type"][best],
    }
    assert values[best] == pytest.approx(
        {"aic": aic, "icl": icl}[criterion](selector.best_estimator_, X)
    )
    assert selector.best_params_["n_components"] == 3


@pytest.mark.slow
def test_generated_mixture_recovers_components_and_shape():
    # Three components sharing one covariance: BIC should say 3 and 'tied'.
    selector = GaussianMixtureSelector(n_components=range(2, 5), random_state=0).fit(
        _blobs()
    )
    assert selector.best_params_ == {"n_components": 3, "covariance_type": "tied"}


@pytest.mark.parametrize(
    "dataset, n_components",
    [("iris", [1, 2, 3]), ("wine", [1, 2])],
)
@pytest.mark.slow
def test_at_least_as_good_as_sklearn_with_the_same_n_init(dataset, n_components):
    X = {"iris": load_iris, "wine": load_wine}[dataset]().data
    selector = GaussianMixtureSelector(
        n_components=n_components, n_init=3, random_state=0
    ).fit(X)
    results = selector.results_
    for k, t, ours in zip(
        results["n_components"],
        results["covariance_type"],
        results["log_likelihood"],
        strict=True,
    ):
        theirs = SklearnGaussianMixture(
            int(k), covariance_type=t, n_init=3, tol=1e-6, max_iter=1000,
            random_state=0,
        ).fit(X)  # fmt: skip
        assert ours >= theirs.score(X) * len(X) - 0.01, (k, t)


@pytest.mark.slow
def test_n_jobs_and_refits_give_the_same_result():
    X = load_iris().data
    params = dict(n_components=[1, 2], covariance_type=["full", "diag"], n_init=2)
    one = GaussianMixtureSelector(random_state=3, **params).fit(X)
    two = GaussianMixtureSelector(random_state=3, n_jobs=2, **params).fit(X)
    again = clone(one).fit(X)
    for other in (two, again):
        assert_array_equal(
            other.results_["log_likelihood"], one.results_["log_likelihood"]
        )
        assert other.best_params_ == one.best_params_


def test_degenerate_fits_are_set_aside():
    # Six identical samples: a component on them alone has a spurious,
    # arbitrarily high likelihood, held up only by reg_covar.
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(size=(60, 2)), np.tile([[6.0, 6.0]], (6, 1))]
    params = dict(n_components=[1, 2, 3], covariance_type=["full", "spherical"])
    guarded = GaussianMixtureSelector(random_state=0, **params).fit(X)
    status = dict(
        zip(
            zip(
                guarded.results_["n_components"],
                guarded.results_["covariance_type"],
                strict=True,
            ),
            guarded.results_["status"],
            strict=True,
        )
    )
    assert status[(2, "spherical")] == "degenerate"
    table = np.asarray(guarded.criterion_table_)
    assert np.isnan(table[1, 1])
    assert guarded.best_params_["covariance_type"] == "full"
    unguarded = GaussianMixtureSelector(
        degenerate_tol=None, random_state=0, **params
    ).fit(X)
    assert set(unguarded.results_["status"]) == {"ok"}
    assert np.nanmax(unguarded.results_["log_likelihood"]) > np.nanmax(
        guarded.results_["log_likelihood"]
    )


def test_float32_feature_names_and_verbose(capsys):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(_blobs().astype(np.float32), columns=["a", "b"])
    selector = GaussianMixtureSelector(
        n_components=[2, 3], covariance_type="tied", verbose=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        selector.fit(X)
        labels = selector.predict(X)
    assert_array_equal(selector.feature_names_in_, ["a", "b"])
    assert selector.best_estimator_.means_.dtype == np.float32
    assert_array_equal(labels, selector.labels_)
    out = capsys.readouterr().out
    assert "[initializer starts 1/2]" in out
    assert "n_components=3, covariance_type='tied'" in out
    assert "screened log-likelihoods" in out
    assert "Selected n_components=3, covariance_type='tied'" in out


def test_a_single_int_and_a_single_type():
    selector = GaussianMixtureSelector(
        n_components=3, covariance_type="diag", random_state=0
    ).fit(_blobs())
    assert selector.best_params_ == {"n_components": 3, "covariance_type": "diag"}
    assert np.asarray(selector.criterion_table_).shape == (1, 1)


def test_too_few_samples_and_no_usable_cell():
    X = _blobs()[:8]
    selector = GaussianMixtureSelector(
        n_components=[1, 20], covariance_type="spherical", random_state=0
    ).fit(X)
    assert list(selector.results_["status"]) == ["ok", "too few samples"]
    with pytest.raises(ValueError, match="No cell of the grid"):
        GaussianMixtureSelector(n_components=[20], random_state=0).fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": [0, 1]}, "n_components"),
        ({"n_components": []}, "n_components"),
        ({"n_components": [1.5]}, "n_components"),
        ({"covariance_type": ["full", "ellipsoidal"]}, "covariance_type"),
        ({"covariance_type": []}, "covariance_type"),
        ({"init_params": ["kmeans", "nope"]}, "init_params"),
        ({"init_params": []}, "init_params"),
    ],
)
def test_invalid_grids_are_refused(params, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixtureSelector(**params).fit(_blobs())


def test_convergence_warning_names_the_cells():
    with pytest.warns(ConvergenceWarning, match=r"\(2, 'full'\)"):
        GaussianMixtureSelector(
            n_components=[2],
            covariance_type="full",
            max_iter=1,
            screen_iter=0,
            split_merge=False,
            refine_margin=None,
            random_state=0,
        ).fit(_blobs())


def test_initializer_instances_and_no_standardizing():
    def farthest(X, n_components, random_state, sample_weight=None):
        return (
            None,
            X[np.argsort(X[:, 0])[:: len(X) // n_components][:n_components]],
            None,
        )

    X = _blobs()
    for standardize in (True, False):
        selector = GaussianMixtureSelector(
            n_components=[3],
            covariance_type="tied",
            init_params=[farthest, "moments"],
            standardize=standardize,
            split_merge=False,
            random_state=0,
        ).fit(X)
        assert selector.best_params_ == {"n_components": 3, "covariance_type": "tied"}


# ---------------------------------------------------------------------------
# missing values


def _faithful_with_holes(fraction=0.05, seed=0):
    X, _ = load_faithful()
    rng = np.random.RandomState(seed)
    holes = X.copy()
    rows = rng.choice(len(X), int(fraction * len(X)), replace=False)
    holes[rows, rng.randint(2, size=len(rows))] = np.nan
    return X, holes


@pytest.mark.slow
@pytest.mark.parametrize("criterion", ["bic", "aic", "icl"])
def test_selector_with_missing_values(criterion):
    X, holes = _faithful_with_holes()
    grid = dict(n_components=[1, 2, 3], covariance_type=COVARIANCE_TYPES)
    params = dict(criterion=criterion, n_init=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        incomplete = GaussianMixtureSelector(**grid, **params).fit(holes)
        complete = GaussianMixtureSelector(**grid, **params).fit(X)
    # Five percent of the values missing: the same choice as on all values.
    assert incomplete.best_params_ == complete.best_params_
    values = incomplete.results_[criterion]
    assert np.all(np.isfinite(values))
    function = {"bic": bic, "aic": aic, "icl": icl}[criterion]
    if criterion == "bic":
        for k, t, log_likelihood in zip(
            incomplete.results_["n_components"],
            incomplete.results_["covariance_type"],
            incomplete.results_["log_likelihood"],
            strict=True,
        ):
            # Every cell fits at least as well as the estimator's own NaN
            # fit with as many restarts.
            direct = GaussianMixture(
                int(k),
                covariance_type=t,
                n_init=4,
                tol=1e-6,
                max_iter=1000,
                random_state=0,
            ).fit(holes)
            assert log_likelihood >= direct.score(holes) * len(holes) - 1e-3
    best = incomplete.best_estimator_
    assert_allclose(np.nanmin(values), function(best, holes), rtol=1e-12)
    assert_array_equal(incomplete.predict(holes), best.predict(holes))
    assert_array_equal(incomplete.labels_, best.predict(holes))
    assert np.all(np.isfinite(incomplete.score_samples(holes)))


def test_selector_refuses_a_feature_without_values():
    X, _ = load_faithful()
    X = np.c_[X, np.full(len(X), np.nan)]
    with pytest.raises(ValueError, match=r"Feature\(s\) 2 have no observed value"):
        GaussianMixtureSelector([1, 2], random_state=0).fit(X)
