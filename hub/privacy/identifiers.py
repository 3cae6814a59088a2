"""Dutch personal identifiers: the BSN and its 11-proef."""

from __future__ import annotations

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_elfproef(digits: str) -> bool:
    """True when nine digits pass the BSN 11-proef (weights 9..2, -1; sum divisible by 11)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))
    return total % 11 == 0 and total != 0
