"""The command line: python -m skgmm_em and the skgmm-em entry point."""

import csv
import io
import json
import os
import re
import subprocess
import sys
import warnings
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags

import skgmm_em
from skgmm_em import GaussianMixture, load
from skgmm_em._cli import MAX_CSV_BYTES, demo, main
from skgmm_em.datasets import load_faithful
from skgmm_em.model_selection import MCLUST_MODELS, GaussianMixtureSelector
from skgmm_em.persistence import to_dict

FAITHFUL = str(resources.files("skgmm_em") / "data" / "faithful.csv")


def test_demo_prints_true_and_estimated_parameters():
    out = io.StringIO()
    gm = demo(n_samples=2000, random_state=0, out=out)
    text = out.getvalue()
    assert "weight" in text and "mean" in text and "covariance" in text
    assert f"EM iterations: {gm.n_iter_}" in text and "log-likelihood" in text
    big = int(np.argmax(gm.weights_))
    np.testing.assert_allclose(gm.means_[big], [3, 5], atol=0.3)


@pytest.mark.slow
def test_python_dash_m_demo_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skgmm_em", "demo", "--n-samples", "500"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "true" in result.stdout and "estimated" in result.stdout


def test_bad_arguments_exit_with_status_2(capsys):
    assert main(["demo", "--n-samples", "1"]) == 2
    assert "at least 2" in capsys.readouterr().err


# ----------------------------------------------------------------------
# skgmm-em fit


def _read_labels(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=float)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_skgmm_em_command_runs_main():
    (entry_point,) = entry_points(group="console_scripts", name="skgmm-em")
    assert entry_point.load() is main


@pytest.mark.slow
def test_fit_entry_point_on_faithful(tmp_path):
    labels, model, plot = tmp_path / "l.csv", tmp_path / "m.json", tmp_path / "p.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skgmm_em",
            "fit",
            FAITHFUL,
            "--n-components",
            "2",
            "--n-init",
            "2",
            "--out",
            str(labels),
            "--model",
            str(model),
            "--plot",
            str(plot),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for word in ("weight", "mean eruptions", "log-likelihood", "BIC", "converged"):
        assert word in result.stdout
    # stderr is a pipe, not a terminal: one plain progress line per restart.
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["restart 1/2", "restart 2/2"]
    assert "\r" not in result.stderr
    header, table = _read_labels(labels)
    assert header == ["label", "p0", "p1"] and table.shape == (272, 3)
    assert json.loads(model.read_text(encoding="utf-8"))["fitted"]["n_features_in"] == 2
    assert plot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_fit_outputs_match_a_direct_fit(tmp_path, capsys, covariance_type):
    labels, model = tmp_path / "labels.csv", tmp_path / "model.json"
    argv = ["fit", FAITHFUL, "--n-components", "3", "--covariance-type"]
    argv += [covariance_type, "--n-init", "3", "--random-state", "7"]
    argv += ["--max-iter", "200", "--tol", "1e-4"]
    assert main([*argv, "--out", str(labels), "--model", str(model)]) == 0
    captured = capsys.readouterr()
    assert "3 components" in captured.out

    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(FAITHFUL)
    X = frame.to_numpy()
    direct = GaussianMixture(
        3,
        covariance_type=covariance_type,
        n_init=3,
        random_state=7,
        max_iter=200,
        tol=1e-4,
    ).fit(frame)
    # The model (parameters, fitted state and the CSV's column names) of one
    # fit with n_init=3 of the file read by pandas.
    assert json.loads(model.read_text(encoding="utf-8")) == json.loads(
        json.dumps(to_dict(direct))
    )
    loaded = load(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "fitted without feature names"
        np.testing.assert_array_equal(loaded.predict(frame), direct.predict(frame))

    header, table = _read_labels(labels)
    assert header == ["label", "p0", "p1", "p2"]
    assert table.shape == (len(X), 4)
    proba = table[:, 1:]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(table[:, 0], direct.predict(frame))
    np.testing.assert_allclose(proba, direct.predict_proba(frame), rtol=1e-12, atol=0)
    assert f"BIC: {direct.bic(frame):.2f}" in captured.out


@pytest.mark.parametrize(
    "n_components, covariance_type, grid, types",
    [
        pytest.param("auto", "full", range(1, 11), "full", marks=pytest.mark.slow),
        ("2", "auto", 2, ("full", "tied", "diag", "spherical")),
        ("2", "mclust", 2, MCLUST_MODELS),
    ],
)
def test_fit_auto_selects_by_bic_with_the_selector(
    tmp_path, capsys, n_components, covariance_type, grid, types
):
    model = tmp_path / "model.json"
    argv = ["fit", FAITHFUL, "--n-components", n_components]
    argv += ["--covariance-type", covariance_type, "--n-init", "1", "--quiet"]
    argv += ["--tol", "1e-3", "--max-iter", "50"]
    assert main([*argv, "--model", str(model)]) == 0
    assert capsys.readouterr().out == ""

    X, _ = load_faithful()
    selector = GaussianMixtureSelector(
        grid,
        covariance_type=types,
        criterion="bic",
        n_init=1,
        tol=1e-3,
        max_iter=50,
        random_state=0,
    ).fit(X)
    saved = json.loads(model.read_text(encoding="utf-8"))
    best = selector.best_estimator_
    # The chosen fit, with the parameters a user would write: no start
    # (means_init, ...), seed or iteration budget of the selector's own.
    assert saved["params"] == json.loads(
        json.dumps(
            to_dict(
                GaussianMixture(
                    best.n_components,
                    covariance_type=best.covariance_type,
                    n_init=1,
                    tol=1e-3,
                    max_iter=50,
                    random_state=0,
                ).fit(X)
            )["params"]
        )
    )
    np.testing.assert_array_equal(saved["fitted"]["means"], best.means_)
    loaded = load(model)
    # repr wraps long lines where the type's name makes them long.
    assert " ".join(repr(loaded).split()) == (
        f"GaussianMixture(covariance_type={best.covariance_type!r}, max_iter=50, "
        f"n_components={best.n_components}, random_state=0)"
    ).replace("covariance_type='full', ", "")
    assert list(loaded.feature_names_in_) == ["eruptions", "waiting"]
    frame = pytest.importorskip("pandas").read_csv(FAITHFUL)
    np.testing.assert_array_equal(loaded.predict(frame), selector.predict(X))
    np.testing.assert_allclose(
        loaded.predict_proba(frame), selector.predict_proba(X), rtol=1e-12, atol=1e-15
    )
    assert_same_fitted_state(loaded, best)


def assert_same_fitted_state(model, reference):
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_array_equal(getattr(model, name), getattr(reference, name))
    for name in ("converged_", "n_iter_", "lower_bound_"):
        assert getattr(model, name) == getattr(reference, name)


def test_fit_auto_prints_the_bic_table(capsys):
    argv = ["fit", FAITHFUL, "--n-components", "2", "--covariance-type", "auto"]
    assert main([*argv, "--n-init", "1"]) == 0
    captured = capsys.readouterr()
    assert "lowest BIC of 4 candidates" in captured.out
    header = next(line for line in captured.out.splitlines() if line.startswith("BIC "))
    assert header.split() == ["BIC", "full", "tied", "diag", "spherical"]
    assert captured.out.count("*") == 1
    # Not a terminal: one line per model tried, with its BIC.
    lines = captured.err.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [
        "k=2 diag",
        "k=2 full",
        "k=2 spherical",
        "k=2 tied",
    ]
    assert all(re.fullmatch(r"k=2 \w+: BIC \d+\.\d\d", line) for line in lines)


def test_fit_mclust_prints_the_bic_table_in_blocks(capsys):
    argv = ["fit", FAITHFUL, "--n-components", "2", "--covariance-type", "mclust"]
    assert main([*argv, "--n-init", "1", "--max-iter", "50"]) == 0
    out = capsys.readouterr().out
    assert "lowest BIC of 14 candidates" in out
    headers = [line.split()[1:] for line in out.splitlines() if line.startswith("BIC ")]
    assert headers == [list(MCLUST_MODELS[:7]), list(MCLUST_MODELS[7:])]
    assert out.count("*") == 1


def test_fit_takes_mclust_names(capsys):
    argv = ["fit", FAITHFUL, "--n-components", "2", "--covariance-type", "VVE"]
    assert main([*argv, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["fit", FAITHFUL, "--covariance-type", "VVX"]) == 2
    assert "invalid choice: 'VVX'" in capsys.readouterr().err


@pytest.mark.slow
def test_fit_auto_on_a_pipe_prints_one_line_per_model(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skgmm_em", "fit", FAITHFUL, "--n-components"]
        + ["auto", "--n-init", "1", "--max-iter", "50"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "note:" not in line]
    assert [line.split(":")[0] for line in lines] == [
        f"k={k} full" for k in range(1, 11)
    ]
    assert "\r" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _percentages(text):
    redraws = text.split("\r")[1:]
    return [int(re.match(r"\[[#.]+\] +(\d+)%", r).group(1)) for r in redraws]


def test_fit_progress_bar_on_a_terminal(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = ["fit", FAITHFUL, "--n-components", "2", "--n-init", "2"]
    assert main([*argv, "--tol", "0", "--max-iter", "20"]) == 0
    text = terminal.getvalue()
    assert text.startswith("\r[") and text.endswith("\n")
    assert text.count("\n") == 2  # the bar's line, and the non-convergence note
    redraws = text.split("\r")[1:]
    assert "  0%  restart 1/2" in redraws[0]
    assert "100%  restart 2/2: 20 iterations, did not converge" in text
    percentages = _percentages(text)
    assert percentages == sorted(percentages) and percentages[-1] == 100
    assert "did not converge in --max-iter 20" in text
    assert "weight" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("covariance_type", ["full", "auto"])
def test_fit_auto_progress_bar_never_goes_back(monkeypatch, capsys, covariance_type):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = ["fit", FAITHFUL, "--n-components", "auto", "--covariance-type"]
    argv += [covariance_type, "--n-init", "1", "--max-iter", "30"]
    assert main(argv) == 0
    text = terminal.getvalue()
    percentages = _percentages(text)
    assert len(percentages) > 5
    assert percentages == sorted(percentages), percentages
    assert percentages[0] == 0 and percentages[-1] == 100
    assert text.count("\n") == 1 + text.count("note:")
    assert "lowest BIC" in capsys.readouterr().out


def test_fit_quiet_prints_nothing(tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    assert main(["fit", FAITHFUL, "--quiet", "--out", str(labels)]) == 0
    assert capsys.readouterr() == ("", "")
    header, table = _read_labels(labels)
    assert header == ["label", "p0"]
    np.testing.assert_array_equal(table, np.ones((272, 2)) * [0, 1])


def test_fit_columns_by_name_index_and_without_header(tmp_path, capsys):
    X, _ = load_faithful()
    rows = "\n".join(f"e{i},{a},{b},{a + b}" for i, (a, b) in enumerate(X))
    with_header = _write(tmp_path / "h.csv", "id,eruptions,waiting,total\n" + rows)
    no_header = _write(tmp_path / "n.csv", "\n".join(f"{a},{b},{a + b}" for a, b in X))
    for path, columns in [
        (with_header, "waiting,eruptions"),
        (with_header, "2,1"),
        (no_header, "1,0"),
    ]:
        model = tmp_path / "model.json"
        argv = ["fit", path, "--columns", columns, "--n-components", "2"]
        assert main([*argv, "--model", str(model)]) == 0
        saved = json.loads(model.read_text(encoding="utf-8"))
        direct = GaussianMixture(2, random_state=0).fit(X[:, ::-1])
        np.testing.assert_array_equal(saved["fitted"]["means"], direct.means_)

    captured = capsys.readouterr()
    assert "columns waiting, eruptions" in captured.out
    assert "columns 1, 0" in captured.out

    # Every column: the text column "id" is dropped with a note.
    assert main(["fit", with_header]) == 0
    captured = capsys.readouterr()
    assert "columns eruptions, waiting, total" in captured.out
    assert "note: dropped the non-numeric column 'id'" in captured.err


def test_fit_reads_quoted_headers_and_blank_lines(tmp_path, capsys):
    path = _write(tmp_path / "q.csv", '\ufeff"x","y"\n1,2\n\n2,1\n3,3\n4,5\n')
    assert main(["fit", path]) == 0
    assert "4 rows, columns x, y" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, argv, message",
    [
        (None, [], "no such file"),
        ("", [], "is empty"),
        ("a,b\n", [], "no data rows"),
        ("name,city\nann,rome\nbob,oslo\n", [], "no numeric column"),
        ("a,b\n1,2\n", [], "at least 2 needed"),
        ("a,b\n1,2\n3,4\n5,7\n", ["--n-components", "4"], "use at most 3"),
        ("a,b\n1,2\n1,2\n5,7\n", ["--n-components", "3"], "(2 distinct)"),
        ("a,b\n1,2\n3,-inf\n5,7\n", [], "line 3, column 'b': infinite"),
        ("a,b\n1,2\n3,4,5\n", [], "line 3: 3 fields"),
        ("a,b\n1,2\n3,4\n", ["--columns", "c"], "no such column"),
        ("a,b\n1,2\n3,4\n", ["--columns", "a,a"], "twice"),
        ("1,2\n3,4\n", ["--columns", "2"], "out of range"),
        ("1,2\n3,4\n", ["--columns", "a"], "no header"),
        ("a,b\n1,2\n3,4\n", ["--columns", "a", "--plot", "p.png"], "two numeric"),
        ("a,b\n1,2\n3,4\n", ["--out", "missing/l.csv"], "does not exist"),
        ("a,b\n1,2\n3,4\n", ["--n-components", "0"], "--n-components"),
        ("a,b\n1,2\n3,4\n", ["--n-components", "two"], "'auto'"),
        ("a,b\n1,2\n3,4\n", ["--covariance-type", "round"], "invalid choice"),
        ("a,b\n1,2\n3,4\n", ["--tol", "-1"], "--tol"),
        ("a,b\n1,2\n3,4\n", ["--tol", "nan"], "--tol"),
        ("a,b\n1,2\n3,4\n", ["--max-iter", "0"], "--max-iter"),
        ("a,b\n1,2\n3,4\n", ["--n-init", "x"], "--n-init"),
        ("a,b\n1,2\n3,4\n", ["--random-state", "-1"], "--random-state"),
        ("a,b\n1,2\n3,4\n", ["--columns", ","], "--columns"),
        ("a,b\n1,2\n3,4\n", ["--bogus"], "unrecognized arguments"),
    ],
)
def test_fit_bad_input_is_one_line_and_status_2(
    tmp_path, monkeypatch, capsys, content, argv, message
):
    monkeypatch.chdir(tmp_path)
    path = "data.csv"
    if content is not None:
        _write(tmp_path / path, content)
    assert main(["fit", path, *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("skgmm-em") and "error: " in lines[0]
    assert message in lines[0]
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--out", "l.csv", "--plot", "p.xyz"], "--plot p.xyz: unknown image format"),
        (["--out", "l.csv", "--plot", "p"], "--plot p: no file extension"),
        (["--out", "l.csv", "--plot", "missing/p.png"], "does not exist"),
        (["--out", "l.csv", "--model", "folder"], "is a folder"),
        (["--out", "data.csv"], "--out data.csv is the input file"),
        (["--out", "l.csv", "--model", "link.csv"], "is the input file"),
        (["--model", "hard.csv"], "--model hard.csv is the input file"),
        (["--out", "x.json", "--model", "x.json"], "are the same file"),
        (["--out", "l.csv", "--model", "folder/../l.csv"], "are the same file"),
        (["--out", "l.csv", "--n-components", "300"], "use at most 256"),
        (["--out", "/dev/full", "--model", "m.json"], "cannot write /dev/full"),
    ],
)
def test_fit_user_errors_write_nothing(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_bytes(Path(FAITHFUL).read_bytes())
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.csv").symlink_to("data.csv")
    os.link(tmp_path / "data.csv", tmp_path / "hard.csv")
    before = sorted(p.name for p in tmp_path.iterdir())
    data = (tmp_path / "data.csv").read_bytes()
    assert main(["fit", "data.csv", "--quiet", *argv]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skgmm-em: error: "), lines
    assert message in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not any((tmp_path / "folder").iterdir())
    assert (tmp_path / "data.csv").read_bytes() == data


def test_fit_outputs_replace_files_and_write_devices(tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    labels.write_text("old", encoding="utf-8")
    argv = ["fit", FAITHFUL, "--n-components", "2", "--quiet"]
    assert main([*argv, "--out", str(labels), "--model", os.devnull]) == 0
    header, table = _read_labels(labels)
    assert header == ["label", "p0", "p1"] and table.shape == (272, 3)
    assert not [p for p in tmp_path.iterdir() if p.name != "labels.csv"]


@pytest.mark.slow
def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"skgmm-em {skgmm_em.__version__}\n"
    assert main(["fit", "--help"]) == 0
    assert "--n-components" in capsys.readouterr().out
    result = subprocess.run(
        [sys.executable, "-m", "skgmm_em", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout.split()) == (
        0,
        ["skgmm-em", skgmm_em.__version__],
    )


@pytest.mark.slow
def test_fit_auto_with_missing_values(tmp_path, capsys):
    X, _ = load_faithful()
    holes = X.copy()
    holes[3, 1] = holes[10, 0] = holes[40, 1] = np.nan
    lines = [
        ",".join("" if np.isnan(v) else repr(float(v)) for v in row) for row in holes
    ]
    path = _write(tmp_path / "holes.csv", "eruptions,waiting\n" + "\n".join(lines))
    model, labels = tmp_path / "model.json", tmp_path / "labels.csv"
    # A loose tol keeps the 10 cells' EM on incomplete rows short.
    argv = ["fit", path, "--n-components", "auto", "--n-init", "1", "--tol", "1e-2"]
    argv += ["--max-iter", "20", "--out", str(labels), "--model", str(model)]
    assert main(argv) == 0, capsys.readouterr().err
    assert "3 missing value(s) in 3 row(s)" in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        selector = GaussianMixtureSelector(
            range(1, 11),
            covariance_type="full",
            n_init=1,
            tol=1e-2,
            max_iter=20,
            random_state=0,
        ).fit(holes)
    loaded = load(model)
    assert_same_fitted_state(loaded, selector.best_estimator_)
    _, table = _read_labels(labels)
    np.testing.assert_array_equal(table[:, 0], selector.predict(holes))
    np.testing.assert_allclose(
        table[:, 1:], selector.predict_proba(holes), rtol=1e-12, atol=1e-15
    )


def test_fit_prints_numbers_rounded_to_what_they_mean(tmp_path, capsys):
    # Means to three significant digits of the column's spread, weights to
    # three decimals: no float noise such as 0.245999.
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0.246, 0.01, (50, 2)), rng.normal(1.0, 0.01, (50, 2))]
    path = _write(
        tmp_path / "d.csv",
        "a,b\n" + "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in X),
    )
    assert main(["fit", path, "--n-components", "2"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line[:9].strip().isdigit()]
    gm = GaussianMixture(2, random_state=0).fit(X)
    assert len(rows) == 2
    for k, row in enumerate(rows):
        assert row[1] == f"{gm.weights_[k]:.3f}"
        # spread about 0.38: three decimals
        assert row[2:] == [f"{m:.3f}" for m in gm.means_[k]]


def test_fit_missing_values_follow_the_estimator(tmp_path, capsys):
    X, _ = load_faithful()
    lines = [f"{a},{b}" for a, b in X]
    lines[3] = f"{X[3, 0]},"  # an empty cell
    lines[10] = f"NA,{X[10, 1]}"
    path = _write(tmp_path / "holes.csv", "eruptions,waiting\n" + "\n".join(lines))
    labels = tmp_path / "labels.csv"
    status = main(["fit", path, "--n-components", "2", "--out", str(labels)])
    captured = capsys.readouterr()
    if not get_tags(GaussianMixture()).input_tags.allow_nan:
        assert status == 2 and "missing values are not supported" in captured.err
        return
    # The estimator fits incomplete rows: every row gets a label.
    assert status == 0, captured.err
    assert "2 missing value(s) in 2 row(s)" in captured.err
    _, table = _read_labels(labels)
    assert table.shape == (len(X), 3)
    np.testing.assert_allclose(table[:, 1:].sum(axis=1), 1.0, rtol=0, atol=1e-12)
    holes = X.copy()
    holes[3, 1] = holes[10, 0] = np.nan
    direct = GaussianMixture(2, random_state=0).fit(holes)
    np.testing.assert_allclose(table[:, 1:], direct.predict_proba(holes), rtol=1e-12)


def test_fit_without_matplotlib_names_the_plot_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    plot = tmp_path / "p.png"
    assert main(["fit", FAITHFUL, "--plot", str(plot)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and 'pip install "skgmm_em[plot]"' in lines[0]
    assert not plot.exists()


def test_fit_that_fails_is_one_line_and_status_1(tmp_path, capsys):
    # A constant column without regularization: the covariance is singular.
    path = _write(tmp_path / "c.csv", "a,b\n1,5\n2,5\n3,5\n4,5\n")
    assert main(["fit", path, "--reg-covar", "0"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "fit failed" in lines[0] and "reg_covar" in lines[0]


def test_bad_command_line_is_one_line(capsys):
    assert main([]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert main(["fit"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "required: data" in err


def _cli_page_transcripts():
    """The ``$ skgmm-em ...`` transcripts of docs/cli.md: (command, output)."""
    page = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    blocks = re.findall(r"```text\n(\$ skgmm-em .*?)```", page.read_text("utf-8"), re.S)
    assert len(blocks) >= 3
    return [tuple(block.split("\n", 1)) for block in blocks]


@pytest.mark.slow
@pytest.mark.parametrize("command, expected", _cli_page_transcripts())
def test_cli_page_shows_real_runs(tmp_path, command, expected):
    # Run as the page says, in a folder holding the bundled faithful.csv:
    # stderr before stdout (both unbuffered), or stdout alone with 2>/dev/null.
    (tmp_path / "faithful.csv").write_bytes(Path(FAITHFUL).read_bytes())
    words = command.split()[2:]
    quiet_stderr = words[-1] == "2>/dev/null"
    if quiet_stderr:
        words = words[:-1]
    result = subprocess.run(
        [sys.executable, "-u", "-m", "skgmm_em", *words],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    shown = result.stdout if quiet_stderr else result.stderr + result.stdout
    assert shown == expected


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link", "oversized"])
def test_fit_refuses_a_fifo_a_device_and_an_oversized_file(kind, tmp_path):
    # Refused at once (a child process with a time limit: a FIFO would
    # block and /dev/zero would be read forever), in one line, status 2.
    path = tmp_path / "data.csv"
    if kind == "fifo":
        os.mkfifo(path)
        expected = "is a FIFO (named pipe), not a regular file"
    elif kind == "dev-zero-link":
        os.symlink("/dev/zero", path)
        expected = "is a character device, not a regular file"
    else:
        with open(path, "wb") as file:
            file.truncate(MAX_CSV_BYTES + 1)  # sparse: nothing to read
        expected = "larger than the limit"
    result = subprocess.run(
        [sys.executable, "-m", "skgmm_em", "fit", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("skgmm-em: error: cannot read ")
    assert expected in result.stderr
