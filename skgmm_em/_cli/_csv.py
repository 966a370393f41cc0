"""Reading the numeric columns of a CSV file for ``skgmm-em fit``."""

import csv
import io
import math

import numpy as np

from .._files import read_bounded
from ..exceptions import FileRefusedError
from ._messages import InputError

#: The largest CSV file ``fit`` reads (1 GiB): its rows are held as text.
MAX_CSV_BYTES = 2**30

#: Cells read as missing values, whatever their case (as well as "nan").
MISSING_CELLS = frozenset({"", "na", "n/a", "null"})


def _is_missing(text):
    return text.lower() in MISSING_CELLS


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _value(text):
    return math.nan if _is_missing(text) else float(text)


def _column_name(names, j):
    return repr(names[j]) if names is not None else f"{j}"


def read_csv(path, columns=None, allow_nan=False, note=None):
    """Read the numeric columns of a CSV file.

    The first row is a header when any of its non-empty fields is not a
    number. Columns are picked by ``columns`` (header names or 0-based
    indices, in that order of preference); columns with a non-numeric cell
    are dropped with a note. Empty cells, ``nan``, ``NA``, ``N/A`` and
    ``null`` (any case) are missing values (NaN), refused unless
    ``allow_nan``, and noted; infinite values are always refused.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file, comma-separated, UTF-8 (a byte-order mark is allowed).
    columns : list of str, default=None
        The columns to use, by name or index; all columns when None.
    allow_nan : bool, default=False
        Whether missing values are passed on as NaN.
    note : callable, default=None
        Called with a one-line message for every dropped column and for
        missing values.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns)
        The data, float64.
    names : list of str
        The names of the columns of ``X`` (their indices as text without a
        header).
    header : bool
        Whether the file has a header row.

    Raises
    ------
    InputError
        When the file cannot be read or holds no usable data.
    """
    note = note or (lambda message: None)
    rows, lines = _read_rows(path)
    names, rows, lines, width = _split_header(path, rows, lines)
    picked = _pick_columns(columns, names, width)
    numeric, values = _numeric_columns(rows, picked, names, note)
    if not numeric:
        raise InputError(f"{path} has no numeric column to fit")
    X = _check_values(path, values, lines, names, numeric, allow_nan)
    n_missing = int(np.count_nonzero(np.isnan(X)))
    if n_missing:
        n_rows = int(np.count_nonzero(np.isnan(X).any(axis=1)))
        note(
            f"{n_missing} missing value(s) in {n_rows} row(s): EM uses the "
            "observed values of those rows"
        )
    out_names = [names[j] if names is not None else str(j) for j in numeric]
    return X, out_names, names is not None


def _read_rows(path):
    """The non-blank rows of the file, as lists of fields, and their line numbers."""
    try:
        # A regular file only, and within the limit: a FIFO or a device
        # (/dev/zero) is refused at once rather than read forever.
        raw = read_bounded(path, MAX_CSV_BYTES, option="file")
        with io.TextIOWrapper(io.BytesIO(raw), newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            rows, lines = [], []
            for row in reader:
                if any(c.strip() for c in row):
                    rows.append(row)
                    lines.append(reader.line_num)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a CSV file") from None
    except FileRefusedError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if not rows:
        raise InputError(f"{path} is empty")
    return rows, lines


def _split_header(path, rows, lines):
    """The header's names (None without one), the data rows, their lines, and
    the number of fields of every row."""
    names = None
    first = [c.strip() for c in rows[0]]
    if any(not _is_missing(c) and not _is_number(c) for c in first):
        names, rows, lines = first, rows[1:], lines[1:]
        if not rows:
            raise InputError(f"{path} has a header but no data rows")
    width = len(names) if names is not None else len(rows[0])
    for line, row in zip(lines, rows, strict=True):
        if len(row) != width:
            raise InputError(
                f"{path}, line {line}: {len(row)} fields where the first row "
                f"has {width}"
            )
    return names, rows, lines, width


def _pick_columns(columns, names, width):
    """The indices of the columns named by ``--columns`` (all when None)."""
    if columns is None:
        return list(range(width))
    picked = [_pick_column(token, names, width) for token in columns]
    duplicated = {j for j in picked if picked.count(j) > 1}
    if duplicated:
        raise InputError(
            f"--columns names column {_column_name(names, min(duplicated))} twice"
        )
    return picked


def _numeric_columns(rows, picked, names, note):
    """The picked columns that hold numbers, and their values by column."""
    numeric, values = [], []
    for j in picked:
        column = [row[j].strip() for row in rows]
        present = [c for c in column if not _is_missing(c)]
        bad = next((c for c in present if not _is_number(c)), None)
        if bad is not None:
            note(f"dropped the non-numeric column {_column_name(names, j)} ({bad!r})")
        elif not present:
            note(f"dropped the empty column {_column_name(names, j)}")
        else:
            numeric.append(j)
            values.append([_value(c) for c in column])
    return numeric, values


def _check_values(path, values, lines, names, numeric, allow_nan):
    """The values as rows of a float64 array, refusing infinite (and NaN) cells."""
    # Rows in C order, as from any other reader (np.loadtxt, pandas).
    X = np.ascontiguousarray(np.array(values, dtype=np.float64).T)
    for refused, what in (
        (np.isinf(X), "infinite values are not supported"),
        (np.isnan(X) if not allow_nan else None, "missing values are not supported"),
    ):
        if refused is not None and refused.any():
            i, j = np.argwhere(refused)[0]
            raise InputError(
                f"{path}, line {lines[i]}, column {_column_name(names, numeric[j])}: "
                f"{what} ({np.count_nonzero(refused)} cell(s)); remove or fill them"
            )
    return X


def _pick_column(token, names, width):
    """The index of the column named by ``token`` (a header name or an index)."""
    if names is not None and token in names:
        if names.count(token) > 1:
            raise InputError(f"the header has more than one column named {token!r}")
        return names.index(token)
    try:
        j = int(token)
    except ValueError:
        if names is None:
            raise InputError(
                f"--columns {token!r}: the file has no header, so columns are "
                f"picked by 0-based index (0 to {width - 1})"
            ) from None
        raise InputError(
            f"--columns {token!r}: no such column; the header has "
            + ", ".join(repr(n) for n in names)
        ) from None
    if not 0 <= j < width:
        raise InputError(
            f"--columns {token!r}: index out of range, the file has {width} "
            f"column(s) (0 to {width - 1})"
        )
    return j
