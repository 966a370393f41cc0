"""GaussianMixtureImputer: NaN filled with their conditional expectation under
the fitted mixture.
"""

import numpy as np
import pytest
from _data import with_missing_values as _incomplete
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from skgmm_em import GaussianMixtureImputer


def test_imputer_beats_mean_and_iterative_imputation():
    X, Xm, mask, _ = _incomplete(2000, fraction=0.2, seed=5)

    def rmse(filled):
        return np.sqrt(np.mean((filled[mask] - X[mask]) ** 2))

    ours = rmse(GaussianMixtureImputer(3, random_state=0, n_init=2).fit_transform(Xm))
    mean = rmse(SimpleImputer(strategy="mean").fit_transform(Xm))
    iterative = rmse(IterativeImputer(random_state=0, max_iter=25).fit_transform(Xm))
    assert ours < mean
    assert ours <= iterative
    assert not np.isnan(
        GaussianMixtureImputer(3, random_state=0).fit_transform(Xm)
    ).any()


def test_imputer_in_a_pipeline_and_leaves_observed_values():
    X, Xm, mask, _ = _incomplete(500)
    target = X @ [1.0, -2.0, 0.5]
    pipe = make_pipeline(GaussianMixtureImputer(2, random_state=0), LinearRegression())
    pipe.fit(Xm, target)
    assert pipe.score(Xm, target) > 0.9
    filled = GaussianMixtureImputer(2, random_state=0).fit(Xm).transform(Xm)
    np.testing.assert_array_equal(filled[~mask], Xm[~mask])
    assert filled.shape == Xm.shape


def test_imputer_names_its_output_features_and_sets_pandas_output():
    pd = pytest.importorskip("pandas")
    from sklearn.preprocessing import StandardScaler

    _, X, _, _ = _incomplete(400)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    imputer = GaussianMixtureImputer(3, random_state=0).fit(frame)
    reference = SimpleImputer().fit(frame)
    assert list(imputer.get_feature_names_out()) == ["a", "b", "c"]
    assert list(
        GaussianMixtureImputer(2, random_state=0).fit(X).get_feature_names_out()
    ) == list(SimpleImputer().fit(X).get_feature_names_out())
    assert list(imputer.get_feature_names_out()) == list(
        reference.get_feature_names_out()
    )

    pipe = make_pipeline(GaussianMixtureImputer(3, random_state=0), StandardScaler())
    out = pipe.set_output(transform="pandas").fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b", "c"] and out.index.equals(frame.index)
    plain = make_pipeline(GaussianMixtureImputer(3, random_state=0), StandardScaler())
    np.testing.assert_allclose(
        out.to_numpy(), plain.fit_transform(X), rtol=1e-12, atol=1e-12
    )
