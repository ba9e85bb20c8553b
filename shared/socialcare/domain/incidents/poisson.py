"""The Poisson upper tail P(X >= n | lam), computed exactly with math only (no scipy in the layer).

Each term is built from its neighbour (pmf(k+1) = pmf(k) * lam / (k+1)) starting at a term
computed in log space with lgamma, so nothing overflows at large counts or rates; the smaller side
of the distribution is summed and the tail is its complement only when the tail is the large side,
so tiny tails (1e-12) keep their precision.
"""

import math

_RELATIVE_PRECISION = 1e-17
_MAX_TERMS = 100_000


def log_pmf(k: int, lam: float) -> float:
    if lam == 0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(lam) - lam - math.lgamma(k + 1)


def upper_tail(n: int, lam: float) -> float:
    """P(X >= n) for X ~ Poisson(lam)."""
    if lam < 0 or math.isnan(lam):
        raise ValueError(f"a Poisson rate is a number >= 0, not {lam}")
    if n <= 0:
        return 1.0
    if lam == 0:
        return 0.0
    if n > lam:
        return min(1.0, _sum_upwards(n, lam))
    return max(0.0, 1.0 - _sum_downwards(n - 1, lam))


def _sum_upwards(n: int, lam: float) -> float:
    # Terms from n on shrink (n > lam), by a factor lam / (k + 1) at each step.
    term = math.exp(log_pmf(n, lam))
    total = 0.0
    k = n
    for _ in range(_MAX_TERMS):
        total += term
        k += 1
        term *= lam / k
        if term <= total * _RELATIVE_PRECISION:
            break
    return total


def _sum_downwards(top: int, lam: float) -> float:
    # P(X <= top) with top < lam: terms shrink going down, by a factor k / lam.
    term = math.exp(log_pmf(top, lam))
    total = 0.0
    k = top
    while k >= 0:
        total += term
        if term <= total * _RELATIVE_PRECISION:
            break
        term *= k / lam
        k -= 1
    return total
