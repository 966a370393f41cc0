"""The files ``skgmm-em fit`` writes (labels, model, plot), all or none."""

import contextlib
import csv
import os
import shutil
import tempfile

from ._messages import warnings_as_notes
from ._summary import components


def write_labels(labels, resp, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["label", *(f"p{k}" for k in range(resp.shape[1]))])
        for label, row in zip(labels, resp, strict=True):
            writer.writerow([int(label), *(repr(float(p)) for p in row)])


def write_model(model, path, note):
    from ..persistence import save

    # save warns about parameters a model file cannot hold; the model itself
    # is written.
    with warnings_as_notes(UserWarning, note):
        save(model, path)


def write_plot(model, X, names, path, plot_format):
    from matplotlib.figure import Figure

    from ..plotting import plot_ellipses

    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    plot_ellipses(model, X, ax=ax, features=(0, 1))
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(
        f"{components(model.n_components)}, {model.covariance_type} covariances"
    )
    fig.savefig(path, dpi=100, format=plot_format)


def write_all(writers):
    """Write every output, or none: ``writers`` is ``[(path, write(path))]``.

    Each output is first written to a temporary file (next to a regular
    target, so that moving it into place is atomic), then the targets are
    replaced; when a write fails, the temporary files are removed and no
    regular file is changed. A target that is not a regular file (a device
    such as ``/dev/null``, a pipe) is written in place, after every
    temporary file succeeded.
    """
    staged = []  # (temporary path, target path, given path, in place)
    try:
        for path, write in writers:
            target = os.path.realpath(path)
            in_place = os.path.exists(target) and not os.path.isfile(target)
            folder = None if in_place else os.path.dirname(target)
            fd, temporary = tempfile.mkstemp(
                dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
            )
            os.close(fd)
            staged.append((temporary, target, path, in_place))
            try:
                write(temporary)
            except OSError as exc:
                raise WriteError(path, exc) from None
        for temporary, target, path, in_place in staged:
            if in_place:
                try:
                    with open(temporary, "rb") as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                except OSError as exc:
                    raise WriteError(path, exc) from None
        for temporary, target, path, in_place in staged:
            if not in_place:
                try:
                    mode = os.stat(target).st_mode if os.path.exists(target) else None
                    os.chmod(temporary, _new_file_mode() if mode is None else mode)
                    os.replace(temporary, target)
                except OSError as exc:
                    raise WriteError(path, exc) from None
    finally:
        for temporary, *_ in staged:
            with contextlib.suppress(OSError):
                os.remove(temporary)


class WriteError(Exception):
    def __init__(self, path, exc):
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write {path}: {reason}")


def _new_file_mode():
    """The permissions ``open(path, 'w')`` gives a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
