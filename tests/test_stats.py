"""Intervals and paired tests: seeded, right on cases worked by hand, honest about noise."""

from __future__ import annotations

import pytest

from lingualign.stats import interval, mcnemar, paired_bootstrap


def test_an_interval_is_seeded_and_narrows_with_n() -> None:
    small = interval([1, 0] * 35)
    assert small == interval([1, 0] * 35)  # same cases, same interval, on every machine
    assert small["value"] == 0.5 and small["n"] == 70
    # One case in 70 is 1.4 points; the 95% interval of a coin-flip pass rate spans about 23 of them.
    assert 0.35 < small["low"] < 0.41 and 0.59 < small["high"] < 0.65
    large = interval([1, 0] * 3500)
    assert large["high"] - large["low"] < (small["high"] - small["low"]) / 5
    assert interval([])["n"] == 0 and interval([1, 1, 1])["low"] == 1.0


def test_the_paired_bootstrap_tells_a_real_gain_from_noise() -> None:
    old = [0.0] * 50 + [1.0] * 50
    assert paired_bootstrap(old, [1.0] * 100)["p"] < 0.01  # fifty cases gained, none lost
    flipped = paired_bootstrap(old, old[::-1])  # as many gained as lost
    assert flipped["delta"] == 0 and flipped["p"] > 0.5 and flipped["low"] < 0 < flipped["high"]
    same = paired_bootstrap(old, old)
    assert same["delta"] == 0 and same["p"] == 1.0


def test_mcnemar_is_exact_on_the_discordant_cases() -> None:
    # 8 cases won, 1 lost: the two-sided binomial p of 1 or fewer in 9 is 20/512.
    old = [False] * 8 + [True] + [True] * 20
    new = [True] * 8 + [False] + [True] * 20
    assert mcnemar(old, new) == {"won": 8, "lost": 1, "p": pytest.approx(20 / 512, abs=1e-6), "n": 29}
    assert mcnemar(old, old)["p"] == 1.0
