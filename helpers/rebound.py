"""Rebound effects: when an efficiency gain saves less energy than expected, or none at all.

An efficiency gain lowers the energy needed per unit of a service (a kilometre driven, a room
heated, a token generated). That makes the service cheaper, people use more of it, and part of
the expected saving is "taken back". Jevons (1865) argued that for coal the take-back exceeded
the saving; the rebound literature (Sorrell 2007) measures how large it is in practice. This
module makes the question a matter of parameters:

``efficiency_gain`` g
    The fall in energy per unit of service, as a fraction: energy per unit after = (1 − g) ×
    before. "33 times less energy per prompt" is g = 1 − 1/33 (:func:`gain_from_factor`).
``cost_share`` s
    The share of the service's price that falls with the gain. In the textbook case energy is
    the whole cost of the service (s = 1, the default). If energy is only part of it, the price
    falls by s × g. For AI a compute-efficiency gain cuts hardware time *and* energy per token,
    so s can be close to 1 even though electricity is a small part of the bill; a gain that only
    saves electricity (say, cooling) has s equal to electricity's small share of the price.
``elasticity`` ε
    The price elasticity of demand for the service, given as a non-negative magnitude:
    demand ∝ price^(−ε). Published estimates are often written with a minus sign (−1.1); pass
    1.1.
``saturation_ratio`` h
    A ceiling on demand, as a multiple of demand before the gain (h ≥ 1). h = 1 means demand is
    already at its ceiling: the vacuum-cleaner case, where the flat is clean and the saving is
    "banked". ``None`` (default) means no ceiling.

All functions take scalars or arrays (numpy broadcasting) and return a float for scalar input.

Notes
-----
**Constant-elasticity demand.** With the price ratio x = 1 − s g, service demand changes by
S₁/S₀ = x^(−ε), and energy E = S × (energy per unit) by

.. math:: \\frac{E_1}{E_0} = (1 - g)\\,(1 - s g)^{-\\varepsilon}

The *expected* (engineering) saving is g: the same service with less energy per unit. The
*actual* saving is 1 − E₁/E₀. The rebound is the share of the expected saving that is lost:

.. math:: R = 1 - \\frac{1 - E_1/E_0}{g} = \\frac{(1 - g)\\,(S_1/S_0 - 1)}{g}

R = 0 is the full saving, 0 < R < 1 a partial take-back, R = 1 no saving at all, and R > 1
**backfire** (Jevons' paradox): energy use rises.

What holds exactly, for every g in (0, 1), in these definitions:

* ε = 0 gives R = 0 (full saving), for any s.
* With s = 1, E₁/E₀ = (1 − g)^(1 − ε). So ε = 1 keeps energy *exactly* constant (R = 1) for any
  size of gain, not only for small ones, and ε > 1 is backfire for any g.
* With s < 1 the backfire threshold is ε* = ln(1 − g) / ln(1 − s g) (:func:`backfire_elasticity`).
  Because −ln(1 − x) is convex, ε* ≥ 1/s, with equality only in the limit of small gains. So a
  service whose energy is half its cost backfires only if ε > 2, and for large gains not even
  then.
* For small gains R → s ε. This is the familiar approximation "direct rebound ≈ own-price
  elasticity of demand for the service" (for s = 1); for large gains R differs from s ε (e.g.
  s = 1, ε = 0.5, g = 0.5 gives R ≈ 0.41, not 0.5).

**Satiating demand.** With a hard ceiling h, S₁/S₀ = min((1 − s g)^(−ε), h): demand grows with
the falling price until it reaches the ceiling, and any further gain is banked in full. If
demand is already at its ceiling (h = 1), R = 0 whatever ε. Backfire needs h > 1/(1 − g):
the ceiling must leave room for more than 1/(1 − g) times the service.

A *smooth* alternative (``smooth=True``) lets demand approach the ceiling gradually:

.. math:: \\frac{S_1}{S_0} = \\frac{h}{1 + (h - 1)\\,x^{\\varepsilon}}

It equals 1 at x = 1, tends to h as the price goes to zero, tends to x^(−ε) as h → ∞, and its
local elasticity at today's price is ε (h − 1)/h: the closer demand is to the ceiling, the
weaker its response.

**Adoption.** New users (and new uses) are a separate channel: with a logistic adoption share
A(t) = 1 / (1 + exp(−k (t − t₀))) and energy per user falling by a factor (1 − g) a year, energy
relative to today is A(t)/A(0) × (1 − g)^t (:func:`adoption_energy_ratio`). It rises while
adoption grows faster than efficiency improves, then falls (:func:`adoption_peak_year`).

These are partial-equilibrium models of the *direct* rebound of one service. They leave out
indirect rebound (money saved and spent elsewhere) and economy-wide effects, which Sorrell
(2007) and Luccioni, Strubell & Crawford (2025) stress are often the larger part.

References
----------
.. [1] W. S. Jevons, "The Coal Question; An Inquiry Concerning the Progress of the Nation, and
   the Probable Exhaustion of Our Coal-mines", Macmillan, London, 1865, chapter VII "Of the
   Economy of Fuel".
.. [2] S. Sorrell, "The Rebound Effect: an assessment of the evidence for economy-wide energy
   savings from improved energy efficiency", UK Energy Research Centre, 2007.
.. [3] A. S. Luccioni, E. Strubell, K. Crawford, "From Efficiency Gains to Rebound Effects: The
   Problem of Jevons' Paradox in AI's Polarized Environmental Debate", FAccT 2025,
   doi:10.1145/3715275.3732007 (arXiv:2501.16548).
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_flag, calculator, result

__all__ = [
    "gain_from_factor",
    "price_ratio",
    "service_ratio",
    "energy_ratio",
    "energy_saving",
    "rebound",
    "backfire_elasticity",
    "backfire_ceiling",
    "observed_energy_ratio",
    "observed_rebound",
    "implied_elasticity",
    "adoption_share",
    "adoption_energy_ratio",
    "adoption_peak_year",
]

MAX_ELASTICITY = 10.0
"""Upper bound accepted for ``elasticity``; empirical estimates lie far below it."""


def _gain(efficiency_gain, name="efficiency_gain"):
    return as_array(efficiency_gain, name, low=0.0, high=1.0, low_open=True, high_open=True)


def _elasticity(elasticity):
    return as_array(elasticity, "elasticity", low=0.0, high=MAX_ELASTICITY)


def _share(cost_share):
    return as_array(cost_share, "cost_share", low=0.0, high=1.0, low_open=True)


def _ceiling(saturation_ratio):
    if saturation_ratio is None:
        return None
    return as_array(saturation_ratio, "saturation_ratio", low=1.0)


def _log_service(g, eps, s, h, smooth):
    """ln(S₁/S₀), the log of demand after ÷ before."""
    smooth = as_flag(smooth, "smooth")
    log_x = np.log1p(-s * g)  # ln(price ratio), ≤ 0
    free = -eps * log_x  # constant-elasticity demand, ≥ 0
    if h is None:
        return free
    if not smooth:
        return np.minimum(free, np.log(h))
    return np.log(h) - np.log1p((h - 1.0) * np.exp(eps * log_x))


def _log_energy(g, eps, s, h, smooth):
    """ln(E₁/E₀) = ln(1 − g) + ln(S₁/S₀); exactly 0 when s = 1 and ε = 1."""
    return np.log1p(-g) + _log_service(g, eps, s, h, smooth)


def _inputs(efficiency_gain, elasticity, cost_share, saturation_ratio):
    return (
        _gain(efficiency_gain),
        _elasticity(elasticity),
        _share(cost_share),
        _ceiling(saturation_ratio),
    )


@calculator
def gain_from_factor(reduction_factor):
    """Efficiency gain g from an "n times less energy" factor: g = 1 − 1/n.

    Parameters
    ----------
    reduction_factor : float or array_like
        Energy per unit before ÷ after [-], > 1 (a factor of 1 would be no gain).

    Returns
    -------
    float or ndarray
        Efficiency gain g [-], in (0, 1).

    Examples
    --------
    Google: 33 times less energy per median Gemini prompt in a year.

    >>> round(gain_from_factor(33), 4)
    0.9697
    """
    f = as_array(reduction_factor, "reduction_factor", low=1.0, low_open=True)
    return result(-np.expm1(-np.log(f)))


@calculator
def price_ratio(efficiency_gain, cost_share=1.0):
    """Price of the service after the gain ÷ before: 1 − s g.

    Parameters
    ----------
    efficiency_gain : float or array_like
        Fall in energy per unit of service g [-], in (0, 1).
    cost_share : float or array_like, default 1.0
        Share of the service's price that falls with the gain s [-], in (0, 1]. 1 is the
        textbook case: energy is the whole cost.

    Returns
    -------
    float or ndarray
        Price ratio [-], in (0, 1).

    Examples
    --------
    >>> price_ratio(0.5)
    0.5
    >>> price_ratio(0.5, cost_share=0.2)
    0.9
    """
    g = _gain(efficiency_gain)
    s = _share(cost_share)
    return result(1.0 - s * g)


@calculator
def service_ratio(efficiency_gain, elasticity, cost_share=1.0, saturation_ratio=None, smooth=False):
    """Demand for the service after the gain ÷ before.

    Parameters
    ----------
    efficiency_gain : float or array_like
        Fall in energy per unit of service g [-], in (0, 1).
    elasticity : float or array_like
        Price elasticity of demand for the service, as a magnitude ε [-], in [0, 10].
    cost_share : float or array_like, default 1.0
        Share of the service's price that falls with the gain s [-], in (0, 1].
    saturation_ratio : float or array_like, optional
        Ceiling on demand as a multiple of demand before the gain h [-], ≥ 1. ``None``: no
        ceiling.
    smooth : bool, default False
        Approach the ceiling smoothly instead of hitting it (see the module Notes).

    Returns
    -------
    float or ndarray
        S₁/S₀ [-], ≥ 1.

    Examples
    --------
    >>> service_ratio(0.5, 1.0)
    2.0
    >>> service_ratio(0.5, 1.0, saturation_ratio=1.5)
    1.5
    """
    g, eps, s, h = _inputs(efficiency_gain, elasticity, cost_share, saturation_ratio)
    return result(np.exp(_log_service(g, eps, s, h, smooth)))


@calculator
def energy_ratio(efficiency_gain, elasticity, cost_share=1.0, saturation_ratio=None, smooth=False):
    """Energy use after the gain ÷ before: (1 − g) × S₁/S₀.

    Parameters are those of :func:`service_ratio`.

    Returns
    -------
    float or ndarray
        E₁/E₀ [-]. Below 1: energy falls; above 1: backfire.

    Examples
    --------
    Elasticity 1 with energy as the whole cost keeps energy exactly constant, for any gain:

    >>> energy_ratio(0.9, 1.0)
    1.0
    >>> energy_ratio(0.5, 0.0)
    0.5
    >>> round(energy_ratio(0.5, 1.5), 4)
    1.4142
    """
    g, eps, s, h = _inputs(efficiency_gain, elasticity, cost_share, saturation_ratio)
    return result(np.exp(_log_energy(g, eps, s, h, smooth)))


@calculator
def energy_saving(efficiency_gain, elasticity, cost_share=1.0, saturation_ratio=None, smooth=False):
    """Actual saving, as a fraction of energy before: 1 − E₁/E₀ (negative under backfire).

    Parameters are those of :func:`service_ratio`.

    Returns
    -------
    float or ndarray
        Actual saving [-], ≤ g.

    Examples
    --------
    >>> energy_saving(0.5, 0.0)
    0.5
    """
    g, eps, s, h = _inputs(efficiency_gain, elasticity, cost_share, saturation_ratio)
    return result(-np.expm1(_log_energy(g, eps, s, h, smooth)))


@calculator
def rebound(efficiency_gain, elasticity, cost_share=1.0, saturation_ratio=None, smooth=False):
    """Rebound: the share of the expected saving that is lost, 1 − actual ÷ expected saving.

    .. math:: R = 1 - \\frac{1 - E_1/E_0}{g} = \\frac{(1 - g)(S_1/S_0 - 1)}{g}

    Computed as 1 + expm1(ln(E₁/E₀))/g, so that ε = 1 with s = 1 gives exactly 1 and tiny gains
    (g → 0, where R → s ε) keep full precision.

    Parameters are those of :func:`service_ratio`.

    Returns
    -------
    float or ndarray
        Rebound R [-]: 0 = full saving, 1 = no saving, > 1 = backfire.

    Examples
    --------
    >>> rebound(0.5, 0.0)
    0.0
    >>> rebound(0.3, 1.0)
    1.0
    >>> rebound(0.5, 1.5, saturation_ratio=1.0)   # the vacuum cleaner: demand already satisfied
    0.0
    """
    g, eps, s, h = _inputs(efficiency_gain, elasticity, cost_share, saturation_ratio)
    return result(1.0 + np.expm1(_log_energy(g, eps, s, h, smooth)) / g)


@calculator(allow_inf=True)
def backfire_elasticity(efficiency_gain, cost_share=1.0, saturation_ratio=None):
    """The elasticity above which energy use rises (R > 1), for constant-elasticity demand.

    .. math:: \\varepsilon^* = \\frac{\\ln(1 - g)}{\\ln(1 - s g)}

    equal to 1 when s = 1, and at least 1/s otherwise. With a hard ceiling h on demand, backfire
    is impossible if h ≤ 1/(1 − g) (the result is then ``inf``); otherwise the threshold is
    unchanged. (The smooth ceiling has no closed form and is not covered.)

    Parameters
    ----------
    efficiency_gain : float or array_like
        g [-], in (0, 1).
    cost_share : float or array_like, default 1.0
        s [-], in (0, 1].
    saturation_ratio : float or array_like, optional
        Hard ceiling h [-], ≥ 1; ``None``: none.

    Returns
    -------
    float or ndarray
        ε* [-]. Returns ``inf`` on purpose where the ceiling rules backfire out (no
        elasticity is high enough).

    Examples
    --------
    >>> backfire_elasticity(0.5)
    1.0
    >>> round(backfire_elasticity(0.5, cost_share=0.5), 3)
    2.409
    >>> backfire_elasticity(0.5, saturation_ratio=1.5)
    inf
    """
    g = _gain(efficiency_gain)
    s = _share(cost_share)
    h = _ceiling(saturation_ratio)
    threshold = np.log1p(-g) / np.log1p(-s * g)
    if h is not None:
        threshold = np.where(h * (1.0 - g) > 1.0, threshold, np.inf)
    return result(threshold)


@calculator
def backfire_ceiling(efficiency_gain):
    """The smallest ceiling on demand that still allows backfire: 1/(1 − g) × today's use.

    Below it, even infinitely elastic demand cannot take back the whole saving.

    Parameters
    ----------
    efficiency_gain : float or array_like
        g [-], in (0, 1).

    Returns
    -------
    float or ndarray
        Ceiling h [-] (a multiple of demand before the gain).

    Examples
    --------
    >>> backfire_ceiling(0.5)
    2.0
    """
    g = _gain(efficiency_gain)
    return result(1.0 / (1.0 - g))


@calculator
def observed_energy_ratio(efficiency_gain, service_ratio):
    """Energy after ÷ before from an observed gain and an observed change in use: (1 − g) S₁/S₀.

    Parameters
    ----------
    efficiency_gain : float or array_like
        Observed fall in energy per unit of service g [-], in (0, 1).
    service_ratio : float or array_like
        Observed use after ÷ before [-], > 0.

    Returns
    -------
    float or ndarray
        E₁/E₀ [-].

    Examples
    --------
    >>> observed_energy_ratio(0.5, 3.0)
    1.5
    """
    g = _gain(efficiency_gain)
    sr = as_array(service_ratio, "service_ratio", low=0.0, low_open=True)
    return result((1.0 - g) * sr)


@calculator
def observed_rebound(efficiency_gain, service_ratio):
    """Rebound implied by an observed gain and an observed change in use (ex-post accounting).

    .. math:: R = \\frac{(1 - g)(S_1/S_0 - 1)}{g}

    It attributes *all* of the change in use to the efficiency gain, which real data rarely
    justify (new products, new users and falling hardware prices all move demand too).

    Parameters
    ----------
    efficiency_gain : float or array_like
        Observed fall in energy per unit of service g [-], in (0, 1).
    service_ratio : float or array_like
        Observed use after ÷ before [-], > 0.

    Returns
    -------
    float or ndarray
        Rebound R [-] (negative if use fell).

    Examples
    --------
    Wikipedia's car example: a 5 % efficiency gain that saves only 2 % of fuel is a 60 % rebound.

    >>> round(observed_rebound(0.05, 0.98 / 0.95), 6)
    0.6
    """
    g = _gain(efficiency_gain)
    sr = as_array(service_ratio, "service_ratio", low=0.0, low_open=True)
    return result((1.0 - g) * (sr - 1.0) / g)


@calculator
def implied_elasticity(service_ratio, price_ratio):
    """Elasticity that would explain an observed change in use by a change in price alone.

    .. math:: \\varepsilon = -\\frac{\\ln(S_1/S_0)}{\\ln(p_1/p_0)}

    Parameters
    ----------
    service_ratio : float or array_like
        Use after ÷ before [-], > 0.
    price_ratio : float or array_like
        Price after ÷ before [-], in (0, 1): a fall in price.

    Returns
    -------
    float or ndarray
        Elasticity magnitude ε [-].

    Examples
    --------
    >>> implied_elasticity(4.0, 0.5)
    2.0
    """
    sr = as_array(service_ratio, "service_ratio", low=0.0, low_open=True)
    x = as_array(price_ratio, "price_ratio", low=0.0, high=1.0, low_open=True, high_open=True)
    return result(-np.log(sr) / np.log(x))


def _log_adoption(t, t0, k):
    return -np.logaddexp(0.0, -k * (t - t0))


@calculator
def adoption_share(years, midpoint_years, steepness_per_year):
    """Logistic adoption: the share of eventual users who have adopted after ``years``.

    .. math:: A(t) = \\frac{1}{1 + e^{-k (t - t_0)}}

    Parameters
    ----------
    years : float or array_like
        Time from now t [yr], ≥ 0.
    midpoint_years : float or array_like
        Time at which half of the eventual users have adopted t₀ [yr] (negative: in the past).
    steepness_per_year : float or array_like
        Logistic growth rate k [1/yr], > 0.

    Returns
    -------
    float or ndarray
        A(t) [-], in (0, 1).

    Examples
    --------
    >>> adoption_share(2.0, 2.0, 1.0)
    0.5
    """
    t = as_array(years, "years")
    t0 = as_array(midpoint_years, "midpoint_years", low=-np.inf)
    k = as_array(steepness_per_year, "steepness_per_year", low_open=True)
    return result(np.exp(_log_adoption(t, t0, k)))


@calculator
def adoption_energy_ratio(years, efficiency_gain_per_year, midpoint_years, steepness_per_year):
    """Energy relative to today when users adopt logistically and efficiency improves yearly.

    .. math:: \\frac{E(t)}{E(0)} = \\frac{A(t)}{A(0)}\\,(1 - g)^t

    Each user's demand is held fixed (satiated), so all growth comes from new users.

    Parameters
    ----------
    years : float or array_like
        Time from now t [yr], ≥ 0.
    efficiency_gain_per_year : float or array_like
        Fall in energy per unit of service each year g [-], in (0, 1).
    midpoint_years : float or array_like
        Adoption midpoint t₀ [yr].
    steepness_per_year : float or array_like
        Logistic growth rate k [1/yr], > 0.

    Returns
    -------
    float or ndarray
        E(t)/E(0) [-].

    Examples
    --------
    >>> adoption_energy_ratio(0.0, 0.3, 2.0, 1.0)
    1.0
    """
    t = as_array(years, "years")
    g = _gain(efficiency_gain_per_year, "efficiency_gain_per_year")
    t0 = as_array(midpoint_years, "midpoint_years", low=-np.inf)
    k = as_array(steepness_per_year, "steepness_per_year", low_open=True)
    log_ratio = _log_adoption(t, t0, k) - _log_adoption(0.0, t0, k) + t * np.log1p(-g)
    return result(np.exp(log_ratio))


@calculator
def adoption_peak_year(efficiency_gain_per_year, midpoint_years, steepness_per_year):
    """Year in which energy peaks under :func:`adoption_energy_ratio` (0: it falls from now on).

    Energy grows while k (1 − A(t)) > −ln(1 − g): adoption still adds users faster than
    efficiency removes energy per user. The peak is where A(t*) = 1 + ln(1 − g)/k.

    Parameters
    ----------
    efficiency_gain_per_year : float or array_like
        g [-], in (0, 1).
    midpoint_years : float or array_like
        t₀ [yr].
    steepness_per_year : float or array_like
        k [1/yr], > 0.

    Returns
    -------
    float or ndarray
        t* [yr], ≥ 0.

    Examples
    --------
    >>> round(adoption_peak_year(0.5, 2.0, 1.5), 3)
    2.101
    """
    g = _gain(efficiency_gain_per_year, "efficiency_gain_per_year")
    t0 = as_array(midpoint_years, "midpoint_years", low=-np.inf)
    k = as_array(steepness_per_year, "steepness_per_year", low_open=True)
    a_star = 1.0 + np.log1p(-g) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = t0 + (np.log(a_star) - np.log1p(-a_star)) / k
    return result(np.where(a_star > 0.0, np.maximum(t_star, 0.0), 0.0))
