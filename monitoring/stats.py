"""Confidence intervals the readers attach to their values (the method is stated in docs/monitoring.md).

- A rate from a count of independent events over an effort (detections per 100 trap-nights,
  detections per recording hour): the count is taken as Poisson and its exact 95 % interval is
  approximated by Byar's formula (within 1 % of the exact chi-square interval from 1 event on;
  0 events: [0, 3.689]), then divided by the effort.
- A proportion (naive occupancy: deployments with a detection / deployments active): the Wilson
  score interval at 95 %.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def poisson_interval(count: int) -> tuple[float, float]:
    """95 % interval of a Poisson mean from one observed count (Byar's approximation)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return 0.0, 3.6888794541139363  # -ln(0.025): the exact upper bound for 0 events
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
