"""Who pays for the idle GPU: amortized hardware cost, energy cost and break-even hours.

A GPU bought for ``capex_usd`` and written off over ``lifetime_years`` costs, per hour of use,

.. math:: c = \\frac{C}{L \\times H} + \\frac{P}{1000} \\times p

where :math:`C` is the purchase price [USD], :math:`L` the lifetime [years], :math:`H` the hours
it is used per year, :math:`P` the electrical power while in use [W] and :math:`p` the price of
electricity [USD/kWh]. The first term falls as :math:`1/H`: an expensive card must run most of
the year's 8,760 hours to be cheap per hour. The second term does not depend on :math:`H`, so
the cheaper the hardware (or the longer it lives), the larger the share of energy in the cost.

All functions take scalars or arrays (numpy broadcasting) and return a float for scalar input.
Hours per year are limited to ``helpers.units.HOURS_PER_YEAR`` (8,760).

By default the price is written off in a straight line over ``lifetime_years`` with no resale
value, no interest and no other running costs (rack, network, staff): the seed's teaching
simplification. Three options make it closer to a real bill. ``interest_rate`` charges a cost
of capital: money tied up in hardware could earn interest elsewhere, so each year of use must pay
an annuity, the capital recovery factor :func:`capital_recovery_factor` × price, instead of
price ÷ lifetime. ``host_power_w`` adds the power of the server around the card (CPUs, memory,
network, fans: NVIDIA rates a DGX H100 at 10.2 kW at most for its 8 GPUs of 700 W). ``pue``
multiplies the electricity by the data centre's overhead. Cottier et al. [2]_ amortize with a
depreciation rate derived from GPU price-performance trends instead.

References
----------
.. [1] Seed text 003 (the course's source ``seed-003``): a $30,000 card used 100 or 1,000 hours
   a year costs $300 or $30 per hour; sold at $5 per hour it breaks even after about 6,000
   hours a year, a $10,000 card after 2,000.
.. [2] B. Cottier, R. Rahman, L. Fattorini, N. Maslej, T. Besiroglu, D. Owen, "The Rising Costs
   of Training Frontier AI Models", arXiv:2405.21015, 2024 (Sec. 2.2, amortization; energy
   2–6 % of amortized development cost).
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_flag, calculator, result
from helpers.units import HOURS_PER_YEAR, W_PER_KW

__all__ = [
    "capital_cost_per_hour_usd",
    "energy_cost_per_hour_usd",
    "cost_per_hour_usd",
    "energy_share_of_cost",
    "breakeven_hours_per_year",
    "utilization",
    "capital_recovery_factor",
    "host_power_per_gpu_w",
]


def _hours(hours_per_year, name="hours_per_year"):
    # > 0 because it divides; at most the 8,760 hours of a 365-day year.
    return as_array(hours_per_year, name, low_open=True, high=HOURS_PER_YEAR)


def _lifetime(lifetime_years):
    return as_array(lifetime_years, "lifetime_years", low_open=True)


@calculator
def capital_recovery_factor(interest_rate, lifetime_years):
    """Share of a price to pay each year so that ``lifetime_years`` equal payments repay it with
    interest (an annuity):

    .. math:: \\text{CRF} = \\frac{r}{1 - (1 + r)^{-L}}, \\qquad \\text{CRF} \\to 1/L
              \\text{ as } r \\to 0

    Parameters
    ----------
    interest_rate : float or array_like
        Cost of capital per year [-], in [0, 1] (0.08 is 8 % a year).
    lifetime_years : float or array_like
        Years of payments [yr], > 0.

    Returns
    -------
    float or ndarray
        Per year [1/yr].

    Examples
    --------
    >>> capital_recovery_factor(0.0, 4)
    0.25
    >>> round(capital_recovery_factor(0.10, 4), 4)  # 10 % a year adds a fifth to each payment
    0.3155
    """
    r = as_array(interest_rate, "interest_rate", high=1.0)
    life = _lifetime(lifetime_years)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = np.where(r > 0, r / -np.expm1(-life * np.log1p(r)), 1.0 / life)
    return result(crf)


@calculator
def capital_cost_per_hour_usd(capex_usd, hours_per_year, lifetime_years=1.0, *, interest_rate=0.0):
    """Purchase price spread over the hours of use: capex × CRF ÷ hours per year, where CRF is
    1 ÷ lifetime without interest (:func:`capital_recovery_factor`).

    Parameters
    ----------
    capex_usd : float or array_like
        Purchase price of the hardware [USD], ≥ 0.
    hours_per_year : float or array_like
        Hours the hardware is used per year [h/yr], in (0, 8760].
    lifetime_years : float or array_like, default 1.0
        Years over which the price is written off [yr], > 0. The seed's toy numbers use one year.
    interest_rate : float or array_like, default 0.0
        Cost of capital per year [-], in [0, 1].

    Returns
    -------
    float or ndarray
        Capital cost per hour of use [USD/h].

    Examples
    --------
    >>> capital_cost_per_hour_usd(30_000, 100)
    300.0
    >>> capital_cost_per_hour_usd(30_000, 1_000, lifetime_years=3)
    10.0
    >>> round(capital_cost_per_hour_usd(30_000, 1_000, lifetime_years=3, interest_rate=0.1), 2)
    12.06
    """
    c = as_array(capex_usd, "capex_usd")
    h = _hours(hours_per_year)
    crf = np.asarray(capital_recovery_factor(interest_rate, lifetime_years))
    return result(c * crf / h)


@calculator
def energy_cost_per_hour_usd(power_w, price_usd_per_kwh, *, host_power_w=0.0, pue=1.0):
    """Electricity bought in one hour of use: (card + host) power [kW] × PUE × price [USD/kWh].

    Parameters
    ----------
    power_w : float or array_like
        Average electrical power of the card while in use [W], ≥ 0 (its rated maximum gives an
        upper bound).
    price_usd_per_kwh : float or array_like
        Price of electricity [USD/kWh], ≥ 0.
    host_power_w : float or array_like, default 0.0
        Power of the server around the card, per card [W], ≥ 0.
    pue : float or array_like, default 1.0
        Power usage effectiveness of the data centre, ≥ 1.

    Returns
    -------
    float or ndarray
        Energy cost per hour of use [USD/h].

    Examples
    --------
    >>> round(energy_cost_per_hour_usd(700, 0.10), 4)
    0.07
    >>> round(energy_cost_per_hour_usd(700, 0.10, host_power_w=575, pue=1.2), 4)
    0.153
    """
    p = as_array(power_w, "power_w")
    price = as_array(price_usd_per_kwh, "price_usd_per_kwh")
    host = as_array(host_power_w, "host_power_w")
    u = as_array(pue, "pue", low=1.0)
    return result((p + host) * u / W_PER_KW * price)


@calculator
def cost_per_hour_usd(
    capex_usd,
    hours_per_year,
    lifetime_years=1.0,
    power_w=0.0,
    price_usd_per_kwh=0.0,
    *,
    host_power_w=0.0,
    pue=1.0,
    interest_rate=0.0,
):
    """Cost of one hour of use: amortized purchase price plus electricity.

    .. math:: c = \\frac{C \\cdot \\text{CRF}(r, L)}{H}
              + \\frac{(P + P_\\text{host})\\,\\text{PUE}}{1000} \\times p

    with CRF = 1/L when there is no interest (:func:`capital_recovery_factor`).

    Parameters
    ----------
    capex_usd : float or array_like
        Purchase price of the hardware [USD], ≥ 0.
    hours_per_year : float or array_like
        Hours used per year [h/yr], in (0, 8760]. More than the 8,760 hours of a year raises
        ``ValueError``.
    lifetime_years : float or array_like, default 1.0
        Amortization period [yr], > 0.
    power_w : float or array_like, default 0.0
        Average power per hour of use [W], ≥ 0. To charge idle hours to the hours of use, pass
        :func:`helpers.power.power_per_busy_hour_w` at :func:`utilization`.
    price_usd_per_kwh : float or array_like, default 0.0
        Electricity price [USD/kWh], ≥ 0.
    host_power_w, pue
        As in :func:`energy_cost_per_hour_usd`.
    interest_rate
        As in :func:`capital_cost_per_hour_usd`.

    Returns
    -------
    float or ndarray
        Cost per hour of use [USD/h].

    Examples
    --------
    The seed's toy numbers (one-year amortization, energy left out):

    >>> cost_per_hour_usd(30_000, 100), cost_per_hour_usd(30_000, 1_000)
    (300.0, 30.0)
    >>> cost_per_hour_usd(10_000, 100), cost_per_hour_usd(10_000, 1_000)
    (100.0, 10.0)

    With a 700 W card at $0.10 per kWh the hour costs 7 cents more:

    >>> round(cost_per_hour_usd(10_000, 1_000, power_w=700, price_usd_per_kwh=0.10), 2)
    10.07
    """
    capital = capital_cost_per_hour_usd(
        capex_usd, hours_per_year, lifetime_years, interest_rate=interest_rate
    )
    energy = energy_cost_per_hour_usd(
        power_w, price_usd_per_kwh, host_power_w=host_power_w, pue=pue
    )
    return result(np.asarray(capital) + np.asarray(energy))


@calculator
def energy_share_of_cost(
    capex_usd,
    hours_per_year,
    lifetime_years=1.0,
    power_w=0.0,
    price_usd_per_kwh=0.0,
    *,
    host_power_w=0.0,
    pue=1.0,
    interest_rate=0.0,
):
    """Fraction of the cost per hour that is electricity, as a function of utilization.

    .. math:: s = \\frac{\\text{energy per hour}}{\\text{capital per hour} + \\text{energy per hour}}

    It rises with hours per year (the capital share is spread thinner) and falls with the price
    of the hardware: the seed's point that with cheap hardware, energy matters more.

    Parameters
    ----------
    capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh, host_power_w, pue,
    interest_rate
        As in :func:`cost_per_hour_usd`.

    Returns
    -------
    float or ndarray
        Share [-] in [0, 1]. Defined as 0 when nothing costs anything (no capex, no energy).

    Examples
    --------
    A $10,000 card at 700 W and $0.10 per kWh, used all year for four years:

    >>> round(energy_share_of_cost(10_000, 8_760, 4, 700, 0.10), 3)
    0.197
    """
    capital = np.asarray(
        capital_cost_per_hour_usd(
            capex_usd, hours_per_year, lifetime_years, interest_rate=interest_rate
        )
    )
    energy = np.asarray(
        energy_cost_per_hour_usd(power_w, price_usd_per_kwh, host_power_w=host_power_w, pue=pue)
    )
    total = capital + energy
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, energy / total, 0.0)
    return result(share)


@calculator(allow_inf=True)
def breakeven_hours_per_year(
    capex_usd,
    price_usd_per_hour,
    lifetime_years=1.0,
    power_w=0.0,
    price_usd_per_kwh=0.0,
    *,
    host_power_w=0.0,
    pue=1.0,
    interest_rate=0.0,
    strict=True,
):
    """Hours of compute to sell per year so that sales pay for the hardware and its electricity.

    Each hour sold at :math:`q` USD earns :math:`q - P p / 1000` after paying for its
    electricity; the purchase price is recovered over the lifetime when

    .. math:: H^* = \\frac{C \\cdot \\text{CRF}(r, L)}{q - (P + P_\\text{host})\\,\\text{PUE}\\,p / 1000}

    Parameters
    ----------
    capex_usd : float or array_like
        Purchase price [USD], ≥ 0.
    price_usd_per_hour : float or array_like
        Price at which one hour of compute is sold [USD/h], ≥ 0.
    lifetime_years : float or array_like, default 1.0
        Amortization period [yr], > 0.
    power_w : float or array_like, default 0.0
        Average power per hour sold [W], ≥ 0.
    price_usd_per_kwh : float or array_like, default 0.0
        Electricity price [USD/kWh], ≥ 0.
    host_power_w, pue, interest_rate
        As in :func:`cost_per_hour_usd`.
    strict : bool, default True
        What to do when there is no break-even within a year. ``True``: raise ``ValueError``.
        ``False``: return ``inf`` for those elements (useful for sweeps and charts).

    Returns
    -------
    float or ndarray
        Break-even hours per year [h/yr], at most 8,760. With ``strict=False`` it returns
        ``inf`` on purpose where no number of hours in a year breaks even.

    Raises
    ------
    ValueError
        If ``price_usd_per_hour`` does not exceed the electricity cost of an hour (no number of
        hours ever breaks even), or if break-even needs more than the 8,760 hours of a year
        ("not achievable within a year"), unless ``strict=False``.

    Examples
    --------
    The seed's toy numbers: selling at $5 per hour,

    >>> breakeven_hours_per_year(30_000, 5.0), breakeven_hours_per_year(10_000, 5.0)
    (6000.0, 2000.0)

    At $3 per hour the $30,000 card cannot break even within one year:

    >>> breakeven_hours_per_year(30_000, 3.0, strict=False)
    inf
    """
    strict = as_flag(strict, "strict")
    c = as_array(capex_usd, "capex_usd")
    q = as_array(price_usd_per_hour, "price_usd_per_hour")
    crf = np.asarray(capital_recovery_factor(interest_rate, lifetime_years))
    energy = np.asarray(
        energy_cost_per_hour_usd(power_w, price_usd_per_kwh, host_power_w=host_power_w, pue=pue)
    )
    margin = q - energy
    no_margin = margin <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        hours = np.where(no_margin, np.inf, c * crf / np.where(no_margin, 1.0, margin))
    if strict and np.any(no_margin):
        i = np.flatnonzero(np.broadcast_to(no_margin, np.shape(hours)))[0]
        e = np.broadcast_to(energy, np.shape(hours)).flat[i]
        qq = np.broadcast_to(q, np.shape(hours)).flat[i]
        raise ValueError(
            f"price_usd_per_hour must exceed the electricity cost of an hour ({e:.4g} USD/h, "
            f"from power_w, host_power_w, pue and price_usd_per_kwh); got {qq:g}: every hour "
            "sold loses money, so there is no break-even"
        )
    over = hours > HOURS_PER_YEAR
    if np.any(over):
        if strict:
            h = np.asarray(hours)[over].flat[0]
            raise ValueError(
                f"not achievable within a year: break-even needs {h:,.0f} hours per year, more "
                f"than the {HOURS_PER_YEAR:,.0f} in a year; raise price_usd_per_hour, lengthen "
                "lifetime_years, or lower capex_usd or interest_rate (or pass strict=False to get "
                "inf)"
            )
        hours = np.where(over, np.inf, hours)
    return result(hours)


@calculator
def utilization(hours_per_year):
    """Share of the year a card is used: hours used ÷ 8,760, in (0, 1] (the ``utilization``
    of :func:`helpers.power.power_per_busy_hour_w`).

    >>> round(utilization(2_000), 3)
    0.228
    """
    return result(_hours(hours_per_year) / HOURS_PER_YEAR)


@calculator
def host_power_per_gpu_w(system_power_w, gpus_per_system, gpu_power_w):
    """Each GPU's share of the server around it: the ``host_power_w`` of the cost functions.

    .. math:: P_\\text{host} = \\frac{P_\\text{system}}{n} - P_\\text{GPU}

    A server's power rating covers its GPUs and everything else in the box (CPUs, memory,
    network cards, fans, power-supply losses). Dividing by the number of GPUs and taking off one
    GPU's power leaves each GPU's share of the rest. From maximum ratings (NVIDIA's 10.2 kW for
    a DGX H100 with 8 GPUs of 700 W) it is an upper bound, as the ratings are.

    Parameters
    ----------
    system_power_w : float or array_like
        Power of the whole server [W], ≥ 0.
    gpus_per_system : float or array_like
        GPUs in the server [-], > 0.
    gpu_power_w : float or array_like
        Power of one GPU [W], ≥ 0, at most the server's power per GPU.

    Returns
    -------
    float or ndarray
        Host power per GPU [W], ≥ 0.

    Raises
    ------
    ValueError
        If the GPUs alone would draw more than the whole server (naming ``gpu_power_w``).

    Examples
    --------
    >>> host_power_per_gpu_w(10_200, 8, 700)  # DGX H100 at its maximum rating
    575.0
    """
    system = as_array(system_power_w, "system_power_w")
    n = as_array(gpus_per_system, "gpus_per_system", low_open=True)
    gpu = as_array(gpu_power_w, "gpu_power_w")
    per_gpu = system / n
    over = gpu > per_gpu
    if np.any(over):
        g = np.broadcast_to(gpu, np.shape(over))[over].flat[0]
        p = np.broadcast_to(per_gpu, np.shape(over))[over].flat[0]
        raise ValueError(
            f"gpu_power_w must be at most the server's power per GPU (system_power_w ÷ "
            f"gpus_per_system = {p:,.4g} W); got {g:,.4g}"
        )
    return result(per_gpu - gpu)
