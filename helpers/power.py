"""Power over time: a machine that is busy only part of the time still draws power while idle.

A GPU (or a server) busy a share :math:`u` of the time draws on average

.. math:: \\bar P = P_\\text{idle} + (P_\\text{busy} - P_\\text{idle})\\,u

and every busy hour has to pay for the idle ones, so the power charged to one hour of work is

.. math:: P_\\text{per busy hour} = \\frac{\\bar P}{u}
          = P_\\text{busy} + P_\\text{idle}\\,\\frac{1 - u}{u}.

Here :math:`u` is the **share of time busy**: hours of work ÷ hours switched on. It is not the
*FLOP utilisation* (model FLOP utilisation, MFU: the share of the GPU's peak arithmetic a busy
GPU achieves), which sets how long the work takes and lives in ``helpers.tokens`` as the
efficiency η. Chapters 04, 05 and 06 use this module; it is the one place the idle-power
arithmetic and its range check live.

References
----------
.. [1] J. Morrison et al., "Holistically Evaluating the Environmental Impact of Creating Language
   Models", ICLR 2025 (an H100 idles near 100 W of its 700 W).
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, calculator, result

__all__ = ["average_power_w", "power_per_busy_hour_w"]


@calculator
def average_power_w(busy_power_w, idle_power_w, utilization):
    """Average electrical power of a machine busy a share ``utilization`` of the time.

    .. math:: \\bar P = P_\\text{idle} + (P_\\text{busy} - P_\\text{idle}) \\times u

    Parameters
    ----------
    busy_power_w : float or array_like
        Power while working [W], ≥ 0.
    idle_power_w : float or array_like
        Power while switched on but idle [W], ≥ 0 and ≤ ``busy_power_w``.
    utilization : float or array_like
        Share of the time busy [-], in [0, 1].

    Returns
    -------
    float or ndarray
        Average power [W].

    Examples
    --------
    >>> average_power_w(700, 100, 0.3)
    280.0
    """
    busy = as_array(busy_power_w, "busy_power_w")
    idle = as_array(idle_power_w, "idle_power_w")
    u = as_array(utilization, "utilization", high=1.0)
    if np.any(idle > busy):
        raise ValueError("idle_power_w must not exceed busy_power_w")
    return result(idle + (busy - idle) * u)


@calculator
def power_per_busy_hour_w(busy_power_w, idle_power_w, utilization):
    """Power charged to each busy hour when the machine stays on the rest of the time.

    .. math:: P = \\bar P(u) / u = P_\\text{busy} + P_\\text{idle} \\frac{1 - u}{u}

    Multiply by busy hours to get all the energy, idle hours included. A machine switched off
    when idle has ``idle_power_w = 0`` and pays only for its busy hours.

    Parameters
    ----------
    busy_power_w, idle_power_w : float or array_like
        As in :func:`average_power_w` [W].
    utilization : float or array_like
        Share of the time busy [-], in (0, 1] (zero would divide).

    Returns
    -------
    float or ndarray
        Power per busy hour [W], ≥ ``busy_power_w``.

    Examples
    --------
    700 W busy, 100 W idle, busy 2,000 of the 8,760 hours of a year and on the rest:

    >>> round(power_per_busy_hour_w(700, 100, 2_000 / 8_760), 1)
    1038.0

    In units of busy power (``busy_power_w=1``), an H100 busy 10 % of the time that idles at
    100 W of its 700 W pays 2.29 times its busy energy per unit of work:

    >>> round(power_per_busy_hour_w(1, 100 / 700, 0.1), 2)
    2.29
    """
    u = as_array(utilization, "utilization", low_open=True, high=1.0)
    return result(np.asarray(average_power_w(busy_power_w, idle_power_w, u)) / u)
