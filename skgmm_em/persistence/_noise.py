"""The noise component in a model file: ``fitted.noise``.

A fit with ``noise_component=True`` is written with ``{"weight": w,
"log_volume": log V}`` (``V`` in logs, which do not overflow); ``weights``
then sum to ``1 - w``. A ``noise_init`` mask is not stored (loading
restores ``'nnclean'``; predictions are unaffected).
"""

from ._format import invalid
from ._json import expect_dict, expect_real


def encode_noise(model):
    """The JSON form of a fit's noise component, or None without one."""
    if not hasattr(model, "noise_log_volume_"):
        return None
    return {
        "weight": float(model.noise_weight_),
        "log_volume": float(model.noise_log_volume_),
    }


def decode_noise(value, noise_component):
    """``(weight, log_volume)`` of ``fitted.noise``, or None; present
    exactly when ``params.noise_component`` is true."""
    if value is None:
        if noise_component:
            raise invalid("fitted.noise", "is missing: params.noise_component is true.")
        return None
    if not noise_component:
        raise invalid("fitted.noise", "is present: params.noise_component is false.")
    spec = expect_dict(value, "fitted.noise", ("weight", "log_volume"))
    weight = expect_real(spec["weight"], "fitted.noise.weight", 0.0)
    if weight > 1.0:
        raise invalid("fitted.noise.weight", f"must be at most 1, got {weight!r}.")
    return weight, expect_real(spec["log_volume"], "fitted.noise.log_volume")
