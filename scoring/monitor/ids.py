"""Resident ID numbers (GB 11643) in published text, found and masked (SPEC extension 4a).

The monitor must never become a second leak: every piece of page or attachment text that leaves
it (evidence, context, warnings, archived copies) goes through :func:`mask_ids` first. Masking is
wider than counting on purpose: any 18-character run of 17 digits and a digit or X is masked,
whatever its check digit or birth date, since a mistyped ID number still names a person; only
numbers that pass both are counted as leaks. Masking keeps the length, so that positions found in
the original text are the same in the masked one (a context is cut from the masked text)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

import numpy as np
import pandas as pd

__all__ = ["CANDIDATE", "find_ids", "mask_id", "mask_ids"]

# not inside a longer run of digits: a bank card or an order number holds 18 digits too
CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
# two numbers sharing a masked form are still two leaks: they are told apart by a digest keyed with
# a secret of this process only, so that no stored or printed value can be reversed to a number
_SALT = secrets.token_bytes(16)


def mask_id(number: str) -> str:
    """The form evidence shows: first 4 and last 2 characters (3413************12)."""
    return number[:4] + "*" * 12 + number[-2:]


def mask_ids(text: str) -> str:
    """``text`` with every ID-number-like run masked, the same length."""
    return CANDIDATE.sub(lambda m: mask_id(m.group()), text)


def find_ids(text: str, as_of: dt.date) -> list[tuple[int, str, str]]:
    """(position, masked number, this run's identity of the number) of every resident ID number in
    ``text``: a valid check digit and a real birth date not after ``as_of``. The full number is
    never returned."""
    found = [(m.start(), m.group()) for m in CANDIDATE.finditer(text)]
    if not found:
        return []
    numbers = np.array([n.upper() for _, n in found])
    raw = np.frombuffer("".join(numbers).encode("ascii"), dtype=np.uint8).reshape(len(found), 18)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    valid = _CHECK[(digits @ _WEIGHTS) % 11] == raw[:, 17]
    born = pd.to_datetime(pd.Series(numbers).str[6:14], format="%Y%m%d", errors="coerce")
    real = (born.notna() & (born <= pd.Timestamp(as_of)) & (born.dt.year >= 1850)).to_numpy()
    keep = np.flatnonzero(valid & real)
    return [(found[i][0], mask_id(numbers[i]), _identity(numbers[i])) for i in keep]


def _identity(number: str) -> str:
    return hashlib.blake2b(number.encode("ascii"), key=_SALT, digest_size=8).hexdigest()
