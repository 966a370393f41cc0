"""The threads of the EM core: concurrency, BLAS limits, joblib workers, fork.

Most tests run a script in a fresh Python process, so that the pool and the
BLAS limits start as a user's process finds them.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config

from skgmm_em import GaussianMixture, _threads

# Every test starts new Python processes: a script, or joblib's workers.
pytestmark = pytest.mark.slow

# Data of several chunks (so that passes use the pool) and a probe that
# records the BLAS limits inside the pool's threads.
PRELUDE = """
import threading
import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits
from skgmm_em import GaussianMixture, _em

CONTROLLER = ThreadpoolController()
SLICES = [slice(i, i + 1) for i in range(8)]


def blas_limits():
    return sorted({lib.num_threads for lib in CONTROLLER.lib_controllers
                   if lib.user_api == "blas"})


def limits_in_pool():
    seen = []
    _em.for_chunks(lambda rows: seen.append(tuple(blas_limits())), SLICES)
    return sorted(set(seen))


def in_thread(func):
    out = []
    thread = threading.Thread(target=lambda: out.append(func()))
    thread.start()
    thread.join()
    return out[0]
"""


# Thread limits a test run may have inherited (dask's workers, joblib's);
# the scripts start without them unless a test sets one.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_script(body, env=None, timeout=120):
    """Run PRELUDE + body in a fresh interpreter; return its stdout lines."""
    script = PRELUDE + textwrap.dedent(body)
    environment = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**environment, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_concurrent_first_calls_in_a_fresh_process():
    # A server loads a model, then serves requests from many threads at
    # once: the first parallel pass of each must find one pool and one
    # BLAS limit, and give what a serial call gives.
    lines = run_script(
        """
        rng = np.random.RandomState(0)
        small = rng.normal(size=(200, 3))
        gm = GaussianMixture(3, random_state=0).fit(small)  # a single chunk
        X = rng.normal(size=(60000, 3))
        barrier = threading.Barrier(16)
        results, errors = [None] * 16, []

        def serve(i):
            try:
                barrier.wait()
                results[i] = gm.predict_proba(X)
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(errors))
        expected = gm.predict_proba(X)
        print(all(np.array_equal(r, expected) for r in results if r is not None))
        print(blas_limits() == [CONTROLLER.info()[0]["num_threads"]])
        """
    )
    assert lines == ["0", "True", "True"]


def test_blas_limited_in_the_pool_whichever_thread_asks():
    # A pass from the main thread, then from a worker thread, then from the
    # main thread again: every time BLAS runs one thread inside the pool
    # and its limits are back afterwards.
    lines = run_script(
        """
        before = blas_limits()
        print(limits_in_pool(), in_thread(limits_in_pool), limits_in_pool())
        print(blas_limits() == before)
        """
    )
    assert lines == ["[(1,)]", "[(1,)]", "[(1,)]", "True"]


def test_user_limits_respected_after_a_pass_from_a_worker_thread():
    # A worker thread that stays alive (a server's) runs a pass; afterwards
    # the main thread's own threadpool_limits still take effect and are
    # left as the user set them by a pass inside them.
    lines = run_script(
        """
        done, go = threading.Event(), threading.Event()

        def worker():
            limits_in_pool()
            done.set()
            go.wait()

        thread = threading.Thread(target=worker)
        thread.start()
        done.wait()
        default = blas_limits()
        with threadpool_limits(limits=1):
            print(blas_limits())
            X = np.random.RandomState(0).normal(size=(60000, 3))
            GaussianMixture(2, max_iter=2, random_state=0).fit(X)
            print(blas_limits())
        print(blas_limits() == default)
        go.set()
        thread.join()
        """
    )
    assert lines == ["[1]", "[1]", "True"]


def test_thread_count_follows_limits():
    lines = run_script(
        """
        from skgmm_em import _threads
        print(_threads.n_threads())
        with threadpool_limits(limits=1):
            print(_threads.n_threads())
        with threadpool_limits(limits=1, user_api="openmp"):
            print(_threads.n_threads())
        with _threads.limited(1):
            print(_threads.n_threads(), blas_limits())
        """
    )
    assert lines[1:] == ["1", "1", "1", "[1]"]
    assert int(lines[0]) == _threads._cpu_count()
    env_lines = run_script(
        "from skgmm_em import _threads\nprint(_threads.n_threads())",
        env={"OMP_NUM_THREADS": "1"},
    )
    assert env_lines == ["1"]


def test_child_forked_mid_pass_limits_and_restores_blas():
    # Fork while a worker thread is inside a pass (BLAS held to one thread):
    # the child's own passes hold BLAS to one thread in its pool and leave
    # it at the limits from before the parent's pass.
    lines = run_script(
        """
        import os
        default = blas_limits()
        inside, release = threading.Event(), threading.Event()

        def blocking(rows):
            inside.set()
            release.wait()

        thread = threading.Thread(target=lambda: _em.for_chunks(blocking, SLICES))
        thread.start()
        inside.wait()
        pid = os.fork()
        if pid == 0:
            ok = limits_in_pool() == [(1,)] and blas_limits() == default
            os._exit(0 if ok else 3)
        release.set()
        thread.join()
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), blas_limits() == default)
        """
    )
    assert lines == ["0", "True"]


def _threads_during_fit(fit):
    """Peak extra Python and OS threads of this process while ``fit`` runs."""
    import threading
    import time

    def os_threads():
        try:
            return len(os.listdir("/proc/self/task"))
        except OSError:
            return threading.active_count()

    base_py, base_os = threading.active_count(), os_threads()
    peak = [0, 0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], threading.active_count() - base_py - 1)
            peak[1] = max(peak[1], os_threads() - base_os - 1)
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        fit()
    finally:
        stop.set()
        watcher.join()
    return peak


def _worker_thread_counts(seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

    X = np.random.RandomState(seed).normal(size=(40000, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = _threads_during_fit(
            lambda: GaussianMixture(3, max_iter=3, random_state=0).fit(X)
        )
        theirs = _threads_during_fit(
            lambda: SklearnGaussianMixture(3, max_iter=3, random_state=0).fit(X)
        )
    return ours, theirs, _threads.n_threads()


def test_joblib_worker_fit_starts_no_more_threads_than_sklearn():
    with parallel_config(backend="loky", inner_max_num_threads=1):
        results = Parallel(n_jobs=2)(delayed(_worker_thread_counts)(s) for s in (0, 1))
    for ours, theirs, n_threads in results:
        assert n_threads == 1
        assert ours[0] == 0  # no Python thread started by the fit
        assert ours[1] <= theirs[1]


def test_chunk_threads_capped_by_limits_in_a_fresh_process():
    lines = run_script(
        """
        X = np.random.RandomState(0).normal(size=(40000, 4))
        from skgmm_em import _threads
        for context in (_threads.limited(1), threadpool_limits(limits=1)):
            with context:
                GaussianMixture(3, max_iter=2, tol=0.0, random_state=0).fit(X)
            print(threading.active_count())
        GaussianMixture(3, max_iter=2, tol=0.0, random_state=0).fit(X)
        print(threading.active_count() > 1 or _threads.n_threads() == 1)
        """
    )
    assert lines == ["1", "1", "True"]
