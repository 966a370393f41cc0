"""The summary ``skgmm-em fit`` prints: the model, its means and its BIC."""

import math
import warnings

import numpy as np


def components(k):
    return f"{k} component" + ("s" if k != 1 else "")


def _decimals(spread):
    """Decimals that show three significant digits of ``spread``."""
    if not (math.isfinite(spread) and spread > 0):
        return 4
    return max(0, 2 - math.floor(math.log10(spread)))


def summary(model, X, names, source, table, out):
    n = X.shape[0]
    log_likelihood = float(model.score(X)) * n
    print(f"{source}: {n} rows, columns {', '.join(names)}", file=out)
    how = f" (lowest BIC of {len(table)} candidates)" if table else ""
    print(
        f"model: {components(model.n_components)}, covariance_type "
        f"{model.covariance_type!r}{how}",
        file=out,
    )
    if table:
        _bic_table(table, model, out)
    # Means to three significant digits of each column's spread: their
    # uncertainty is a fraction of it, and float noise (0.245999) is hidden.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
        spreads = np.nanstd(X, axis=0)
    decimals = [_decimals(float(s)) for s in spreads]
    headers = [f"mean {name}" for name in names]
    widths = [max(10, len(header)) for header in headers]
    print(
        "component  weight  "
        + "  ".join(f"{h:>{w}}" for h, w in zip(headers, widths, strict=True)),
        file=out,
    )
    for k in range(model.n_components):
        means = "  ".join(
            f"{m:>{w}.{d}f}"
            for m, w, d in zip(model.means_[k], widths, decimals, strict=True)
        )
        print(f"{k:>9}  {model.weights_[k]:6.3f}  {means}", file=out)
    print(
        f"log-likelihood: {log_likelihood:.2f} (mean per row {log_likelihood / n:.4f})",
        file=out,
    )
    print(f"BIC: {model.bic(X):.2f}", file=out)
    print(f"iterations: {model.n_iter_} (converged: {model.converged_})", file=out)


# The most covariance types side by side; more are printed in blocks.
_TABLE_COLUMNS = 7


def _bic_table(table, model, out):
    ks = sorted({k for k, _ in table})
    types = list(dict.fromkeys(t for _, t in table))
    for start in range(0, len(types), _TABLE_COLUMNS):
        block = types[start : start + _TABLE_COLUMNS]
        print("BIC      " + "".join(f"{t:>13}" for t in block), file=out)
        for k in ks:
            cells = []
            for t in block:
                value = table.get((k, t), math.nan)
                chosen = (k, t) == (model.n_components, model.covariance_type)
                cells.append(f"{value:>12.2f}{'*' if chosen else ' '}")
            print((f"k={k:<6} " + "".join(cells)).rstrip(), file=out)
