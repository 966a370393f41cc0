"""The hypothesis profiles of the property tests.

Two profiles, chosen by the environment variable ``SKGMM_HYPOTHESIS_PROFILE``:

* ``ci`` (the default): few examples, derandomized so that every run tries
  the same examples;
* ``dev``: many random examples, for local runs::

      SKGMM_HYPOTHESIS_PROFILE=dev python -m pytest \
          tests/test_gaussian_mixture_properties.py tests/test_persistence.py

tests/conftest.py imports this module, so the profile applies to every
hypothesis test of the session; ``tests/test_persistence.py`` sizes its
loader fuzz from ``PROFILE_EXAMPLES``.
"""

import os
import warnings

from hypothesis import HealthCheck, settings

# On a failing example hypothesis's pytest plugin imports libcst to write a
# patch, and that import raises a DeprecationWarning which the suite's
# filterwarnings=error turns into an INTERNALERROR that hides the failure.
# Importing it quietly first avoids that.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import libcst  # noqa: F401
    except ImportError:
        pass

#: Examples per property test in each profile.
PROFILE_EXAMPLES = {"ci": 20, "dev": 400}

for _name, _examples in PROFILE_EXAMPLES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        derandomize=_name == "ci",
        database=None if _name == "ci" else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )

PROFILE = os.environ.get("SKGMM_HYPOTHESIS_PROFILE", "ci")
if PROFILE not in PROFILE_EXAMPLES:
    raise ValueError(
        f"SKGMM_HYPOTHESIS_PROFILE={PROFILE!r}: use one of "
        f"{', '.join(PROFILE_EXAMPLES)}."
    )
settings.load_profile(PROFILE)
