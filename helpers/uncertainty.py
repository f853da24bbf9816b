"""How sure are we? Monte Carlo over sourced ranges, returning percentile bands.

Every input that a source gives as a range (0.001–0.003 kWh per query, PUE 1.09–1.58, batching
saves 3–5×) becomes a :class:`Range`. :func:`sample` draws all of them at once with a seeded
``numpy.random.default_rng``; a calculator from ``helpers.fleet`` is then called *once* on the
arrays (the calculators are vectorized), and :func:`band` reports the 5th, 50th and 95th
percentiles. Same seed, same numbers: the notebooks stay deterministic.

Which distribution?
-------------------
- ``"uniform"``: every value in [low, high] equally likely. For narrow ranges where the source
  gives no central value, or a midpoint (PUE between two surveys; the seed's 1–3 Wh, whose
  midpoint 2 Wh is the seed's own central value).
- ``"triangular"``: most likely at ``mode``, falling linearly to zero at the ends. For a measured
  median with a min–max range (ML.ENERGY's FP8 comparisons).
- ``"loguniform"``: uniform in the logarithm, so a factor of 3 up is as likely as a factor of 3
  down. For ranges spanning several-fold where the order of magnitude is the uncertainty
  (batching's 3–5×, energy per query across models). Its median is the geometric mean
  √(low × high), not the midpoint.

These are modelling choices, not facts from the sources: a source's range is usually a min–max
of a few measurements, not a probability distribution. The bands say "if every input varies
over its sourced range like this, the output lands here", nothing more.

References
----------
.. [1] NumPy, "Random Generator", https://numpy.org/doc/stable/reference/random/generator.html
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from helpers import fleet
from helpers._validate import InputTypeError, as_array, as_number, calculator, is_scalar_number

__all__ = [
    "SHAPES",
    "Range",
    "Band",
    "sample",
    "monte_carlo",
    "percentiles",
    "band",
    "lever_chain",
]

SHAPES = ("uniform", "triangular", "loguniform")
"""The distribution shapes a :class:`Range` can take."""


@dataclass(frozen=True)
class Range:
    """An uncertain input: its bounds, the shape of the distribution and (for triangular) the mode.

    Parameters
    ----------
    low, high : float
        Bounds, finite, ``low ≤ high`` (equal bounds give a constant). ``"loguniform"`` needs
        ``low > 0``.
    shape : str, default "uniform"
        One of :data:`SHAPES`.
    mode : float, optional
        Most likely value for ``"triangular"`` (required there), in [low, high].

    Examples
    --------
    >>> Range(1.1, 1.6).central()
    1.35
    >>> Range(0.2, 0.333, "loguniform").central() == math.sqrt(0.2 * 0.333)
    True
    """

    low: float
    high: float
    shape: str = "uniform"
    mode: float | None = None

    def __post_init__(self):
        lo = float(as_array(self.low, "low", low=-math.inf))
        hi = float(as_array(self.high, "high", low=-math.inf))
        if hi < lo:
            raise ValueError(f"high must be ≥ low; got low={lo:g}, high={hi:g}")
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}; got {self.shape!r}")
        if self.shape == "loguniform" and lo <= 0:
            raise ValueError(f"low must be > 0 for a loguniform range; got {lo:g}")
        if self.shape == "triangular":
            if self.mode is None:
                raise ValueError("mode is required for a triangular range")
            as_array(self.mode, "mode", low=lo, high=hi)
        elif self.mode is not None:
            raise ValueError(f"mode is only used by a triangular range, not {self.shape!r}")

    @classmethod
    def from_factors(cls, low, central, high, distribution) -> Range:
        """A Range from a row of ``data/levers.csv`` (``central`` is the mode if triangular).

        >>> Range.from_factors(0.71, 0.89, 1.0, "triangular").mode
        0.89
        """
        mode = float(central) if distribution == "triangular" else None
        return cls(float(low), float(high), str(distribution), mode)

    def central(self) -> float:
        """The median of the distribution (the mode for triangular)."""
        if self.shape == "loguniform":
            return math.sqrt(self.low * self.high)
        if self.shape == "triangular":
            return float(self.mode)
        return (self.low + self.high) / 2

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from this range with generator ``rng``."""
        if self.low == self.high:
            return np.full(n, float(self.low))
        if self.shape == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.shape == "triangular":
            return rng.triangular(self.low, self.mode, self.high, n)
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n))


class Band(NamedTuple):
    """Percentiles of a Monte Carlo result: low, median, high (5th, 50th, 95th by default)."""

    low: float
    median: float
    high: float

    def __str__(self) -> str:
        return f"{_sig3(self.median)} (5–95 %: {_sig3(self.low)} to {_sig3(self.high)})"


def _sig3(x: float) -> str:
    """Three significant figures, with thousands separators for large numbers."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    rounded = round(x, 2 - int(math.floor(math.log10(abs(x)))))
    if abs(rounded) >= 1000:  # 999.7 rounds to 1,000: print it as such, not as 1e+03
        return f"{rounded:,.0f}"
    return f"{x:.3g}"


def _whole(value, name: str, minimum: int) -> int:
    if not is_scalar_number(value):
        raise InputTypeError(f"{name} must be a whole number ≥ {minimum}; got {value!r}")
    ok = math.isfinite(float(value)) if abs(value) < 1e300 else False
    if not ok or value != int(value) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}; got {value!r}")
    return int(value)


def _check_n(n) -> int:
    return _whole(n, "n", 1)


@calculator
def sample(ranges: Mapping[str, Range | float], n: int = 100_000, seed: int = 0) -> dict:
    """Draw ``n`` values of every input at once.

    Parameters
    ----------
    ranges : mapping of str to Range or float
        Input name → its :class:`Range`; a plain number is a constant.
    n : int, default 100_000
        Number of draws, ≥ 1.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: the same seed gives the same draws.

    Returns
    -------
    dict of str to ndarray
        One array of length ``n`` per input (constants stay scalars).

    Examples
    --------
    >>> s = sample({"pue": Range(1.1, 1.6), "queries": 1e7}, n=3, seed=1)
    >>> s["pue"].shape, s["queries"]
    ((3,), 10000000.0)
    """
    n = _check_n(n)
    rng = np.random.default_rng(_whole(seed, "seed", 0))
    if not isinstance(ranges, Mapping):
        raise InputTypeError(
            f"ranges must be a mapping of names to Range or numbers; got {ranges!r}"
        )
    if not ranges:
        raise ValueError("ranges must name at least one input; got an empty mapping")
    out = {}
    for name, spec in ranges.items():
        if not isinstance(name, str):
            raise InputTypeError(f"ranges must have str keys (parameter names); got {name!r}")
        if isinstance(spec, Range):
            out[name] = spec.draw(rng, n)
        else:
            out[name] = as_number(spec, f"ranges[{name!r}]", low=-math.inf)
    return out


@calculator
def monte_carlo(
    model: Callable[..., object],
    ranges: Mapping[str, Range | float],
    n: int = 100_000,
    seed: int = 0,
) -> np.ndarray:
    """Evaluate a vectorized ``model(**inputs)`` on ``n`` joint draws of ``ranges``.

    Parameters
    ----------
    model : callable
        Takes one keyword argument per entry of ``ranges`` (arrays of length ``n``) and returns
        an array of length ``n`` (a ``helpers.fleet`` calculator, or a small lambda chaining
        them).
    ranges, n, seed
        As in :func:`sample`.

    Returns
    -------
    ndarray
        The ``n`` model outputs.

    Examples
    --------
    >>> from helpers import fleet
    >>> out = monte_carlo(fleet.queries_energy_wh,
    ...                   {"queries": 1e7, "energy_per_query_wh": Range(1, 3)}, n=1000)
    >>> bool(10e6 <= out.min() and out.max() <= 30e6)  # Wh: 10,000 to 30,000 kWh
    True
    """
    if not callable(model):
        raise InputTypeError(f"model must be a function of the inputs; got {model!r}")
    n = _check_n(n)
    draws = sample(ranges, n, seed)
    try:
        inspect.signature(model).bind(**draws)
    except TypeError as err:
        raise ValueError(f"ranges must name exactly the inputs model takes: {err}") from None
    except ValueError:  # no signature to read (a builtin): let the call itself tell
        pass
    out = model(**draws)
    values = as_array(out, "the output of model", low=-math.inf)
    if values.shape not in ((), (n,)):
        raise ValueError(
            f"model must return one number or an array of length n={n}; got shape {values.shape}"
        )
    return np.broadcast_to(values, (n,)) if values.ndim == 0 else values


@calculator
def percentiles(values, q=(5, 50, 95)) -> np.ndarray:
    """Percentiles ``q`` (in %) of ``values`` along the first axis.

    Parameters
    ----------
    values : array_like
        Monte Carlo outputs, finite.
    q : sequence of float, default (5, 50, 95)
        Percentiles in [0, 100].

    Returns
    -------
    ndarray
        One row per percentile.

    Examples
    --------
    >>> percentiles([1, 2, 3, 4, 5])
    array([1.2, 3. , 4.8])
    """
    v = as_array(values, "values", low=-math.inf)
    qq = as_array(q, "q", high=100.0)
    return np.percentile(v, qq, axis=0)


@calculator
def band(
    model: Callable[..., object],
    ranges: Mapping[str, Range | float],
    n: int = 100_000,
    seed: int = 0,
    q=(5, 50, 95),
) -> Band:
    """The ``q`` percentiles (default 5/50/95) of ``model`` over ``ranges``: a :class:`Band`.

    Examples
    --------
    The seed's monthly bill with energy per query anywhere in 1–3 Wh and PUE in 1.1–1.6:

    >>> from helpers import fleet
    >>> from helpers.units import convert_energy
    >>> def bill(energy_per_query_wh, pue):
    ...     wh = fleet.queries_energy_wh(10_000_000, energy_per_query_wh, pue)
    ...     return fleet.electricity_cost_usd(convert_energy(wh, "Wh", "kWh"), 0.10)
    >>> b = band(bill, {"energy_per_query_wh": Range(1, 3), "pue": Range(1.1, 1.6)})
    >>> print(b)
    2,660 (5–95 %: 1,450 to 4,110)
    """
    if len(q) != 3:
        raise ValueError(f"q must give three percentiles (low, median, high); got {q!r}")
    lo, mid, hi = percentiles(monte_carlo(model, ranges, n, seed), q)
    return Band(float(lo), float(mid), float(hi))


@calculator
def lever_chain(
    baseline: Range | float, levers: Sequence[Range | float], n: int = 100_000, seed: int = 0
) -> np.ndarray:
    """Monte Carlo of a lever waterfall: the baseline and the value after each lever.

    Parameters
    ----------
    baseline : Range, float or ndarray
        The starting value (e.g. monthly energy), its range, or ``n`` draws of it already made
        (e.g. by :func:`monte_carlo`, with another seed so the draws stay independent).
    levers : sequence of Range or float
        One factor (value after ÷ before) per lever, in order, > 0.
    n, seed
        As in :func:`sample`; the baseline is drawn first, then the levers in order.

    Returns
    -------
    ndarray
        Shape ``(len(levers) + 1, n)``: row 0 the baseline, row k the value after lever k.
        ``percentiles(chain, (5, 95))`` along axis 1 gives each step's band.

    Examples
    --------
    >>> chain = lever_chain(100.0, [0.5, Range(0.7, 0.9)], n=1000)
    >>> chain.shape, float(chain[1].max())
    ((3, 1000), 50.0)
    """
    n = _check_n(n)
    names = [f"lever_{k}" for k in range(len(levers))]
    given = isinstance(baseline, np.ndarray) and baseline.ndim == 1
    if given:
        baseline = as_array(baseline, "baseline")
    if given and baseline.shape != (n,):
        raise ValueError(f"baseline draws must have length n={n}; got {baseline.shape[0]}")
    specs = {} if given else {"baseline": baseline}
    draws = sample({**specs, **dict(zip(names, levers, strict=True))}, n, seed)
    base = as_array(baseline, "baseline") if given else np.broadcast_to(draws["baseline"], (n,))
    factors = np.stack([np.broadcast_to(draws[k], (n,)) for k in names]) if names else None
    if factors is None:
        return base[np.newaxis].copy()
    return fleet.apply_levers(base, factors)
