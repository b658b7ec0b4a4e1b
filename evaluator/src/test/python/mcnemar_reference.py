"""Reference p-values for McNemarTest: exact rational arithmetic, with scipy alongside as a second opinion.

Run: /usr/bin/python3 evaluator/src/test/python/mcnemar_reference.py
X ~ Binomial(n = b + c, 1/2). P(X <= m) = sum_{i<=m} C(n, i) / 2^n, computed with Python's big integers and
rounded once to a double, so it is correct to the last bit even where 2^-n underflows intermediate doubles.
Two-sided: min(1, 2 P(X <= min(b, c))); scipy's binomtest(min(b, c), n, 0.5) gives the same for the symmetric null.
One-sided "challenger better": P(X >= c) = P(X <= b); scipy: binomtest(c, n, 0.5, alternative="greater").
"""
from fractions import Fraction

try:
    from scipy.stats import binomtest
except ImportError:  # the exact column needs no scipy
    binomtest = None

CASES = [(0, 10), (10, 10), (3, 12), (12, 3), (1, 1), (0, 1), (5, 0), (2, 9), (40, 60),
         (430, 570), (4900, 5100), (49000, 51000), (49800, 50200), (50000, 50000), (47000, 53000), (300, 700)]


def cdf(n, m):
    if m < 0:
        return Fraction(0)
    if m >= n:
        return Fraction(1)
    total, term = 0, 1  # term = C(n, i), updated exactly: C(n, i + 1) = C(n, i) (n - i) / (i + 1)
    for i in range(m + 1):
        total += term
        term = term * (n - i) // (i + 1)
    return Fraction(total, 2 ** n)


for b, c in CASES:
    n = b + c
    two = float(min(Fraction(1), 2 * cdf(n, min(b, c))))
    one = float(cdf(n, b))
    line = f"{b} {c} {two!r} {one!r}"
    if binomtest is not None:
        line += f"   scipy: {binomtest(min(b, c), n, 0.5).pvalue!r} {binomtest(c, n, 0.5, alternative='greater').pvalue!r}"
    print(line)
