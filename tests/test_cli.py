"""The command line: python -m skgmm_em and the skgmm-em entry point."""

import io
import subprocess
import sys

import numpy as np

from skgmm_em._cli import demo, main


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
