"""Γ(x), log|Γ(x)|, ψ(x) and ψ⁽ⁿ⁾(x) on Python floats, written here: Python's math has gamma and lgamma
but no digamma or polygamma, and numpy has none of them (SciPy has all four, at ~40 MB of install).

ψ⁽ⁿ⁾ for x > 0 shifts x up with ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿ·n!/x^(n+1) until it is past the size where
the asymptotic series (Abramowitz & Stegun 6.3.18, 6.4.11) is good to a float, and adds the terms with
math.fsum (correctly rounded, so no order of summation loses digits); x < 0 reflects,
ψ⁽ⁿ⁾(x) = (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹·Pₙ(cot πx) with Pₙ the n-th derivative of cot as a polynomial in cot.
Near the positive root of ψ (x₀ ≈ 1.4616) its Taylor series about x₀ keeps relative accuracy.
Poles (x = 0, −1, −2, …) give nan: the op's `explain` says why. tests/test_special.py checks each
against mpmath at thousands of points.
"""

from __future__ import annotations

import math

# B₂, B₄, …, B₄₀ as (numerator, denominator).
_BERNOULLI = ((1, 6), (-1, 30), (1, 42), (-1, 30), (5, 66), (-691, 2730), (7, 6), (-3617, 510),
              (43867, 798), (-174611, 330), (854513, 138), (-236364091, 2730), (8553103, 6),
              (-23749461029, 870), (8615841276005, 14322), (-7709321041217, 510), (2577687858367, 6),
              (-26315271553053477373, 1919190), (2929993913841559, 6), (-261082718496449122051, 13530))
# B_2k / (2k)!, the asymptotic series' coefficients (ψ⁽ⁿ⁾ multiplies them by (n + 1)…(n + 2k − 1)).
_B_OVER_FACTORIAL = tuple(p / q / math.factorial(2 * k) for k, (p, q) in enumerate(_BERNOULLI, start=1))
# B_2k / 2k, digamma's.
_B_OVER_2K = tuple(p / q / (2 * k) for k, (p, q) in enumerate(_BERNOULLI, start=1))

# The positive root of ψ as hi + lo (mpmath, 40 digits), and ψ⁽ᵏ⁾(x₀)/k! for k = 1 … 14.
_ROOT_HI, _ROOT_LO = 1.4616321449683622, 9.549995429965697e-17
_ROOT_SERIES = (0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652,
                0.10782405069126237, -0.07219956125645471, 0.04880428816414311, -0.03316112647484736,
                0.022597648232218104, -0.01542476590494896, 0.010538791616612175, -0.007204534386356869,
                0.004926781395729853, -0.003369801655439328)
_NEAR_ROOT = 1.0 / 16.0     # |x − x₀| below which the root's series is used (its terms fall by 0.043)

_NAN, _INF = math.nan, math.inf
# logs of the largest float and of half the smallest subnormal: beyond them a value is inf or 0.0
_LOG_HUGE, _LOG_TINY = math.log(1.7976931348623157e308), -1075 * math.log(2.0)


def is_pole(x: float) -> bool:
    """x = 0, −1, −2, …: where Γ, log|Γ| and every ψ⁽ⁿ⁾ are infinite."""
    return x <= 0.0 and x == math.floor(x)


def gamma(x: float) -> float:
    """Γ(x) (math.gamma), nan at the poles and ±inf past the largest float."""
    try:
        return math.gamma(x)
    except ValueError:       # a pole (or nan, inf: math.gamma(-inf) raises; numpy's value is nan)
        return _INF if x == _INF else _NAN
    except OverflowError:    # x > 171.6, or x just beside a pole: Γ's sign there is (−1)^⌈−x⌉
        return _INF if x > 0.0 else math.copysign(_INF, -1.0 if math.floor(-x) % 2 == 0 else 1.0)


# log Γ(1 + ε) = −γε + Σ_{k≥2} (−1)ᵏ·ζ(k)/k·εᵏ (mpmath, 30 digits): these coefficients, k = 1 … 27.
_LGAMMA_AT_1 = (-0.5772156649015329, 0.8224670334241132, -0.40068563438653143, 0.27058080842778454,
                -0.20738555102867398, 0.1695571769974082, -0.1440498967688461, 0.12550966952474304,
                -0.11133426586956469, 0.1000994575127818, -0.09095401714582904, 0.083353840546109,
                -0.0769325164113522, 0.07143294629536133, -0.06666870588242046, 0.06250095514121304,
                -0.058823978658684585, 0.055555767627403614, -0.05263167937961666, 0.05000004769810169,
                -0.047619070330142226, 0.04545455629320467, -0.04347826605304026, 0.04166666915034121,
                -0.04000000119214014, 0.03846153903467518, -0.037037037312989324)


def lgamma(x: float) -> float:
    """log|Γ(x)| (math.lgamma, as torch.lgamma and scipy.special.gammaln), nan at the poles. Beside its
    roots 1 and 2 from the series about 1: CPython's math.lgamma is only absolutely accurate there
    (lgamma(2 − 2⁻⁵⁰) came out 159% off), where the C library's, torch's, is relatively accurate."""
    if is_pole(x):
        return _NAN
    if abs(x - 1.0) < 0.25 or abs(x - 2.0) < 0.25:
        near_2 = x > 1.5
        e = x - 2.0 if near_2 else x - 1.0           # exact (Sterbenz)
        total = 0.0
        for coefficient in reversed(_LGAMMA_AT_1):
            total = (total + coefficient) * e
        return total + math.log1p(e) if near_2 else total     # log Γ(2 + ε) = log Γ(1 + ε) + log(1 + ε)
    try:
        return math.lgamma(x)
    except OverflowError:
        return _INF


def factorial(x: float) -> float:
    """x! for a whole x ≥ 0, as float(math.factorial(x)) (correctly rounded); nan elsewhere, where
    Python's math.factorial raises."""
    if not (x >= 0.0 and x == math.floor(x)) or x == _INF:
        return _NAN
    if x > 170.0:
        return _INF
    return float(math.factorial(int(x)))


def digamma(x: float) -> float:
    return polygamma(0, x)


def polygamma(n: int, x: float) -> float:
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ = Γ′/Γ (n = 0: digamma, 1: trigamma); nan at the poles."""
    if x != x or is_pole(x):
        return _NAN
    if x == _INF:
        return _INF if n == 0 else 0.0
    if x < 0.0:
        return _reflected(n, x)
    if n == 0 and abs(x - _ROOT_HI) < _NEAR_ROOT:
        return _digamma_near_root(x)
    # Shift up to y ≥ 10 + n (digamma: 10), where the asymptotic series' terms fall fast enough
    # (the k-th shrinks by about ((n + 2k)/(2πy))²) for 20 of them to reach a float's precision.
    start = 10.0 + n
    steps = max(0, math.ceil(start - x))
    if n == 0:
        terms = [-1.0 / (x + k) for k in range(steps)]
        y = x + steps
        terms += _digamma_asymptotic(y)
        return math.fsum(terms)
    sign = 1.0 if n % 2 else -1.0
    # |ψ⁽ⁿ⁾(x)| = Σ n!/(x + k)ⁿ⁺¹ lies between its first term and that plus (n − 1)!/xⁿ (the rest
    # against its integral): where both bounds are past a float's range, so is the value, known
    # without summing (polygamma(10⁵, 0.5) summed for minutes before it said overflow).
    log_x = math.log(x)
    if math.lgamma(n + 1.0) - (n + 1.0) * log_x > _LOG_HUGE:
        return sign * _INF
    if math.lgamma(n) - n * log_x + math.log1p(n / x) < _LOG_TINY:
        return sign * 0.0
    terms = []
    for k in range(steps):
        terms.append(_factorial_over_power(n, x + k, n + 1))
        # What follows term k sums to at most term·(x + k)/n: once that is far below the first term,
        # the shift is done (a large order's terms fall by about e^−n/(x+k) a step).
        if terms[-1] * (x + k) < 1e-18 * n * terms[0]:
            return sign * math.fsum(terms)
    terms += _polygamma_asymptotic(n, x + steps)
    return sign * math.fsum(terms)


def _factorial_over_power(n: int, z: float, m: int) -> float:
    """n!/zᵐ: n! × z⁻ᵐ (each correctly rounded or nearly), or where one of them is past a float's range
    (polygamma(101, 1e4): 1e4⁻¹⁰¹ underflows, the result 1e-244 does not), a running product of j/z."""
    power = _inverse_power(z, m)
    if n <= 170 and 1e-290 < power < _INF:
        return math.factorial(n) * power
    result = 1.0
    for j in range(1, n + 1):
        result *= j / z
    for _ in range(m - n):
        result /= z
    return result


def _inverse_power(y: float, power: int) -> float:
    try:
        return y ** -power
    except (OverflowError, ZeroDivisionError):
        return _INF


def _digamma_asymptotic(y: float) -> list[float]:
    """log y − 1/(2y) − Σ B_2k/(2k·y^2k), as terms."""
    terms = [math.log(y), -0.5 / y]
    inverse_square = 1.0 / (y * y)
    power = inverse_square
    for coefficient in _B_OVER_2K:
        term = coefficient * power
        terms.append(-term)
        if abs(term) < 1e-20 * terms[0]:
            break
        power *= inverse_square
    return terms


def _polygamma_asymptotic(n: int, y: float) -> list[float]:
    """(−1)ⁿ⁺¹ψ⁽ⁿ⁾(y) for large y as terms: (n−1)!/yⁿ·(1 + n/(2y) + n·Σ B_2k/(2k)!·(n+1)…(n+2k−1)·y^−2k),
    led by (n−1)!/yⁿ, which stays a normal float longer than n!/yⁿ⁺¹ (trigamma(1e160) kept 5 digits)."""
    lead = _factorial_over_power(n - 1, y, n)
    if lead == 0.0:
        return [0.0]
    terms = [lead, lead * (0.5 * n / y)]
    inverse_square = 1.0 / (y * y)
    rising = float(n + 1)          # (n + 1)…(n + 2k − 1), k = 1
    power = lead * n * inverse_square
    for k, coefficient in enumerate(_B_OVER_FACTORIAL, start=1):
        term = coefficient * rising * power
        terms.append(term)
        if abs(term) < 1e-20 * terms[0]:
            break
        rising *= (n + 2 * k) * (n + 2 * k + 1)
        power *= inverse_square
    return terms


def _digamma_near_root(x: float) -> float:
    """ψ(x) = Σ ψ⁽ᵏ⁾(x₀)/k!·(x − x₀)ᵏ: beside its root ψ is small, and the shifted sum's terms (about
    2.5 in size) would leave it only absolute accuracy."""
    d = (x - _ROOT_HI) - _ROOT_LO      # x − _ROOT_HI is exact (Sterbenz)
    total = 0.0
    for coefficient in reversed(_ROOT_SERIES):
        total = (total + coefficient) * d
    return total


_COT_DERIVATIVES: list[list[int]] = [[0, 1]]     # Pₙ's coefficients: P₀(c) = c


def _cot_derivative(n: int) -> list[int]:
    """The coefficients of Pₙ, dⁿ/dyⁿ cot y = Pₙ(cot y): P₀ = c, Pₙ₊₁ = −(1 + c²)·Pₙ′(c). Exact integers."""
    while len(_COT_DERIVATIVES) <= n:
        p = _COT_DERIVATIVES[-1]
        derivative = [j * p[j] for j in range(1, len(p))] or [0]
        nxt = [0] * (len(derivative) + 2)
        for j, a in enumerate(derivative):
            nxt[j] -= a
            nxt[j + 2] -= a
        _COT_DERIVATIVES.append(nxt)
    return _COT_DERIVATIVES[n]


def _reflected(n: int, x: float) -> float:
    """ψ⁽ⁿ⁾(x) = (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹·Pₙ(cot πx), for x < 0 not a pole."""
    r = x - round(x)                  # exact; cot has period 1, and π·r keeps its digits near the pole
    # cot(πr) to a few ulp: near r = ±½ as tan(π(½ − |r|)), ½ − |r| exact (0 at a half-integer)
    c = 1.0 / math.tan(math.pi * r) if abs(r) <= 0.25 else math.copysign(math.tan(math.pi * (0.5 - abs(r))), r)
    # Pₙ's nonzero coefficients all have one sign and the parity of n + 1: evaluate at |c| (no
    # cancellation), then Pₙ(−c) = (−1)ⁿ⁺¹·Pₙ(c).
    size = abs(c)
    try:
        value = 0.0
        for a in reversed(_cot_derivative(n)):
            value = value * size + a
        value *= math.pi ** (n + 1)
    except OverflowError:
        value = _INF if _cot_derivative(n)[-1] > 0 else -_INF   # an int past a float: no copysign
    if c < 0.0 and n % 2 == 0:
        value = -value
    other = polygamma(n, 1.0 - x)
    return (other if n % 2 == 0 else -other) - value


def polygamma_scale(n: int, x: float) -> float:
    """The size of the terms ψ⁽ⁿ⁾(x) is summed from: its rounding error is a few ulp of this. For x < 0
    the reflection's two terms, for digamma at x > 0 the logarithm it is shifted to (beside its root,
    where the root's series is used, ψ itself); else |ψ⁽ⁿ⁾(x)| (its terms share one sign)."""
    value = polygamma(n, x)
    if x < 0.0:
        other = polygamma(n, 1.0 - x)
        return abs(other) + abs((other if n % 2 == 0 else -other) - value)
    if n == 0 and abs(x - _ROOT_HI) >= _NEAR_ROOT:
        return abs(value) + math.log(x + 11.0)
    return abs(value)
