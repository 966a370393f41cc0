import os

# scikit-learn's array-API check runs only when this is set before scipy is
# imported; with it set, the check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
