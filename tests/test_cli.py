"""The command line: python -m skgmm_em and the skgmm-em entry point."""

import csv
import io
import json
import os
import subprocess
import sys
from importlib import resources
from importlib.metadata import entry_points

import numpy as np
import pytest
from sklearn.utils import get_tags

from skgmm_em import GaussianMixture
from skgmm_em._cli import MAX_CSV_BYTES, demo, main
from skgmm_em.datasets import load_faithful
from skgmm_em.model_selection import GaussianMixtureSelector
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

    X, _ = load_faithful()
    direct = GaussianMixture(
        3,
        covariance_type=covariance_type,
        n_init=3,
        random_state=7,
        max_iter=200,
        tol=1e-4,
    ).fit(X)
    # The restarts run one by one for the progress display, yet give the
    # model (parameters and fitted state) of one fit with n_init=3.
    assert json.loads(model.read_text(encoding="utf-8")) == json.loads(
        json.dumps(to_dict(direct))
    )

    header, table = _read_labels(labels)
    assert header == ["label", "p0", "p1", "p2"]
    assert table.shape == (len(X), 4)
    proba = table[:, 1:]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(table[:, 0], direct.predict(X))
    np.testing.assert_allclose(proba, direct.predict_proba(X), rtol=1e-12, atol=0)
    assert f"BIC: {direct.bic(X):.2f}" in captured.out


@pytest.mark.parametrize(
    "n_components, covariance_type, grid, types",
    [
        ("auto", "full", range(1, 11), "full"),
        ("2", "auto", 2, ("full", "tied", "diag", "spherical")),
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
    assert saved["params"]["n_components"] == best.n_components
    assert saved["params"]["covariance_type"] == best.covariance_type
    np.testing.assert_array_equal(saved["fitted"]["means"], best.means_)


def test_fit_auto_prints_the_bic_table(capsys):
    argv = ["fit", FAITHFUL, "--n-components", "2", "--covariance-type", "auto"]
    assert main([*argv, "--n-init", "1"]) == 0
    captured = capsys.readouterr()
    assert "lowest BIC of 4 candidates" in captured.out
    header = next(line for line in captured.out.splitlines() if line.startswith("BIC "))
    assert header.split() == ["BIC", "full", "tied", "diag", "spherical"]
    assert captured.out.count("*") == 1
    # Not a terminal: the selector's line per fitted cell.
    assert "[initializer starts 4/4]" in captured.err


def test_fit_progress_bar_on_a_terminal(monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = ["fit", FAITHFUL, "--n-components", "2", "--n-init", "2"]
    assert main([*argv, "--tol", "0", "--max-iter", "20"]) == 0
    text = terminal.getvalue()
    assert text.startswith("\r[") and text.endswith("\n")
    assert text.count("\n") == 2  # the bar's line, and the non-convergence note
    redraws = text.split("\r")[1:]
    assert "restart 1/2, iteration 0/20" in redraws[0]
    assert "100%  restart 2/2: 20 iterations, did not converge" in text
    assert "did not converge in --max-iter 20" in text
    assert "weight" in capsys.readouterr().out


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
        ("a,b\n1,2\n3,4\n5,7\n", ["--n-components", "4"], "fewer than"),
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
