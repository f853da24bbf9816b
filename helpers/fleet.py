"""From one query to a fleet: energy, money, carbon and water of a service, and the levers.

A service that answers ``queries`` queries, each using ``energy_per_query_wh`` of IT energy in a
data centre with power usage effectiveness ``pue``, draws

.. math:: E = N \\times e \\times \\text{PUE}

from the grid. Everything else in this module is a multiplication of that energy: by a price
(money), by a grid carbon intensity (emissions), by a water intensity (water). Optimisation
levers are factors on the energy per query, applied one after the other.

All functions take scalars or arrays (numpy broadcasting) and return a float for scalar input,
so a slider and a Monte Carlo sweep call the same code.

Location-based vs market-based emissions
----------------------------------------
The same kWh can carry two different carbon numbers. **Location-based** accounting multiplies it
by the average intensity of the grid the data centre is connected to (what the local power
plants emitted). **Market-based** accounting uses the intensity of the electricity the company
*bought by contract* (power-purchase agreements, renewable certificates), which can be far lower
or zero. Google's 0.03 g CO2e per median Gemini prompt is market-based; Meta reports Llama 3.1's
training as 11,390 t location-based and 0 t market-based. :func:`emissions_kg_co2e` is agnostic:
it multiplies by whatever intensity you pass, so say which basis you used.

References
----------
.. [1] Seed text 004 (the course's source ``seed-004``): 10 million queries per month × 0.002 kWh,
   $0.10 per kWh, PUE 1.5.
.. [2] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google Scale",
   arXiv:2508.15734, 2025 (0.24 Wh, 0.03 g CO2e market-based, 0.26 mL per median prompt).
.. [3] J.-W. Chung, "Reading the ML.ENERGY Leaderboard v3.0", 2026 (batching, precision and
   static power).
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, calculator, result
from helpers.power import power_per_busy_hour_w
from helpers.units import ENERGY_UNITS, G_PER_KG, HOURS_PER_YEAR, ML_PER_L

__all__ = [
    "queries_energy_wh",
    "electricity_cost_usd",
    "emissions_kg_co2e",
    "water_l",
    "implied_intensity_g_per_kwh",
    "implied_water_l_per_kwh",
    "apply_levers",
    "utilization_factor",
    "embodied_per_hour_g_co2e",
]


@calculator
def queries_energy_wh(queries, energy_per_query_wh, pue=1.0):
    """Facility energy of serving ``queries`` queries: the one place the course multiplies
    queries by energy per query (chapters 01, 05 and 06). Convert the result with
    :func:`helpers.units.convert_energy`.

    .. math:: E = N_\\text{queries} \\times e_\\text{query} \\times \\text{PUE}

    Parameters
    ----------
    queries : float or array_like
        Number of queries (per month, per day, ...: the result has the same period), ≥ 0.
    energy_per_query_wh : float or array_like
        IT energy per query [Wh], ≥ 0.
    pue : float or array_like, default 1.0
        Power usage effectiveness of the data centre, ≥ 1: facility energy ÷ IT energy. Keep 1.0
        when the per-query figure already includes overhead (Google's 0.24 Wh does).

    Returns
    -------
    float or ndarray
        Energy [Wh] over the same period as ``queries``.

    Examples
    --------
    The seed's service: 10 million queries a month at 2 Wh (0.002 kWh) each, then with PUE 1.5,
    in kWh:

    >>> from helpers.units import convert_energy
    >>> convert_energy(queries_energy_wh(10_000_000, 2.0), "Wh", "kWh")
    20000.0
    >>> convert_energy(queries_energy_wh(10_000_000, 2.0, pue=1.5), "Wh", "kWh")
    30000.0
    """
    q = as_array(queries, "queries")
    e = as_array(energy_per_query_wh, "energy_per_query_wh")
    p = as_array(pue, "pue", low=1.0)
    return result(q * e * p)


@calculator
def electricity_cost_usd(energy_kwh, price_usd_per_kwh):
    """Electricity bill: energy × price.

    The arithmetic is currency-neutral: a price in € per kWh gives a cost in €.

    Parameters
    ----------
    energy_kwh : float or array_like
        Energy [kWh], ≥ 0.
    price_usd_per_kwh : float or array_like
        Electricity price [USD/kWh], ≥ 0. 8.06 US cents is 0.0806.

    Returns
    -------
    float or ndarray
        Cost [USD].

    Examples
    --------
    >>> electricity_cost_usd(20_000, 0.10)
    2000.0
    >>> electricity_cost_usd(queries_energy_wh(10_000_000, 2.0, pue=1.5) / 1000, 0.10)
    3000.0
    """
    e = as_array(energy_kwh, "energy_kwh")
    price = as_array(price_usd_per_kwh, "price_usd_per_kwh")
    return result(e * price)


@calculator
def emissions_kg_co2e(energy_kwh, grid_intensity_g_per_kwh):
    """Greenhouse-gas emissions of using ``energy_kwh`` at a given grid carbon intensity.

    .. math:: m = E \\times I / 1000

    Parameters
    ----------
    energy_kwh : float or array_like
        Energy [kWh], ≥ 0.
    grid_intensity_g_per_kwh : float or array_like
        Carbon intensity [g CO2e/kWh], ≥ 0. Location-based (the local grid's average) or
        market-based (the contracted supply): see the module docstring. Sources also differ in
        scope: *lifecycle* intensities (Ember, Our World in Data) include building and fuelling
        the plants; *direct* ones (IEA, EIA) count only combustion at the chimney.

    Returns
    -------
    float or ndarray
        Emissions [kg CO2e].

    Examples
    --------
    20,000 kWh on a grid of 481 g CO2e/kWh:

    >>> emissions_kg_co2e(20_000, 481)
    9620.0
    """
    e = as_array(energy_kwh, "energy_kwh")
    i = as_array(grid_intensity_g_per_kwh, "grid_intensity_g_per_kwh")
    return result(e * i / G_PER_KG)


@calculator
def water_l(energy_kwh, water_l_per_kwh):
    """Water consumed with ``energy_kwh`` at a given water intensity.

    Parameters
    ----------
    energy_kwh : float or array_like
        Energy [kWh], ≥ 0.
    water_l_per_kwh : float or array_like
        Water consumed per kWh [L/kWh], ≥ 0. On-site cooling water only (Google's scope) is
        smaller than on-site plus the water used to generate the electricity.

    Returns
    -------
    float or ndarray
        Water [L].

    Examples
    --------
    >>> water_l(1_000, 1.1)
    1100.0
    """
    e = as_array(energy_kwh, "energy_kwh")
    w = as_array(water_l_per_kwh, "water_l_per_kwh")
    return result(e * w)


@calculator
def implied_intensity_g_per_kwh(emissions_g_co2e, energy_wh):
    """Carbon intensity implied by a reported emission and energy per query.

    Parameters
    ----------
    emissions_g_co2e : float or array_like
        Emissions [g CO2e], ≥ 0.
    energy_wh : float or array_like
        Energy [Wh], > 0 (it divides).

    Returns
    -------
    float or ndarray
        Intensity [g CO2e/kWh].

    Examples
    --------
    Google's median Gemini prompt: 0.023 g CO2e from electricity (Scope 2, market-based) for
    0.24 Wh. The reported total, 0.033 g, also holds emissions that are not electricity's
    (Scope 1 and 3, such as making the hardware) and would overstate the intensity:

    >>> round(implied_intensity_g_per_kwh(0.023, 0.24))
    96
    """
    m = as_array(emissions_g_co2e, "emissions_g_co2e")
    e = as_array(energy_wh, "energy_wh", low_open=True)
    return result(m / (e / ENERGY_UNITS["kWh"]))


@calculator
def implied_water_l_per_kwh(water_ml, energy_wh):
    """Water intensity implied by a reported water use and energy per query.

    Parameters
    ----------
    water_ml : float or array_like
        Water [mL], ≥ 0.
    energy_wh : float or array_like
        Energy [Wh], > 0 (it divides).

    Returns
    -------
    float or ndarray
        Water intensity [L/kWh] (numerically mL/Wh).

    Examples
    --------
    Google's median Gemini prompt, 0.26 mL for 0.24 Wh:

    >>> round(implied_water_l_per_kwh(0.26, 0.24), 2)
    1.08
    """
    w = as_array(water_ml, "water_ml")
    e = as_array(energy_wh, "energy_wh", low_open=True)
    return result((w / ML_PER_L) / (e / ENERGY_UNITS["kWh"]))


@calculator
def apply_levers(baseline, factors):
    """Apply optimisation levers one after the other; return every intermediate value.

    Each lever multiplies what is left: a factor 0.8 removes 20 % of the energy that the earlier
    levers left, not 20 % of the original. The running product is what a waterfall chart shows.

    .. math:: v_0 = b, \\qquad v_k = v_{k-1} \\times f_k

    Parameters
    ----------
    baseline : float or array_like
        Starting value (energy, cost, ...), ≥ 0.
    factors : array_like
        One factor per lever along the first axis, > 0: value after ÷ value before. A factor
        above 1 is allowed (FP8 at small batch sizes uses *more* energy than BF16). Extra axes
        broadcast against ``baseline``, so ``factors`` of shape (levers, draws) gives a Monte
        Carlo sample of every step. A 1-D ``factors`` applies to every element of ``baseline``.

    Returns
    -------
    ndarray
        Shape ``(levers + 1, ...)``: the baseline, then the value after each lever (just the
        baseline when there are no levers).

    Notes
    -----
    Multiplying assumes the levers are independent. They are not always: batching and raising
    utilisation both attack the same idle (static) power, so multiplying both overstates the
    combined saving.

    Examples
    --------
    >>> apply_levers(100.0, [0.5, 0.8]).tolist()
    [100.0, 50.0, 40.0]
    """
    b = as_array(baseline, "baseline")
    if np.size(factors) == 0:  # no levers: just the baseline
        return b[np.newaxis].copy()
    f = as_array(factors, "factors", low_open=True)
    if f.ndim == 0:
        f = f[np.newaxis]
    if f.ndim == 1:
        # one factor per lever, the same for every element of an array baseline
        f = f.reshape(f.shape + (1,) * b.ndim)
    steps = np.cumprod(f, axis=0)
    return np.concatenate(
        [np.broadcast_to(b, np.broadcast(b, steps[0]).shape)[np.newaxis], b * steps]
    )


@calculator
def utilization_factor(busy_power_w, idle_power_w, utilization_before, utilization_after):
    """Lever factor of raising utilisation (the share of time busy): energy per unit of work
    after ÷ before.

    Energy per unit of work is the power per busy hour (:func:`helpers.power.power_per_busy_hour_w`),
    because idle power is paid whether or not there is work:

    .. math:: f = \\frac{\\bar P(u_1) / u_1}{\\bar P(u_0) / u_0}

    Parameters
    ----------
    busy_power_w, idle_power_w : float or array_like
        As in :func:`helpers.power.average_power_w` [W].
    utilization_before, utilization_after : float or array_like
        Share of time busy before and after the change, in (0, 1] (zero would divide).

    Returns
    -------
    float or ndarray
        Factor [-]: below 1 when utilisation rises, 1 when idle power is zero.

    Examples
    --------
    From 30 % to 60 % utilisation at 700 W busy, 100 W idle:

    >>> round(utilization_factor(700, 100, 0.3, 0.6), 3)
    0.821
    """
    u0 = as_array(utilization_before, "utilization_before", low_open=True, high=1.0)
    u1 = as_array(utilization_after, "utilization_after", low_open=True, high=1.0)
    before = np.asarray(power_per_busy_hour_w(busy_power_w, idle_power_w, u0))
    after = np.asarray(power_per_busy_hour_w(busy_power_w, idle_power_w, u1))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = after / before
    # A machine that draws no power at all has no energy to save: factor 1.
    return result(np.where(before > 0, ratio, 1.0))


@calculator
def embodied_per_hour_g_co2e(embodied_kg_co2e, lifetime_years, utilization=1.0):
    """Embodied (manufacturing) emissions of a piece of hardware charged to each hour it works.

    Making a GPU or a server emits greenhouse gases once; spreading them evenly over the hours
    the hardware works during its life gives a share per working hour, to set beside the
    emissions of the electricity it uses in that hour. Fewer working hours (lower utilisation,
    or a shorter life) leave more of the manufacturing on each one.

    .. math:: m_h = \\frac{1000 \\, M}{L \\times 8760 \\times u}

    Parameters
    ----------
    embodied_kg_co2e : float or array_like
        Emissions of manufacturing the hardware [kg CO2e], ≥ 0.
    lifetime_years : float or array_like
        Years of use over which they are spread, > 0 (it divides).
    utilization : float or array_like, default 1.0
        Share of time busy over that life, in (0, 1]: 1 charges every hour of the life.

    Returns
    -------
    float or ndarray
        Embodied emissions per working hour [g CO2e/h].

    References
    ----------
    EcoLogits' methodology (the course's source ``ecologits``) allocates embodied impacts to a
    request in proportion to its time on the hardware ÷ the hardware's lifetime, and assumes
    164 kg CO2e for one H100 and a 3-year life.

    Examples
    --------
    One H100 (164 kg CO2e) over 3 years, busy all the time, then a third of the time:

    >>> round(embodied_per_hour_g_co2e(164, 3), 2)
    6.24
    >>> round(embodied_per_hour_g_co2e(164, 3, utilization=0.3), 1)
    20.8
    """
    m = as_array(embodied_kg_co2e, "embodied_kg_co2e")
    life = as_array(lifetime_years, "lifetime_years", low_open=True)
    u = as_array(utilization, "utilization", low_open=True, high=1.0)
    return result(m * G_PER_KG / (life * HOURS_PER_YEAR * u))
