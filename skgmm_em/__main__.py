"""``python -m skgmm_em``: see :mod:`skgmm_em._cli`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
