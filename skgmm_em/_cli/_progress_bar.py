"""The progress of ``skgmm-em fit`` on stderr, drawn from the fit's events."""

import math
import shutil
import time


class Progress:
    """Progress of a fit on ``stream``, drawn from the fit's progress events.

    A listener for :func:`skgmm_em._progress.listening`: the estimator and
    the model selector report restarts, EM iterations and fitted models,
    and this draws them. On a terminal, one bar redrawn in place with
    carriage returns, which never moves back: over restarts x EM iterations
    for a plain fit, over the steps of a model selection (the later steps
    improve the fits from other starts). Otherwise plain lines: one per
    restart, or one per model tried, with its criterion after its first
    starts (the summary has the final values).

    Parameters
    ----------
    stream : file-like
        Where to write (the command line passes ``sys.stderr``).
    enabled : bool, default=True
        When False, nothing is written.
    """

    _WIDTH = 24
    _INTERVAL = 0.1

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self._fraction = 0.0
        self._drawn = 0.0
        self._length = 0
        self._restart = self._n_restarts = self._max_iter = 0
        self._step = None

    def __call__(self, event):
        if not self.enabled:
            return
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    # plain fit: restarts of GaussianMixture.fit

    def _on_RestartStarted(self, event):
        self._restart, self._n_restarts = event.restart, event.n_restarts
        self._max_iter = max(event.max_iter, 1)
        self._bar(self._restart / self._n_restarts, self._restart_label(), force=True)

    def _on_IterationDone(self, event):
        fraction = (self._restart + event.n_iter / self._max_iter) / self._n_restarts
        self._bar(
            fraction,
            f"{self._restart_label()}, iteration {event.n_iter}/{event.max_iter}",
        )

    def _on_RestartFinished(self, event):
        state = "converged" if event.converged else "did not converge"
        outcome = (
            f"{self._restart_label()}: {event.n_iter} iterations, {state}, mean "
            f"log-likelihood {event.lower_bound:.4f}"
        )
        if self.tty:
            self._bar((self._restart + 1) / self._n_restarts, outcome, force=True)
        else:
            self._line(outcome)

    def _restart_label(self):
        return f"restart {self._restart + 1}/{self._n_restarts}"

    # model selection: GaussianMixtureSelector.fit

    def _on_StepStarted(self, event):
        self._step = event
        self._bar(event.share_before, "choosing the model", force=True)

    def _on_CellFitted(self, event):
        model = f"k={event.n_components} {event.covariance_type}"
        if event.usable:
            outcome = f"{model}: {event.criterion.upper()} {event.value:.2f}"
            if not event.first:
                outcome = f"improving the fits: {outcome}"
        else:
            outcome = f"{model}: no usable fit (a component collapsed)"
        if self.tty:
            step = self._step
            share = step.share_before + (step.share_after - step.share_before) * (
                event.done / max(step.n_cells, 1)
            )
            self._bar(share, outcome, force=event.done == step.n_cells)
        elif event.first:
            self._line(outcome)

    def _on_SelectionFinished(self, event):
        self._bar(
            1.0,
            f"chose k={event.n_components} {event.covariance_type}",
            force=True,
        )

    # drawing

    def close(self):
        """End the bar's line."""
        if self.tty and self._length:
            self.stream.write("\n")
            self.stream.flush()
            self._length = 0

    def _line(self, text):
        print(text, file=self.stream, flush=True)

    def _bar(self, fraction, status, force=False):
        if not self.tty:
            return
        self._fraction = max(self._fraction, min(fraction, 1.0))
        now = time.monotonic()
        if not force and now - self._drawn < self._INTERVAL:
            return
        self._drawn = now
        filled = round(self._WIDTH * self._fraction)
        bar = "#" * filled + "." * (self._WIDTH - filled)
        text = f"[{bar}] {math.floor(100 * self._fraction):3d}%  {status}"
        text = text[: max(shutil.get_terminal_size().columns - 1, 20)]
        # Pad with spaces to wipe the end of a longer previous line.
        self.stream.write("\r" + text.ljust(self._length))
        self.stream.flush()
        self._length = len(text)
