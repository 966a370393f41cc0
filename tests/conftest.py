import os

import pytest

# scikit-learn's array-API check runs only when this is set before scipy is
# imported; with it set, the check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

# The hypothesis profile of the session (SKGMM_HYPOTHESIS_PROFILE).
import _hypothesis  # noqa: E402, F401


def _global_random_seeds():
    """The seeds scikit-learn's conftest gives global_random_seed: those of
    SKLEARN_TESTS_GLOBAL_RANDOM_SEED (a seed, a range 'a-b' or 'all'), else
    42."""
    value = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
    if value is None:
        return [42]
    if value == "all":
        return list(range(100))
    if "-" in value:
        start, stop = value.split("-")
        return list(range(int(start), int(stop) + 1))
    return [int(value)]


def pytest_generate_tests(metafunc):
    # scikit-learn's own tests (tests/test_sklearn_suite.py) take this seed.
    if "global_random_seed" in metafunc.fixturenames:
        metafunc.parametrize("global_random_seed", _global_random_seeds())


def _check_name(item):
    """The name of the scikit-learn estimator check an item runs, if any."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    check = params.get("check")
    return getattr(getattr(check, "func", check), "__name__", None)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """scikit-learn's tests (a module with DESELECTED_IDS): drop the listed
    parametrizations, give the others scikit-learn's warning filters.
    scikit-learn's estimator checks named in a module's SLOW_CHECKS: marked
    slow (before -m selects)."""
    kept = []
    for item in items:
        module = getattr(item, "module", None)
        if _check_name(item) in getattr(module, "SLOW_CHECKS", ()):
            item.add_marker(pytest.mark.slow)
        deselected = getattr(module, "DESELECTED_IDS", None)
        if deselected is not None:
            if item.name in deselected:
                continue
            item.add_marker(pytest.mark.filterwarnings(*module.UPSTREAM_FILTERS))
        kept.append(item)
    items[:] = kept
