"""Half-up rounding that is right to the cent despite binary floating point."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EXACT_DECIMALS", "round_half_up"]

# float noise lives far below this; ties in 'exact' ranking are compared here
EXACT_DECIMALS = 9


def round_half_up(x: pd.Series | np.ndarray | float, decimals: int) -> pd.Series | np.ndarray | float:
    """Round non-negative scores half-up in one step (5.4954 -> 5 at 0 decimals, never 6).

    The scaled value is first snapped to 6 decimals so that 2.675, stored as
    2.67499999999999982236431605997495353221893310546875, rounds to 2.68 as a
    person computing by hand expects.
    """
    factor = 10.0**decimals
    scaled = np.round(np.asarray(x, dtype="float64") * factor, 6)
    out = np.floor(scaled + 0.5) / factor
    if isinstance(x, pd.Series):
        return pd.Series(out, index=x.index, name=x.name)
    if np.ndim(out) == 0:
        return float(out)
    return out
