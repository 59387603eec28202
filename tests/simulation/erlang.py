"""Queueing formulas, written here independently of the simulator, as an outside check.

Erlang C (M/M/n): probability of waiting and service level. Erlang A (M/M/n+M, Palm's model
with exponential patience): probability of waiting and of abandonment, both in the closed form of
Garnett, Mandelbaum and Reiman (2002) as summarised by Mandelbaum and Zeltyn, and by summing the
birth-death chain directly, so the two computations check each other.
"""

from __future__ import annotations

import math


def erlang_b(n: int, a: float) -> float:
    """Blocking probability of M/M/n/n with offered load ``a`` erlangs (stable recursion)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n: int, a: float) -> float:
    """P(wait > 0) in M/M/n with offered load ``a`` = lambda/mu erlangs (requires a < n)."""
    if a >= n:
        return 1.0
    b = erlang_b(n, a)
    rho = a / n
    return b / (1.0 - rho * (1.0 - b))


def erlang_c_service_level(n: int, lam: float, mu: float, t: float) -> float:
    """P(wait <= t) in M/M/n (FCFS)."""
    c = erlang_c(n, lam / mu)
    return 1.0 - c * math.exp(-(n * mu - lam) * t)


def _a_function(x: float, y: float) -> float:
    """A(x, y) = x e^y y^-x gamma(x, y) = 1 + sum_j y^j / prod_{k=1..j} (x + k)."""
    total, term, j = 1.0, 1.0, 0
    while True:
        j += 1
        term *= y / (x + j)
        total += term
        if term < 1e-16 * total:
            return total


def erlang_a(n: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """(P(wait > 0), P(abandon)) in M/M/n+M, closed form (Garnett-Mandelbaum-Reiman)."""
    rho = lam / (n * mu)
    b = erlang_b(n, lam / mu)
    a = _a_function(n * mu / theta, lam / theta)
    p_wait = a * b / (1.0 + (a - 1.0) * b)
    p_abandon = (1.0 / (rho * a) + 1.0 - 1.0 / rho) * p_wait
    return p_wait, p_abandon


def erlang_a_chain(n: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """The same two figures by summing the birth-death chain's stationary distribution."""
    # unnormalised log-free weights, built by ratios to stay finite
    weights = [1.0]
    for k in range(1, n + 1):
        weights.append(weights[-1] * lam / (k * mu))
    j = 0
    while True:
        j += 1
        w = weights[-1] * lam / (n * mu + j * theta)
        weights.append(w)
        if w < 1e-18 * sum(weights[-50:]) and j > 10:
            break
    total = sum(weights)
    p_wait = sum(weights[n:]) / total
    mean_queue = sum((k - n) * w for k, w in enumerate(weights) if k > n) / total
    return p_wait, theta * mean_queue / lam
