"""The steps of a model selection: initializer starts, split and merge, refinement.

A :class:`Search` holds the best fit of every cell found so far and runs
the steps of :class:`~skgmm_em.GaussianMixtureSelector.fit`, each a batch of
cells fit in parallel (:func:`~._race.fit_cell`), reporting every fitted
cell to the progress printer and listener.
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils.parallel import Parallel, delayed

from .. import _progress
from ._criteria import CRITERIA
from ._race import fit_cell
from ._starts import InitializerStart, SeededStart, merge_starts, split_starts

# A cell whose fit improves by more than this (in total log-likelihood) has
# reached a new basin: its neighbours are seeded from it again. Smaller gains
# are the convergence tolerance at work.
_NEW_BASIN_GAIN = 0.1


class Effort(NamedTuple):
    """The starts and EM iterations spent on a cell."""

    n_starts: int
    n_iter: int


class StepShares:
    """Shares of a selection (from 0 to 1) before and after each of its steps.

    The initializer starts weigh 5, the rounds of split and merge 3 in all
    (each round half of what is left, the last possible round the rest),
    the refinement 2; a step that is not run weighs nothing. Rounds that
    end early leave the rest of their share to the next step, so the
    shares never decrease.
    """

    def __init__(self, split_merge, refine_margin, n_rounds):
        weights = [5.0, 3.0 if split_merge else 0.0]
        weights.append(2.0 if refine_margin is not None else 0.0)
        total = sum(weights)
        self._starts, self._split_merge, self._refine = (w / total for w in weights)
        self._n_rounds = n_rounds

    def starts(self):
        return 0.0, self._starts

    def split_merge(self, round_):
        def at(r):
            if r >= self._n_rounds:
                return self._starts + self._split_merge
            return self._starts + self._split_merge * (1.0 - 0.5**r)

        return at(round_), at(round_ + 1)

    def refine(self):
        return 1.0 - self._refine, 1.0


class Search:
    """The cells' best fits so far, and the steps that improve them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The training data.
    settings : Settings
        What every fit shares.
    seeds : dict
        The seeds of every cell, ``2 * n_init`` each, drawn up front.
    initializers : list
        The initializers the starts cycle through.
    selector : GaussianMixtureSelector
        Gives ``n_init``, ``criterion``, ``n_jobs`` and ``verbose``.
    printer : callable
        Receives the progress events (the selector's verbose printing).
    """

    def __init__(self, X, settings, seeds, initializers, selector, printer):
        self.X = X
        self.settings = settings
        self.seeds = seeds
        self.initializers = initializers
        self.n_init = selector.n_init
        self.criterion = selector.criterion
        self.n_jobs = selector.n_jobs
        self.verbose = selector.verbose
        self.printer = printer
        self.fits = {}
        self.effort = {}

    def random_starts(self, cell, first):
        """``n_init`` initializer starts of ``cell``, from seed ``first`` on."""
        initializers = self.initializers
        return [
            SeededStart(
                InitializerStart(initializers[(first + r) % len(initializers)]), seed
            )
            for r, seed in enumerate(self.seeds[cell][first : first + self.n_init])
        ]

    def initial_starts(self, cell, hierarchical):
        """The first ``n_init`` initializer starts of ``cell`` and the cuts of
        the hierarchical agglomerations (a list of :class:`HierarchicalStarts`),
        which run from the cell's first seed to convergence, as mclust's one
        start does (they may climb more slowly than the others to a better
        optimum)."""
        starts = self.random_starts(cell, 0)
        for agglomeration in hierarchical:
            hc = agglomeration.start(cell[0])
            if hc is not None:
                starts.append(SeededStart(hc, self.seeds[cell][0], race=False))
        return starts

    def split_merge(self, changed, shares, n_rounds):
        """Rounds of split and merge until no fit improves.

        A round revisits only the cells next to one that improved in the
        previous round (at most one round per row of the grid, as
        improvements travel one row).
        """
        for round_ in range(n_rounds):
            tasks = self.split_merge_tasks(changed)
            changed = self.run_step(
                "split and merge", shares.split_merge(round_), tasks
            )
            if not changed:
                break

    def refine(self, margin, share):
        """``n_init`` more starts for every cell within ``margin`` of the best."""
        values = self.criterion_values()
        finite = [v for v in values.values() if np.isfinite(v)]
        if not finite:
            return
        best = min(finite)
        close = [cell for cell, value in values.items() if value <= best + margin]
        tasks = {cell: self.random_starts(cell, self.n_init) for cell in close}
        self.run_step("refining close cells", share, tasks)

    def split_merge_tasks(self, changed):
        """Starts split from cell K - 1 and merged from K + 1, for every cell.

        Only neighbours in ``changed`` (whose fit improved in the previous
        step) are used, and only their usable fits.
        """
        tasks = {}
        for k, t in self.fits:
            starts = []
            for neighbour, make in (
                ((k - 1, t), split_starts),
                ((k + 1, t), merge_starts),
            ):
                fit = self.fits.get(neighbour)
                if neighbour in changed and fit is not None and fit.usable:
                    starts.extend(make(fit.model, self.X, t, self.settings.scale))
            if starts:
                seed = self.seeds[(k, t)][0]
                tasks[(k, t)] = [SeededStart(start, seed) for start in starts]
        return tasks

    def run_step(self, step, share, tasks):
        """Fit the starts of every cell in tasks; keep improvements.

        Counts the starts and EM iterations of every cell; every fitted cell
        is reported (the printer and the progress listener), ``share`` is
        the step's share of the selection (before, after). Returns the set
        of cells whose usable fit improved into a new basin.
        """
        _progress.report(_progress.StepStarted(step, len(tasks), *share), self.printer)
        # The criterion costs an E-step: computed only when someone listens.
        wanted = self.verbose >= 1 or _progress.has_listener()
        improved = set()
        results = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(fit_cell)(self.X, k, t, starts, self.settings)
            for (k, t), starts in tasks.items()
        )
        for done, result in enumerate(results, start=1):
            previous = self._keep(result, improved)
            self._report(step, done, len(tasks), result, previous, wanted)
        return improved

    def _keep(self, result, improved):
        """Keep ``result`` when it beats the cell's fit; returns the previous fit."""
        cell = result.cell
        previous = self.fits.get(cell)
        effort = self.effort.get(cell, Effort(0, 0))
        self.effort[cell] = Effort(
            effort.n_starts + result.n_starts, effort.n_iter + result.n_iter
        )
        if previous is None or result.beats(previous):
            if result.usable and (
                previous is None or result.beats(previous, _NEW_BASIN_GAIN)
            ):
                improved.add(cell)
            self.fits[cell] = result
        return previous

    def _report(self, step, done, n_cells, result, previous, wanted):
        """Report the cell of ``result`` with its kept fit."""
        cell = result.cell
        kept = self.fits[cell]
        value = np.nan
        if wanted and kept.usable:
            value = CRITERIA[self.criterion](kept.model, self.X)
        _progress.report(
            _progress.CellFitted(
                step=step,
                done=done,
                n_cells=n_cells,
                n_components=cell.n_components,
                covariance_type=cell.covariance_type,
                n_starts=result.n_starts,
                first=previous is None,
                improved=previous is not None and kept is result,
                usable=kept.usable,
                log_likelihood=kept.log_likelihood if kept.usable else np.nan,
                criterion=self.criterion,
                value=value,
                start_log_likelihoods=tuple(result.start_log_likelihoods),
            ),
            self.printer,
        )

    def criterion_values(self):
        """The criterion of every usable cell fit."""
        criterion = CRITERIA[self.criterion]
        return {
            cell: criterion(fit.model, self.X) if fit.usable else np.nan
            for cell, fit in self.fits.items()
        }
