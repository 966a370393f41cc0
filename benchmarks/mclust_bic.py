"""GaussianMixtureSelector over mclust's fourteen models against mclust's BIC.

For every reference data set of ``tests/data/mclust`` (faithful, iris, wine,
blobs3, mix5d: the data exactly as R read them) and both priors (none, and
mclust's default conjugate prior, ``prior='conjugate'`` here), the selector
fits mclust's grid, ``covariance_type=MCLUST_MODELS`` and ``n_components``
1 to 9, with its defaults and ``random_state=0``, and every cell's BIC is
compared with that of R mclust 6.0's ``mclustBIC`` (``bic.csv``; the R
script that wrote it is beside it).

Signs: mclust's BIC is ``2 log L - p log n`` (higher is better), the
selector's ``-2 log L + p log n``; the comparison is in mclust's sign. A
cell is *worse* when its BIC is below mclust's by more than 0.5 (a cell
where mclust has a BIC and the selector none counts as worse; cells where
mclust has none, ``NA``, are skipped). A worse cell is *short of the
mode* when EM started at mclust's own estimate of the cell and run to
convergence ends within 0.5 of our BIC: with a prior EM climbs the posterior,
not the likelihood, and mclust's BIC is that of the iterate where its
tolerance (1e-5) stopped, short of the posterior mode that the selector
reaches (``tests/_mclust_bic.py``). ``largest`` is the largest
difference mclust minus ours (negative: every cell at least as good as
mclust's); ``choice`` is the selector's best cell, ``ok`` when it is
mclust's or has a better BIC than mclust's best.

Usage::

    python benchmarks/mclust_bic.py [--datasets faithful iris ...]
        [--priors none default] [--n-jobs 1] [--cells]

``--cells`` also lists every worse cell, with the BIC at the mode
(mclust's estimate continued) relative to ours. The full run (five data sets, two
priors, 1260 cells) takes tens of minutes; the times are wall-clock.
"""

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from skgmm_em import MCLUST_MODELS, GaussianMixtureSelector  # noqa: E402
from tests import _mclust, _mclust_bic  # noqa: E402


def select(dataset, prior, n_jobs):
    """The selector fit on ``dataset`` over mclust's grid, and its seconds."""
    X = _mclust.data(dataset)
    params = {"prior": _mclust_bic.PRIORS[prior]} if prior != "none" else {}
    selector = GaussianMixtureSelector(
        n_components=range(1, 10),
        covariance_type=MCLUST_MODELS,
        random_state=0,
        n_jobs=n_jobs,
        **params,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        selector.fit(X)
    return selector, time.perf_counter() - start


def _cell(cell):
    return f"{cell[0]},{cell[1]}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=_mclust.datasets())
    parser.add_argument("--priors", nargs="+", default=["none", "default"])
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--cells", action="store_true")
    args = parser.parse_args(argv)

    header = (
        "| data set | prior | cells | worse | of which short of the mode | "
        "largest (cell) | choice | mclust's | ok | seconds |\n" + "|---" * 10 + "|"
    )
    rows, details = [], []
    for dataset in args.datasets:
        for prior in args.priors:
            selector, seconds = select(dataset, prior, args.n_jobs)
            result = _mclust_bic.compare(selector, dataset, prior)
            cell, gap = result.largest
            rows.append(
                f"| {dataset} | {prior} | {len(result.gaps)} | "
                f"{len(result.worse)} | {len(result.short_of_the_mode)} | "
                f"{gap:+.2f} ({_cell(cell)}) | "
                f"{_cell(result.chosen)} {result.chosen_bic:.1f} | "
                f"{_cell(result.mclust_chosen)} {result.mclust_bic:.1f} | "
                f"{'yes' if result.choice_ok else 'NO'} | {seconds:.0f} |"
            )
            print(rows[-1], flush=True)
            for worse, gap in sorted(result.worse.items(), key=lambda c: -c[1]):
                mclust_bic = _mclust.bic_table(dataset, prior)[worse][0]
                ours = mclust_bic - gap if math.isfinite(gap) else math.nan
                mode = result.mode_gaps.get(worse)
                at_mode = "" if mode is None else f"; at the mode {-mode:+.2f}"
                details.append(
                    f"{dataset} {prior} {_cell(worse)}: mclust {mclust_bic:.2f}, "
                    f"ours {ours:.2f} (worse by {gap:.2f}{at_mode})"
                )
    print()
    print(header)
    print("\n".join(rows))
    if args.cells and details:
        print()
        print("\n".join(details))


if __name__ == "__main__":
    main()
