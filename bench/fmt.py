"""fmt.py: how the bench writes a number, once for the CSVs and the report.

The report quotes the data files' strings verbatim, so a verdict's number is
always a field of some data/*.csv.
"""


def num(v):
    """A measured value with 3-4 significant digits and no exponent."""
    v = float(v)
    if v != v:
        return ""
    a = abs(v)
    if a >= 100 or v == int(v) and a < 1e15:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def ratio(a, b):
    """a / b as written in a verdict ("2.9"), or "" when b is zero."""
    a, b = float(a), float(b)
    if b == 0:
        return ""
    return times(a / b)


def times(x):
    """A ratio or an interval bound as a verdict writes it ("2.9", "14.2")."""
    x = float(x)
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"
