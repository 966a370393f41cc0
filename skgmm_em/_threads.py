"""The threads of the EM core: how many, the pool that runs them, and BLAS
held to one thread while they run.

A pass over the rows of ``X`` (an E-step, a prediction) splits its chunks
into contiguous groups and runs one group per thread: NumPy and BLAS release
the GIL, and at small dimension most of a chunk is element-wise work that
BLAS threads would not share out. Meanwhile BLAS is held to one thread, so
that the two levels of threads do not compete.

How many threads: :func:`n_threads`, the smallest of

* the number of CPUs the process may run on (its affinity);
* ``OMP_NUM_THREADS``, when set (joblib sets it, with the BLAS variables,
  in the worker processes it starts: ``cpu_count() // n_jobs``, or its
  ``inner_max_num_threads``);
* the thread limits of the BLAS and OpenMP libraries, as threadpoolctl
  reports them: ``with threadpoolctl.threadpool_limits(k):`` caps the chunk
  threads at ``k`` too;
* the cap of :func:`limited` in the calling thread.

BLAS is held to one thread by one module-owned thread, which sets the limit
(through threadpoolctl) when the first of any number of concurrent passes
starts and restores it when the last one ends: threadpoolctl lets only one
thread at a time change an OpenBLAS limit, and this thread gives that
control back each time. If another thread holds it (a caller's own
``threadpool_limits`` block with a limit above one), the limit cannot be
changed without overriding the caller's; the groups then run one after the
other in the calling thread, with the BLAS threads the caller asked for.
The groups, and so the rounding of the results, are the same either way.

The pool and the limiting thread are created once, under a lock, by the
first pass that needs them. A process forked during a pass starts afresh:
no pool, no pass running, and the BLAS limits from before the pass.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

from threadpoolctl import ThreadpoolController

_LOCAL = threading.local()


class _State:
    """What the module holds; every attribute is guarded by ``lock``."""

    def __init__(self):
        self.lock = threading.Lock()
        self.controller = None
        self.pool = None
        self.limiter = None
        self.users = 0
        # The BLAS limit held (an ExitStack to close in the limiting
        # thread), or None when the passes run without one.
        self.held = None
        # BLAS libraries' limits from before the hold, for n_threads.
        self.blas_before = None
        # Held by the pass of a dask block (see one_block_at_a_time).
        self.block_lock = threading.Lock()


_STATE = _State()


def _after_fork_in_child():
    # The child has none of the parent's threads: forget the pool and the
    # limiting thread, and put back the BLAS limits a pass of the parent had
    # changed, from a thread that then ends (so that no thread of the child
    # keeps threadpoolctl's control of them).
    global _STATE
    held, controller = _STATE.held, _STATE.controller
    _STATE = _State()
    _STATE.controller = controller
    if held is not None:
        restorer = threading.Thread(target=held.close)
        restorer.start()
        restorer.join()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _cpu_count():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _omp_num_threads():
    """The first value of ``OMP_NUM_THREADS``, or None when unset or invalid."""
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


def _controller(state):
    """The ThreadpoolController of the loaded libraries (state.lock held)."""
    if state.controller is None:
        # Inspecting the loaded libraries is slow: once per process.
        state.controller = ThreadpoolController()
    return state.controller


def _blas(controller):
    return controller.select(user_api="blas").lib_controllers


def n_threads():
    """The number of threads a pass over chunks runs on (see the module
    docstring); at least 1."""
    limits = [_cpu_count()]
    omp = _omp_num_threads()
    if omp is not None:
        limits.append(omp)
    cap = getattr(_LOCAL, "cap", None)
    if cap is not None:
        limits.append(cap)
    state = _STATE
    with state.lock:
        controller = _controller(state)
        blas = _blas(controller)
        for lib in controller.lib_controllers:
            if state.blas_before is not None and lib in blas:
                # Our own hold is in force: the limit from before it counts.
                number = state.blas_before[blas.index(lib)]
            else:
                number = lib.num_threads
            if number is not None and number >= 1:
                limits.append(number)
    return max(1, min(limits))


@contextmanager
def limited(n):
    """Run the block with at most ``n`` threads: BLAS and OpenMP limited to
    ``n`` (threadpoolctl) and the chunk threads of this thread's passes too.
    """
    state = _STATE
    with state.lock:
        controller = _controller(state)
    previous = getattr(_LOCAL, "cap", None)
    _LOCAL.cap = n if previous is None else min(previous, n)
    try:
        with controller.limit(limits=n):
            yield
    finally:
        _LOCAL.cap = previous


def _hold_blas(controller):
    """In the limiting thread: BLAS held to one thread, as an ExitStack to
    close there, or None if another thread holds threadpoolctl's control."""
    stack = ExitStack()
    stack.enter_context(controller.limit(limits=1, user_api="blas"))
    if any(lib.num_threads not in (None, 1) for lib in _blas(controller)):
        stack.close()
        return None
    return stack


@contextmanager
def _blas_held():
    """BLAS held to one thread for as long as any pass runs in the pool;
    yields whether it is."""
    state = _STATE
    with state.lock:
        if state.users == 0:
            controller = _controller(state)
            if state.limiter is None:
                state.limiter = ThreadPoolExecutor(
                    1, thread_name_prefix="skgmm_em_blas"
                )
            state.blas_before = [lib.num_threads for lib in _blas(controller)]
            state.held = state.limiter.submit(_hold_blas, controller).result()
        state.users += 1
        held = state.held is not None
    try:
        yield held
    finally:
        with state.lock:
            state.users -= 1
            if state.users == 0:
                if state.held is not None:
                    state.limiter.submit(state.held.close).result()
                state.held = state.blas_before = None


def _start_pool_thread(controller):
    _LOCAL.in_pool = True
    # OpenBLAS built on OpenMP keeps one limit per thread, which a limit set
    # in another thread does not reach: it is set here, once, for good.
    per_thread = controller.select(internal_api="openblas").select(
        threading_layer="openmp"
    )
    if per_thread.lib_controllers:
        per_thread.limit(limits=1)


def _pool(state):
    with state.lock:
        if state.pool is None:
            state.pool = ThreadPoolExecutor(
                max(2, _cpu_count()),
                thread_name_prefix="skgmm_em",
                initializer=_start_pool_thread,
                initargs=(_controller(state),),
            )
        return state.pool


def map_groups(func, groups):
    """``[func(group) for group in groups]``, one group per pool thread.

    Serial when there is one group, when called from a pool thread, or when
    BLAS cannot be held to one thread (see the module docstring).
    """
    if len(groups) < 2 or getattr(_LOCAL, "in_pool", False):
        return [func(group) for group in groups]
    state = _STATE
    pool = _pool(state)
    with _blas_held() as held:
        if not held:
            return [func(group) for group in groups]
        return list(pool.map(func, groups))


@contextmanager
def one_block_at_a_time():
    """Run the block while no other thread of the process runs one.

    The dask backend runs each block's pass inside it: a pass already
    spreads over every core (a thread per core, BLAS held to one thread
    meanwhile), so blocks run concurrently in one process (dask's threaded
    scheduler, or workers with several threads) would gain nothing but
    contention.
    """
    with _STATE.block_lock:
        yield
