"""Confidence intervals the readers attach to their values (the method is stated in docs/monitoring.md).

- A rate from a count of independent events over an effort (detections per 100 trap-nights,
  detections per recording hour): the count is taken as Poisson and its exact (Garwood) 95 %
  interval is found by bisection on the Poisson distribution up to EXACT_MAX events, by Byar's
  approximation above (where it is within 0.1 % of the exact one); then divided by the effort.
- A proportion (naive occupancy: deployments with a detection / deployments active): the Wilson
  score interval at 95 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Z95 = 1.959963984540054


EXACT_MAX = 30


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean), summed in log space."""
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(total, 1.0)


def _solve(target: Callable[[float], float], low: float, high: float) -> float:
    """The root of an increasing function on [low, high], by bisection."""
    for _ in range(60):
        mid = (low + high) / 2
        if target(mid) < 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def poisson_interval(count: int) -> tuple[float, float]:
    """95 % interval of a Poisson mean from one observed count."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return 0.0, 3.6888794541139363  # -ln(0.025): the exact upper bound for 0 events
    if count <= EXACT_MAX:
        top = count + 10 * math.sqrt(count) + 10
        # Lower: P(X ≥ count | L) = 0.025; upper: P(X ≤ count | U) = 0.025.
        low = _solve(lambda m: (1 - _poisson_cdf(count - 1, m)) - 0.025, 0.0, top)
        high = _solve(lambda m: 0.025 - _poisson_cdf(count, m), 0.0, top * 2)
        return low, high
    low = count * (1 - 1 / (9 * count) - Z95 / (3 * math.sqrt(count))) ** 3
    n1 = count + 1
    high = n1 * (1 - 1 / (9 * n1) + Z95 / (3 * math.sqrt(n1))) ** 3
    return max(low, 0.0), high


def rate_interval(count: int, effort: float, per: float = 1.0) -> tuple[float, float] | tuple[None, None]:
    if effort <= 0:
        return None, None
    low, high = poisson_interval(count)
    return low / effort * per, high / effort * per


def wilson_interval(successes: int, trials: int) -> tuple[float, float] | tuple[None, None]:
    if trials <= 0:
        return None, None
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
