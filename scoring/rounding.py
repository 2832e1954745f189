"""Half-up and half-even rounding that is right to the cent despite binary floating point."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EXACT_DECIMALS", "ROUNDING_MODES", "round_half_even", "round_half_up", "round_published"]

# half_up is the contract's (SPEC §1 step 6); half_even is what R and numpy publish (issue 33)
ROUNDING_MODES = ("half_up", "half_even")
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


def round_half_even(x: pd.Series | np.ndarray | float, decimals: int) -> pd.Series | np.ndarray | float:
    """Round non-negative scores half to even in one step (0.125 -> 0.12, 0.135 -> 0.14, 2.5 -> 2).

    As for half-up, the scaled value is snapped to 6 decimals first, so a tie is decided on the
    decimal value a person wrote (0.135 is stored just above .135, 2.675 just below it), never on
    its binary neighbour. A snapped tie is then exactly k + 0.5, which ``np.rint`` sends to even.
    """
    factor = 10.0**decimals
    out = np.rint(np.round(np.asarray(x, dtype="float64") * factor, 6)) / factor
    if isinstance(x, pd.Series):
        return pd.Series(out, index=x.index, name=x.name)
    if np.ndim(out) == 0:
        return float(out)
    return out


def round_published(
    x: pd.Series | np.ndarray | float, decimals: int, mode: str = "half_up"
) -> pd.Series | np.ndarray | float:
    """A published figure (base, bonus, score, percent) rounded as the rubric's ``rounding`` says."""
    return round_half_even(x, decimals) if mode == "half_even" else round_half_up(x, decimals)
