"""matplotlib, imported when a plot is drawn (it is an optional dependency)."""


def pyplot():
    """Import matplotlib.pyplot, or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skgmm_em.plotting requires matplotlib, which is not installed. "
            'Install the plot extra: pip install "skgmm_em[plot]".'
        ) from exc
    return plt
