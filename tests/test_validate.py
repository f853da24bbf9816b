import math

import numpy as np
import pytest

from helpers._validate import as_array, result


def test_scalar_and_array_pass_through():
    assert as_array(3, "x").shape == ()
    np.testing.assert_array_equal(as_array([1, 2], "x"), [1.0, 2.0])


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, -1.0, "abc", None, True, [1, math.nan]]
)
def test_bad_values_name_parameter_and_range(bad):
    with pytest.raises(ValueError, match=r"gpu_hours .*\[0, inf\)"):
        as_array(bad, "gpu_hours")


def test_open_lower_bound_rejects_zero():
    with pytest.raises(ValueError, match=r"energy_per_query_wh .*\(0, inf\)"):
        as_array(0.0, "energy_per_query_wh", low_open=True)


def test_upper_bound_and_message_for_arrays():
    with pytest.raises(
        ValueError, match=r"hours_per_year .*\[0, 8760\].*got 9000 \(first bad element of 1\)"
    ):
        as_array([10, 9000], "hours_per_year", high=8760)


def test_empty_array_rejected():
    with pytest.raises(ValueError, match="x must not be empty"):
        as_array([], "x")


def test_result_unwraps_zero_d():
    assert isinstance(result(np.float64(2.0)), float)
    assert isinstance(result(np.array([2.0])), np.ndarray)
