"""Reading the values of an untrusted JSON document, one expected type each.

Every reader returns the value when it is what the document must hold and
raises the ``ValueError`` of :func:`._format.invalid` naming the key
otherwise.
"""

import math

import numpy as np

from ._format import invalid, quote


def expect_dict(value, where, required, optional=()):
    if not isinstance(value, dict):
        raise invalid(where, f"must be a JSON object, got {kind(value)}.")
    missing = sorted(set(required) - set(value))
    if missing:
        raise invalid(where, f"lacks the key(s) {', '.join(missing)}.")
    unexpected = sorted(set(value) - set(required) - set(optional), key=str)
    if unexpected:
        listed = ", ".join(quote(key) for key in unexpected[:5])
        more = f" and {len(unexpected) - 5} more" if len(unexpected) > 5 else ""
        raise invalid(where, f"has unexpected key(s) {listed}{more}.")
    return value


def kind(value):
    """The JSON name of a parsed value's type, for error messages."""
    kinds = {
        type(None): "null",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }
    return kinds.get(type(value), type(value).__name__)


def expect_int(value, where, minimum=None, maximum=None):
    if type(value) is not int:
        raise invalid(where, f"must be an integer, got {kind(value)}.")
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        bounds = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise invalid(where, f"must be an integer {bounds}, got {quote(value)}.")
    return value


def expect_real(value, where, minimum=None):
    if type(value) not in (int, float):
        raise invalid(where, f"must be a number, got {kind(value)}.")
    try:
        value = float(value)
    except OverflowError:
        raise invalid(where, "is too large.") from None
    if not math.isfinite(value):
        raise invalid(where, "must be finite.")
    if minimum is not None and value < minimum:
        raise invalid(where, f"must be >= {minimum}, got {value!r}.")
    return value


def expect_bool(value, where):
    if type(value) is not bool:
        raise invalid(where, f"must be true or false, got {kind(value)}.")
    return value


def expect_str(value, where, choices=None):
    if type(value) is not str:
        raise invalid(where, f"must be a string, got {kind(value)}.")
    if choices is not None and value not in choices:
        raise invalid(
            where, f"must be one of {', '.join(sorted(choices))}, got {quote(value)}."
        )
    return value


def expect_array(value, where, shape, dtype, dims=None):
    """Nested lists of finite numbers of exactly ``shape``, as an ndarray."""
    leaves = []

    def walk(node, depth):
        if depth < len(shape) and isinstance(node, list) and len(node) == shape[depth]:
            for item in node:
                walk(item, depth + 1)
        elif depth == len(shape) and not isinstance(node, list):
            leaves.append(expect_real(node, where))
        else:
            expected = f"{shape}" if dims is None else f"{shape} {dims}"
            raise invalid(where, f"must be a nested array of shape {expected}.")

    walk(value, 0)
    array = np.array(leaves, dtype=np.float64).reshape(shape)
    if dtype == np.float32 and np.any(np.abs(array) > np.finfo(np.float32).max):
        raise invalid(where, "holds numbers too large for float32.")
    return array.astype(dtype)


def expect_number_list(value, where):
    """A flat list of finite numbers or of booleans, as an ndarray."""
    if not isinstance(value, list):
        raise invalid(where, f"must be an array, got {kind(value)}.")
    if value and all(type(v) is bool for v in value):
        return np.array(value, dtype=bool)
    numbers = [expect_real(v, where) for v in value]
    if all(type(v) is int for v in value) and value:
        return np.array(value, dtype=np.int64)
    return np.array(numbers, dtype=np.float64)
