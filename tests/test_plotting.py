"""The plotting helpers: what they draw, and matplotlib as an optional extra."""

import copy
import subprocess
import sys
import textwrap
import warnings

import matplotlib
import numpy as np
import pytest
from _data import COVARIANCE_TYPES

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture  # noqa: E402

from skgmm_em import GaussianMixture, GaussianMixtureSelector  # noqa: E402
from skgmm_em.datasets import make_mixture  # noqa: E402
from skgmm_em.plotting import (  # noqa: E402
    COLORS,
    plot_3d,
    plot_bic,
    plot_ellipses,
    plot_history,
    plot_uncertainty,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def X2():
    X, _ = make_mixture(
        300,
        [0.5, 0.3, 0.2],
        [[0.0, 0.0], [6.0, 1.0], [2.0, 6.0]],
        [[[2.0, 0.8], [0.8, 1.0]], [[1.0, -0.5], [-0.5, 2.0]], [[0.6, 0], [0, 0.3]]],
        random_state=0,
    )
    return X


@pytest.fixture(scope="module")
def X3():
    X, _ = make_mixture(
        240,
        [0.4, 0.3, 0.3],
        [[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]],
        [
            [[1.0, 0.5, 0.3], [0.5, 2.0, -0.4], [0.3, -0.4, 1.5]],
            np.diag([0.5, 1.0, 2.0]),
            np.diag([2.0, 0.3, 0.7]),
        ],
        random_state=1,
    )
    return X


def _fit(X, covariance_type, n_components=3):
    return GaussianMixture(
        n_components, covariance_type=covariance_type, random_state=0
    ).fit(X)


def _closed_form(cov, n_sigma):
    """Width, height, angle of a 2x2 covariance's ellipse, without eigh."""
    a, b, c = cov[0, 0], cov[0, 1], cov[1, 1]
    half_gap = np.hypot((a - c) / 2, b)
    major, minor = (a + c) / 2 + half_gap, (a + c) / 2 - half_gap
    angle = 0.5 * np.degrees(np.arctan2(2 * b, a - c))
    return 2 * n_sigma * np.sqrt(major), 2 * n_sigma * np.sqrt(minor), angle


def _assert_angle(actual, expected):
    # An ellipse is symmetric under a half turn.
    gap = (actual - expected) % 180.0
    assert min(gap, 180.0 - gap) == pytest.approx(0.0, abs=1e-7)


def _ellipses(ax):
    patches = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(patches) == len(ax.patches)
    return patches


def _n_points(ax):
    return sum(len(c.get_offsets()) for c in ax.collections)


# ----------------------------------------------------------------------
# matplotlib is optional


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_import_does_not_import_matplotlib():
    result = _run(
        """
        import sys
        import skgmm_em.plotting
        assert "matplotlib" not in sys.modules, "matplotlib was imported"
        """
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_missing_matplotlib_names_the_extra():
    result = _run(
        """
        import sys
        sys.modules["matplotlib"] = None  # as if matplotlib were not installed
        import numpy as np
        from skgmm_em import GaussianMixture
        from skgmm_em.plotting import (
            plot_3d, plot_bic, plot_ellipses, plot_history, plot_uncertainty
        )
        from skgmm_em import GaussianMixtureSelector
        X = np.random.RandomState(0).normal(size=(40, 3))
        gm = GaussianMixture(2, random_state=0).fit(X)
        selector = GaussianMixtureSelector(1, covariance_type="EII").fit(X)
        calls = {
            "plot_bic": lambda: plot_bic(selector),
            "plot_ellipses": lambda: plot_ellipses(gm, X),
            "plot_3d": lambda: plot_3d(gm, X),
            "plot_history": lambda: plot_history(gm),
            "plot_uncertainty": lambda: plot_uncertainty(gm, X),
        }
        for name, call in calls.items():
            try:
                call()
            except ImportError as exc:
                assert 'pip install "skgmm_em[plot]"' in str(exc), (name, exc)
            else:
                raise AssertionError(name + " did not raise ImportError")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# ----------------------------------------------------------------------
# plot_ellipses


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("sigmas", [(1, 2), (1, 2, 3), (2,)])
def test_ellipses_count_and_centres(X2, covariance_type, sigmas):
    gm = _fit(X2, covariance_type)
    ax = plot_ellipses(gm, X2, sigmas=sigmas)
    patches = _ellipses(ax)
    assert len(patches) == gm.n_components * len(sigmas)
    centres = np.array([p.center for p in patches])
    np.testing.assert_allclose(centres, np.repeat(gm.means_, len(sigmas), axis=0))
    assert _n_points(ax) == len(X2)


def test_ellipses_full_match_closed_form(X2):
    gm = _fit(X2, "full")
    sigmas = (1, 2)
    patches = _ellipses(plot_ellipses(gm, sigmas=sigmas))
    for i, patch in enumerate(patches):
        k, n_sigma = divmod(i, len(sigmas))
        width, height, angle = _closed_form(gm.covariances_[k], sigmas[n_sigma])
        assert patch.width == pytest.approx(width, rel=1e-10)
        assert patch.height == pytest.approx(height, rel=1e-10)
        _assert_angle(patch.angle, angle)
    # The fitted covariances are not axis-aligned, so the angles are tested.
    angles = np.array([p.angle for p in patches]) % 90
    assert np.all((angles > 1) & (angles < 89))


def test_ellipses_diag_are_axis_aligned(X2):
    gm = _fit(X2, "diag")
    patches = _ellipses(plot_ellipses(gm, sigmas=(2,)))
    for patch, variances in zip(patches, gm.covariances_, strict=True):
        assert patch.width == pytest.approx(2 * 2 * np.sqrt(variances.max()))
        assert patch.height == pytest.approx(2 * 2 * np.sqrt(variances.min()))
        expected = 0.0 if variances[0] >= variances[1] else 90.0
        _assert_angle(patch.angle, expected)


def test_ellipses_spherical_are_circles_tied_are_equal(X2):
    spherical = _ellipses(plot_ellipses(_fit(X2, "spherical"), sigmas=(1,)))
    for patch, variance in zip(
        spherical, _fit(X2, "spherical").covariances_, strict=True
    ):
        assert patch.width == pytest.approx(2 * np.sqrt(variance))
        assert patch.height == pytest.approx(2 * np.sqrt(variance))
    gm = _fit(X2, "tied")
    tied = _ellipses(plot_ellipses(gm, sigmas=(1,)))
    width, height, angle = _closed_form(gm.covariances_, 1)
    for patch in tied:
        assert (patch.width, patch.height) == pytest.approx((width, height))
        _assert_angle(patch.angle, angle)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_ellipses_of_a_feature_pair_use_the_marginal(X3, covariance_type):
    gm = _fit(X3, covariance_type)
    features = (0, 2)
    ax = plot_ellipses(gm, X3, sigmas=(1,), features=features)
    patches = _ellipses(ax)
    for k, patch in enumerate(patches):
        cov = gm.covariances_[k]
        if covariance_type == "diag":
            cov = np.diag(cov)
        marginal = cov[np.ix_(features, features)]
        width, height, angle = _closed_form(marginal, 1)
        assert (patch.width, patch.height) == pytest.approx((width, height))
        _assert_angle(patch.angle, angle)
        np.testing.assert_allclose(patch.center, gm.means_[k, list(features)])
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    np.testing.assert_allclose(
        np.sort(offsets, axis=0), np.sort(X3[:, list(features)], axis=0)
    )


def test_ellipses_colors_follow_the_clusters(X2):
    gm = _fit(X2, "full")
    ax = plot_ellipses(gm, X2, sigmas=(1,))
    labels = gm.predict(X2)
    assert len(ax.collections) == len(np.unique(labels))
    for collection, k in zip(ax.collections, np.unique(labels), strict=True):
        assert len(collection.get_offsets()) == np.sum(labels == k)
        np.testing.assert_allclose(collection.get_offsets(), X2[labels == k][:, [0, 1]])
        np.testing.assert_allclose(
            collection.get_facecolor()[0][:3], to_rgba(COLORS[k])[:3]
        )
    for k, patch in enumerate(ax.patches):
        assert patch.get_edgecolor() == pytest.approx(to_rgba(COLORS[k]))


def test_ellipses_with_given_labels_and_axes(X2):
    gm = _fit(X2, "full")
    labels = np.zeros(len(X2), dtype=int)
    fig, ax = plt.subplots()
    out = plot_ellipses(gm, X2, ax=ax, labels=labels, colors=["black"])
    assert out is ax
    assert len(ax.collections) == 1
    assert len(ax.collections[0].get_offsets()) == len(X2)
    assert all(p.get_edgecolor() == to_rgba("black") for p in ax.patches)


@pytest.mark.parametrize("key", ["color", "edgecolor", "ec"])
def test_ellipses_style_overrides_the_component_color(X2, key):
    # No warning either (warnings are errors here).
    ax = plot_ellipses(_fit(X2, "full"), X2, ellipse_kws={key: "green"})
    assert all(p.get_edgecolor() == to_rgba("green") for p in ax.patches)
    ax = plot_ellipses(_fit(X2, "full"), X2, scatter_kws={"color": "black", "s": 3})
    for collection in ax.collections:
        np.testing.assert_allclose(
            collection.get_facecolor()[0][:3], to_rgba("black")[:3]
        )
        np.testing.assert_allclose(collection.get_sizes(), [3])


def test_ellipses_of_sklearn_model_match(X2):
    theirs = SklearnGaussianMixture(3, random_state=0).fit(X2)
    ax = plot_ellipses(theirs, X2, sigmas=(1,))
    for k, patch in enumerate(_ellipses(ax)):
        width, height, _ = _closed_form(theirs.covariances_[k], 1)
        assert (patch.width, patch.height) == pytest.approx((width, height))


def test_ellipses_reject_bad_features(X2):
    gm = _fit(X2, "full")
    with pytest.raises(ValueError, match="distinct"):
        plot_ellipses(gm, features=(0, 0))
    with pytest.raises(ValueError, match="out of range"):
        plot_ellipses(gm, features=(0, 2))


# ----------------------------------------------------------------------
# plot_3d


def test_plot_3d_colors_blue_red_yellow(X3):
    gm = _fit(X3, "full")
    ax = plot_3d(gm, X3)
    assert ax.name == "3d"
    labels = gm.predict(X3)
    assert _n_points(ax) == len(X3)
    counts = [len(c.get_offsets()) for c in ax.collections]
    assert counts == np.bincount(labels).tolist()
    expected = [to_rgba(c)[:3] for c in ("tab:blue", "tab:red", "gold")]
    actual = [tuple(c.get_facecolor()[0][:3]) for c in ax.collections]
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


def test_plot_3d_labels_and_axes(X3):
    labels = (X3[:, 0] > 2).astype(int)
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    assert plot_3d(labels, X3, ax=ax, colors=["b", "r"]) is ax
    counts = [len(c.get_offsets()) for c in ax.collections]
    assert counts == np.bincount(labels).tolist()
    with pytest.raises(ValueError, match="3-D Axes"):
        plot_3d(labels, X3, ax=plt.subplots()[1])
    with pytest.raises(ValueError, match="shape"):
        plot_3d(labels[:-1], X3)


# ----------------------------------------------------------------------
# plot_history


def test_plot_history_lines_are_the_history(X2):
    gm = _fit(X2, "full")
    assert gm.n_iter_ > 2
    ax_ll, ax_change = plot_history(gm)
    iterations = np.arange(1, gm.n_iter_ + 1)
    assert len(ax_ll.lines) == 1
    np.testing.assert_array_equal(ax_ll.lines[0].get_xdata(), iterations)
    np.testing.assert_array_equal(
        ax_ll.lines[0].get_ydata(), gm.history_["log_likelihood"]
    )
    assert len(ax_change.lines) == 3
    assert ax_change.get_yscale() == "log"
    keys = ["weights_change", "means_change", "covariances_change"]
    for line, key in zip(ax_change.lines, keys, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), iterations)
        np.testing.assert_array_equal(line.get_ydata(), gm.history_[key])
        assert line.get_label() == key.split("_")[0]


def test_plot_history_given_axes_and_sklearn_model(X2):
    gm = _fit(X2, "diag")
    fig, axes = plt.subplots(2, 1)
    out = plot_history(gm, axes=axes)
    assert out[0] is axes[0] and out[1] is axes[1]
    theirs = SklearnGaussianMixture(3, random_state=0).fit(X2)
    with pytest.raises(TypeError, match="history_"):
        plot_history(theirs)


# ----------------------------------------------------------------------
# plot_uncertainty


def test_plot_uncertainty_is_one_minus_max_responsibility(X3):
    gm = _fit(X3, "full")
    features = (1, 2)
    ax = plot_uncertainty(gm, X3, features=features)
    assert len(ax.collections) == 1
    points = ax.collections[0]
    np.testing.assert_allclose(points.get_offsets(), X3[:, list(features)])
    uncertainty = 1 - gm.predict_proba(X3).max(axis=1)
    np.testing.assert_allclose(points.get_array(), uncertainty)
    sizes = points.get_sizes()
    assert len(sizes) == len(X3)
    order = np.argsort(uncertainty)
    assert np.all(np.diff(sizes[order]) >= 0)
    assert sizes.max() > sizes.min()
    assert len(ax.figure.axes) == 2  # the colorbar


def test_plot_uncertainty_given_axes_without_colorbar(X2):
    gm = _fit(X2, "spherical")
    fig, ax = plt.subplots()
    assert plot_uncertainty(gm, X2, ax=ax, colorbar=False) is ax
    assert len(fig.axes) == 1


def test_lists_are_accepted(X3):
    gm = _fit(X3, "full")
    rows = X3.tolist()
    assert _n_points(plot_ellipses(gm, rows)) == len(X3)
    assert _n_points(plot_3d(gm, rows)) == len(X3)
    assert _n_points(plot_uncertainty(gm, rows)) == len(X3)


# ----------------------------------------------------------------------
# feature names (a model fit on a DataFrame) and iteration ticks


@pytest.fixture(scope="module")
def iris_frame():
    pd = pytest.importorskip("pandas")
    from sklearn.datasets import load_iris

    data = load_iris()
    return pd.DataFrame(data.data, columns=data.feature_names)


def test_plots_use_and_accept_feature_names(iris_frame):
    gm = GaussianMixture(3, random_state=0).fit(iris_frame)
    names = ("petal length (cm)", "petal width (cm)")
    by_name = plot_ellipses(gm, iris_frame, features=names)
    assert (by_name.get_xlabel(), by_name.get_ylabel()) == names
    # The same picture as by index.
    by_index = plot_ellipses(gm, iris_frame, features=(2, 3))
    for a, b in zip(_ellipses(by_name), _ellipses(by_index), strict=True):
        np.testing.assert_array_equal(a.center, b.center)
        assert (a.width, a.height, a.angle) == (b.width, b.height, b.angle)
    assert (by_index.get_xlabel(), by_index.get_ylabel()) == names

    ax = plot_uncertainty(gm, iris_frame, features=("sepal width (cm)", 2))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("sepal width (cm)", names[0])
    ax3 = plot_3d(gm, iris_frame, features=(names[1], 0, "sepal width (cm)"))
    assert (ax3.get_xlabel(), ax3.get_ylabel(), ax3.get_zlabel()) == (
        names[1],
        "sepal length (cm)",
        "sepal width (cm)",
    )
    # Labels from the columns of X when the model is given as labels.
    ax3 = plot_3d(gm.predict(iris_frame), iris_frame, features=names + (0,))
    assert ax3.get_xlabel() == names[0]


def test_feature_names_that_are_not_features(iris_frame, X2):
    gm = GaussianMixture(3, random_state=0).fit(iris_frame)
    with pytest.raises(ValueError, match="which is not a feature"):
        plot_ellipses(gm, iris_frame, features=("petal", 0))
    plain = _fit(X2, "full")
    with pytest.raises(ValueError, match="has no feature names"):
        plot_ellipses(plain, X2, features=("a", "b"))
    with pytest.raises(ValueError, match="a sequence of 2 columns"):
        plot_ellipses(plain, X2, features="ab")
    # Without names, axes keep their index labels.
    ax = plot_ellipses(plain, X2)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")


def test_history_ticks_are_whole_iterations(X2):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm = GaussianMixture(3, random_state=0, tol=0, max_iter=3).fit(X2)
    for ax in plot_history(gm):
        ax.figure.canvas.draw()
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


# ----------------------------------------------------------------------
# plot_bic


@pytest.fixture(scope="module")
def selection(X2):
    return GaussianMixtureSelector(
        n_components=[1, 2, 3, 4],
        covariance_type=["EII", "full", "VVE"],
        n_init=1,
        random_state=0,
    ).fit(X2)


def test_bic_lines_are_the_table(selection):
    ax = plot_bic(selection)
    table = np.asarray(selection.bic_table())
    lines = ax.lines[:3]
    assert [line.get_label() for line in lines] == ["EII", "full", "VVE"]
    for j, line in enumerate(lines):
        assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
        assert_allclose(line.get_ydata(), table[:, j])
    assert len({line.get_marker() for line in lines}) == 3
    # The best cell is circled: the lowest BIC in scikit-learn's sign.
    circle = ax.lines[3]
    row, col = np.unravel_index(np.nanargmin(table), table.shape)
    assert (circle.get_xdata()[0], circle.get_ydata()[0]) == (row + 1, table[row, col])
    assert ax.get_xlabel() == "number of components"
    assert ax.get_ylabel() == "BIC (lower is better)"
    assert ax.get_legend() is not None


def test_bic_in_mclust_sign(selection):
    ax = plot_bic(selection, mclust_sign=True)
    table = np.asarray(selection.bic_table(mclust_sign=True))
    assert_allclose(ax.lines[1].get_ydata(), table[:, 1])
    assert ax.lines[3].get_ydata()[0] == np.nanmax(table)
    assert ax.get_ylabel() == "BIC (mclust's sign: higher is better)"


def test_bic_of_some_models_on_given_axes(selection):
    _, ax = plt.subplots()
    assert plot_bic(selection, ax=ax, models="VVE", legend=False) is ax
    assert [line.get_label() for line in ax.lines[:1]] == ["VVE"]
    assert len(ax.lines) == 2 and ax.get_legend() is None
    with pytest.raises(ValueError, match="models must name"):
        plot_bic(selection, models=["VVV"])
    with pytest.raises(ValueError, match="models must name"):
        plot_bic(selection, models=[])


def test_bic_without_a_fit_leaves_a_gap(selection):
    results = dict(selection.results_)
    results["bic"] = results["bic"].copy()
    results["bic"][3 * 2 + 1] = np.nan  # full with 3 components: mclust's NA
    holed = copy.copy(selection)
    holed.results_ = results
    ydata = np.asarray(plot_bic(holed).lines[1].get_ydata(), dtype=float)
    assert np.isnan(ydata[2]) and np.all(np.isfinite(ydata[[0, 1, 3]]))


def test_bic_ticks_are_whole_numbers(selection):
    ax = plot_bic(selection)
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
