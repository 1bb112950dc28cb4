"""Harmonic numbers for the weak-tie value: numpy alone gives scipy's digamma bit for bit, so
`crossties match` need not import scipy.special and its results stay the same."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import digamma

from bot.matching.context import harmonic

EULER = 0.5772156649015329


def test_harmonic_numbers_equal_scipys_digamma_exactly() -> None:
    n = np.concatenate(
        [np.arange(0, 200_000, dtype=np.float64), np.array([65_535.0, 65_536.0, 1e6, 3e6 + 7])]
    )
    assert np.array_equal(harmonic(n), digamma(n + 1.0) + EULER)


def test_shapes_and_small_values() -> None:
    assert float(harmonic(0)) == 0.0
    assert float(harmonic(np.float64(3))) == pytest.approx(11 / 6, abs=1e-15)
    grid = np.array([[1.0, 2.0], [70_000.0, 4.0]])  # beyond the table, in a 2-D array
    assert harmonic(grid).shape == (2, 2)
    assert np.array_equal(harmonic(grid), digamma(grid + 1.0) + EULER)
    assert harmonic(np.array([])).shape == (0,)
