"""helpers.measure (chapter 07). No timing is asserted: the measurements run on this CPU at tiny
sizes and are checked for shape, units and bookkeeping. The energy readers run against counter
trees and a stand-in NVML module that the tests build (wrap-around, unreadable files, missing
drivers); the GPU path runs through a stand-in "GPU" backend, since the test machines have none.
"""

from __future__ import annotations

import builtins
import csv
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import test_bad_inputs as harness

from helpers import measure as m
from helpers import tokens
from helpers.data import DataError

TINY = m.DecoderSpec(d_model=64, d_ff=192, n_layers=2)


def raises_naming(parameter: str, kind=ValueError):
    return pytest.raises(kind, match=rf"\b{parameter}\b")


def write(root: Path, rel: str, text) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(text))
    return path


# --- bad input ------------------------------------------------------------------------------

PURE = [
    "measured_deployment",
    "measured_bend_batch_size",
    "rapl_delta_uj",
    "cpu_power_per_thread_w",
    "energy_per_token_j",
]
"""The module's calculators of numbers: wrapped by @calculator and walked by the same harness
as tests/test_bad_inputs.py (whose MODULES lists modules whose every function is one)."""


def test_the_pure_calculators_are_wrapped_and_the_rest_are_not_numbers_only():
    checked = {n for n in m.__all__ if getattr(getattr(m, n), "checked", False)}
    assert checked == set(PURE)


@pytest.mark.parametrize("name", PURE)
def test_pure_calculators_give_clear_errors_for_bad_input(name):
    assert harness._example_calls(m, getattr(m, name)), f"{name} needs a docstring example"
    harness.test_bad_input_gets_a_clear_error(m, name)
    try:
        harness.test_mismatched_shapes_name_both_parameters(m, name)
    except pytest.skip.Exception:
        pass


def test_the_harness_would_see_a_lax_calculator(monkeypatch):
    def lax(step_s, power_w, batch_size):
        """Accepts strings.

        >>> lax(1.0, 2.0, 1.0)
        2.0
        """
        return 2.0

    monkeypatch.setattr(m, "lax", lax, raising=False)
    with pytest.raises(pytest.fail.Exception, match="accepted silently"):
        harness.test_bad_input_gets_a_clear_error(m, "lax")


@pytest.mark.parametrize(
    "call, name, kind",
    [
        (lambda: m.read_bandwidth_gb_per_s(2**20, repeats=0), "repeats", ValueError),
        (lambda: m.read_bandwidth_gb_per_s(2**20, warmup=-1), "warmup", ValueError),
        (lambda: m.read_bandwidth_gb_per_s(1.5e6), "array_bytes", TypeError),
        (lambda: m.read_bandwidth_gb_per_s(100), "array_bytes", ValueError),
        (lambda: m.read_bandwidth_gb_per_s(2**20, kernel="copy"), "kernel", ValueError),
        (lambda: m.read_bandwidth_gb_per_s(array=np.ones(10, np.float32)), "array", ValueError),
        (lambda: m.matmul_tflops(32.0), "n", TypeError),
        (lambda: m.matmul_tflops(0), "n", ValueError),
        (lambda: m.matmul_tflops(8, threads=0), "threads", ValueError),
        (lambda: m.matmul_tflops(8, threads=True), "threads", TypeError),
        (lambda: m.DecoderSpec(d_model=0), "d_model", ValueError),
        (lambda: m.DecoderSpec(n_layers=2.0), "n_layers", TypeError),
        (lambda: m.decoder_spec(-5), "weight_bytes", ValueError),
        (lambda: m.make_decoder("tiny"), "spec", TypeError),
        (lambda: m.make_decoder(TINY, backend="gpu"), "backend", TypeError),
        (lambda: m.decode_step(None, np.ones((1, 64))), "decoder", TypeError),
        (lambda: m.time_decode(None), "decoder", TypeError),
        (lambda: m.time_decode(m.make_decoder(TINY), [0]), "batch_sizes", ValueError),
        (lambda: m.time_decode(m.make_decoder(TINY), [2, 2]), "batch_sizes", ValueError),
        (lambda: m.time_decode(m.make_decoder(TINY), []), "batch_sizes", ValueError),
        (lambda: m.time_decode(m.make_decoder(TINY), 4), "batch_sizes", TypeError),
        (
            lambda: m.time_decode(m.make_decoder(TINY), [1], max_seconds=0),
            "max_seconds",
            ValueError,
        ),
        (lambda: m.compare_with_model(pd.DataFrame({"x": [1]}), None), "table", ValueError),
        (
            lambda: m.compare_with_model(pd.DataFrame({"batch_size": [1], "step_s": [1.0]}), 3),
            "deployment",
            TypeError,
        ),
        (lambda: m.cpu_busy_fraction(0), "seconds", ValueError),
        (lambda: m.available_memory_bytes(42), "root", TypeError),
        (lambda: m.llc_bytes(None), "root", TypeError),
        (lambda: m.measure_energy(lambda: None, []), "meters", ValueError),
        (lambda: m.measure_energy("work", [object()]), "fn", TypeError),
        (lambda: m.estimated_power_w(0), "busy_threads", ValueError),
        (lambda: m.estimated_power_w(2, "no-such-cpu"), "cpu_id", ValueError),
        (lambda: m.estimated_power_w(2, 7763), "cpu_id", TypeError),
        (lambda: m.run(precise="yes"), "precise", TypeError),
        (lambda: m.run(backend="cuda"), "backend", TypeError),
        (lambda: m.run_table("a run"), "result_", TypeError),
        (lambda: m.torch_backend(0), "device", TypeError),
        (lambda: m.describe_machine(-1), "threads", ValueError),
    ],
)
def test_bad_inputs_name_the_parameter(call, name, kind):
    with raises_naming(name, kind):
        call()


# --- the machine: cache, memory, CPUs, threads ----------------------------------------------


def fake_caches(root: Path, caches):
    for i, (level, kind, size) in enumerate(caches):
        folder = f"sys/devices/system/cpu/cpu0/cache/index{i}"
        write(root, f"{folder}/level", level)
        write(root, f"{folder}/type", kind)
        write(root, f"{folder}/size", size)


def test_llc_is_the_highest_data_or_unified_cache(tmp_path):
    caches = [(1, "Data", "32K"), (1, "Instruction", "32K"), (2, "Unified", "1M")]
    fake_caches(tmp_path, [*caches, (3, "Unified", "32768K")])
    assert m.llc_bytes(tmp_path) == 32 * 2**20
    fake_caches(tmp_path / "small", [(1, "Data", "48K"), (2, "Instruction", "8M")])
    assert m.llc_bytes(tmp_path / "small") == 48 * 2**10
    assert m.llc_bytes(tmp_path / "nowhere") == 32 * 2**20  # the machine does not say


def meminfo(root: Path, available_kb: int):
    write(root, "proc/meminfo", f"MemTotal: 99999999 kB\nMemAvailable: {available_kb} kB\n")


def test_memory_from_meminfo_alone(tmp_path):
    meminfo(tmp_path, 8_000_000)
    assert m.available_memory_bytes(tmp_path) == 8_000_000 * 1024
    assert m.available_memory_bytes(tmp_path / "nowhere") is None


def test_memory_cgroup_v2_limit_minus_usage_and_parents(tmp_path):
    meminfo(tmp_path, 8_000_000)
    write(tmp_path, "proc/self/cgroup", "0::/user.slice/binder\n")
    write(tmp_path, "sys/fs/cgroup/user.slice/binder/memory.max", 2 * 2**30)
    write(tmp_path, "sys/fs/cgroup/user.slice/binder/memory.current", 2**29)
    write(tmp_path, "sys/fs/cgroup/user.slice/memory.max", "max")  # no limit
    write(tmp_path, "sys/fs/cgroup/user.slice/memory.current", 2**33)
    assert m.available_memory_bytes(tmp_path) == 2 * 2**30 - 2**29
    assert m.memory_sources(tmp_path)["meminfo"] == 8_000_000 * 1024
    write(tmp_path, "sys/fs/cgroup/user.slice/memory.max", 2**33 + 2**28)  # a tighter parent
    assert m.available_memory_bytes(tmp_path) == 2**28


def test_memory_cgroup_v1_its_no_limit_value_and_an_invisible_cgroup(tmp_path):
    meminfo(tmp_path, 8_000_000)
    write(tmp_path, "proc/self/cgroup", "5:cpu,cpuacct:/\n4:memory:/docker/abc\n0::/\n")
    folder = "sys/fs/cgroup/memory/docker/abc"
    write(tmp_path, f"{folder}/memory.limit_in_bytes", 9223372036854771712)
    write(tmp_path, f"{folder}/memory.usage_in_bytes", 2**30)
    assert m.available_memory_bytes(tmp_path) == 8_000_000 * 1024
    write(tmp_path, f"{folder}/memory.limit_in_bytes", 2**31)
    assert m.available_memory_bytes(tmp_path) == 2**30
    other = tmp_path / "other"
    write(other, "proc/self/cgroup", "4:memory:/host/path/not/mounted\n")
    write(other, "sys/fs/cgroup/memory/memory.limit_in_bytes", 2**30)
    write(other, "sys/fs/cgroup/memory/memory.usage_in_bytes", 2**31)  # over the limit
    assert m.available_memory_bytes(other) == 0


def test_cpu_count_honours_cgroup_quotas(tmp_path):
    visible = m.cpu_count(tmp_path / "nowhere")
    write(tmp_path, "proc/self/cgroup", "0::/pod\n")
    write(tmp_path, "sys/fs/cgroup/pod/cpu.max", "max 100000")
    assert m.cpu_count(tmp_path) == visible
    write(tmp_path, "sys/fs/cgroup/pod/cpu.max", "50000 100000")  # half a CPU: one thread
    assert m.cpu_count(tmp_path) == 1
    v1 = tmp_path / "v1"
    write(v1, "proc/self/cgroup", "3:cpu,cpuacct:/\n")
    write(v1, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", -1)
    write(v1, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", 100000)
    assert m.cpu_count(v1) == visible
    write(v1, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", 100000)
    assert m.cpu_count(v1) == 1


def test_cpu_busy_fraction_from_proc_stat(tmp_path):
    # user nice system idle iowait irq softirq steal
    write(tmp_path, "proc/stat", "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n")

    def sleep(seconds):  # meanwhile: 30 busy ticks (10 of them stolen), 70 idle
        write(tmp_path, "proc/stat", "cpu  120 0 50 860 60 0 0 10 0 0\n")

    assert m.cpu_busy_fraction(0.1, tmp_path, sleep=sleep) == pytest.approx(0.3)
    assert math.isnan(m.cpu_busy_fraction(0.01, tmp_path / "nowhere"))


def _blas_is_visible() -> bool:
    import threadpoolctl

    return bool(m._blas_pools(threadpoolctl))


VISIBLE_BLAS = pytest.mark.skipif(
    not _blas_is_visible(), reason="a BLAS threadpoolctl cannot see (Apple's Accelerate)"
)


@VISIBLE_BLAS
def test_blas_threads_sets_and_reads_back_the_count():
    with m.blas_threads(1) as used:
        assert used == 1
        assert m.matmul_tflops(16, repeats=1).threads == 1
    with m.blas_threads() as used:
        assert used >= 1
    assert "openblas" in m.blas_description().lower() or "mkl" in m.blas_description().lower()


def test_a_blas_threadpoolctl_cannot_see_reports_zero_threads(monkeypatch):
    import threadpoolctl

    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: [])
    with m.blas_threads() as used:
        assert used == 0
    assert "build record" in m.blas_description()


# --- the two limits and the workload, at tiny sizes ----------------------------------------


def test_bandwidth_reports_what_it_read_and_its_spread():
    bw = m.read_bandwidth_gb_per_s(2**20, repeats=5, warmup=0, threads=1)
    assert (bw.unit, bw.kernel, bw.size, bw.threads, len(bw.samples)) == (
        "GB/s",
        "dot",
        2**20,
        1,
        5,
    )
    assert 0 < min(bw.samples) <= bw.p10 <= bw.median <= bw.p90 <= max(bw.samples)
    assert m.read_bandwidth_gb_per_s(2**20, kernel="sum", repeats=2).threads == 1
    given = m.read_bandwidth_gb_per_s(array=np.ones(3 * 4096 + 7, np.float32), repeats=2)
    assert given.size == 3 * 4096 * 4  # whole rows of 4,096 floats


def test_default_array_is_beyond_the_cache_and_within_memory(tmp_path):
    fake_caches(tmp_path, [(3, "Unified", "16M")])
    meminfo(tmp_path, 64 * 2**20 // 1024 * 100)  # 6.4 GB free
    assert m._array_bytes(tmp_path) == 128 * 2**20  # 8 × 16 MiB
    meminfo(tmp_path, 200 * 1024)  # 200 MiB free: a quarter of it
    assert m._array_bytes(tmp_path) == 50 * 2**20
    fake_caches(tmp_path, [(3, "Unified", "256M")])
    meminfo(tmp_path, 64 * 2**20)
    assert m._array_bytes(tmp_path) == 384 * 2**20  # capped


def test_matmul_rate_and_combined_samples():
    r = m.matmul_tflops(32, repeats=2, warmup=0)
    assert (r.unit, r.kernel, r.size, len(r.samples)) == ("TFLOP/s", "matmul", 32, 2)
    both = r.combine(m.matmul_tflops(32, repeats=3))
    assert len(both.samples) == 5 and both.samples[:2] == r.samples
    with raises_naming("other", TypeError):
        r.combine(m.read_bandwidth_gb_per_s(2**20, repeats=1))


def test_decoder_spec_counts_and_sizes():
    spec = m.DecoderSpec(1024, 2816, 5)
    assert spec.params == 5 * (4 * 1024**2 + 3 * 1024 * 2816)
    assert spec.weight_bytes == 4 * spec.params
    assert sum(a * b for a, b in spec.shapes().values()) * spec.n_layers == spec.params
    assert m.decoder_spec(256 * 2**20) == spec  # Llama's MLP rule, as many layers as fit
    assert m.decoder_spec(1000, d_model=64).n_layers == 1


def test_weights_are_deterministic_views_of_one_buffer():
    a, b, c = m.make_decoder(TINY, seed=1), m.make_decoder(TINY, seed=1), m.make_decoder(TINY)
    np.testing.assert_array_equal(a.flat, b.flat)
    assert not np.array_equal(a.flat, c.flat)
    assert a.flat.dtype == np.float32 and a.flat.size == TINY.params
    for layer in a.layers:
        for name, (out, inp) in TINY.shapes().items():
            w = layer[name]
            assert w.shape == (out, inp) and np.shares_memory(w, a.flat)
            assert np.all(np.abs(w) <= math.sqrt(3 / inp) * (1 + 1e-6))
    assert abs(a.layers[0]["wq"].var() * 64 - 1) < 0.2  # variance 1 / fan_in


def test_each_sequence_in_a_batch_is_decoded_independently():
    dec = m.make_decoder(TINY)
    x = np.random.default_rng(0).standard_normal((4, 64), dtype=np.float32)
    together = m.decode_step(dec, x)
    alone = np.vstack([m.decode_step(dec, x[i : i + 1]) for i in range(4)])
    assert together.shape == (4, 64) and np.all(np.isfinite(together))
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-5)


def test_decode_step_matches_a_plain_reference():
    dec = m.make_decoder(m.DecoderSpec(16, 32, 1))
    w = dec.layers[0]
    x = np.random.default_rng(2).standard_normal((3, 16)).astype(np.float32)

    def norm(v):
        return v / np.sqrt((v**2).mean(axis=1, keepdims=True) + 1e-6)

    x1 = x + (norm(x) @ w["wv"].T) @ w["wo"].T  # attention over one token returns v
    g, u = norm(x1) @ w["w_gate"].T, norm(x1) @ w["w_up"].T
    expected = x1 + (g / (1 + np.exp(-g)) * u) @ w["w_down"].T
    np.testing.assert_allclose(m.decode_step(dec, x), expected, rtol=1e-5, atol=1e-6)


def test_time_decode_table():
    dec = m.make_decoder(TINY)
    t = m.time_decode(dec, [1, 2, 8], repeats=4, warmup=0, max_seconds=1e-9, threads=1)
    assert list(t["batch_size"]) == [1, 2, 8] and (t["threads"] == 1).all()
    assert (t["repeats"] == 3).all()  # the budget stops timing after three steps
    np.testing.assert_allclose(t["token_s"], t["step_s"] / t["batch_size"])
    np.testing.assert_allclose(t["tokens_per_s"], t["batch_size"] / t["step_s"])
    assert (t["step_p10_s"] <= t["step_s"]).all() and (t["step_s"] <= t["step_p90_s"]).all()
    assert m.time_decode(dec, [4], repeats=2)["repeats"].iloc[0] == 2


# --- chapter 02's prediction -----------------------------------------------------------------


def test_the_machine_is_a_chapter_02_deployment_in_fp32():
    d = m.measured_deployment(64e6, 20.0, 0.125, 8.75)
    assert isinstance(d, tokens.Deployment)
    assert (d.bytes_per_param, d.kv_bytes_per_token, d.gpu_power_w) == (4.0, 0.0, 8.75)
    t = tokens.decode_step_times_s(np.array([1, 16, 256]), 0, deployment=d)
    np.testing.assert_allclose(t.memory_s, 64e6 * 4 / 20e9)
    np.testing.assert_allclose(t.compute_s, 2 * 64e6 * np.array([1, 16, 256]) / 0.125e12)
    bend = tokens.compute_bound_batch_size(0, deployment=d)
    assert bend == pytest.approx(4 * 0.125e12 / (2 * 20e9))


def test_compare_with_model_adds_the_prediction_and_the_ratio():
    table = pd.DataFrame({"batch_size": [1, 4, 64], "step_s": [0.02, 0.02, 0.1]})
    d = m.measured_deployment(64e6, 20.0, 0.125, 8.75)
    out = m.compare_with_model(table, d)
    memory = 64e6 * 4 / 20e9
    compute = 2 * 64e6 * np.array([1, 4, 64]) / 0.125e12
    np.testing.assert_allclose(out["predicted_step_s"], np.maximum(memory, compute))
    np.testing.assert_allclose(out["measured_over_predicted"], table.step_s / out.predicted_step_s)
    assert "predicted_step_s" not in table  # a copy


def test_measured_bend_from_the_two_asymptotes():
    b = np.array([1, 2, 4, 8, 16, 32, 64])
    step = np.maximum(0.010, b * 0.0005)  # floor 10 ms, 0.5 ms per sequence: bend at 20
    assert m.measured_bend_batch_size(b, step) == pytest.approx(20.0)
    with raises_naming("batch_size"):
        m.measured_bend_batch_size([2, 4], [1.0, 2.0])


# --- energy: RAPL against counter trees ------------------------------------------------------

RANGE = 262_143_328_850


def rapl_tree(root: Path, domains):
    """folder → (name, energy_uj, max_energy_range_uj or None)."""
    for folder, (name, energy, top) in domains.items():
        base = f"sys/class/powercap/{folder}"
        write(root, f"{base}/name", name)
        write(root, f"{base}/energy_uj", energy)
        if top is not None:
            write(root, f"{base}/max_energy_range_uj", top)


def set_energy(root: Path, folder: str, value: int):
    write(root, f"sys/class/powercap/{folder}/energy_uj", value)


def test_rapl_counts_packages_and_their_memory_not_cores_or_the_platform(tmp_path):
    rapl_tree(
        tmp_path,
        {
            "intel-rapl:0": ("package-0", 1_000_000, RANGE),
            "intel-rapl:0:0": ("core", 500_000, RANGE),
            "intel-rapl:0:1": ("dram", 100_000, RANGE),
            "intel-rapl:1": ("package-1", 2_000_000, RANGE),
            "intel-rapl:2": ("psys", 0, RANGE),
        },
    )
    meter = m.RaplMeter(tmp_path)
    assert meter.available and meter.source == "rapl:package-0+package-1+dram"
    a = meter.snapshot()
    set_energy(tmp_path, "intel-rapl:0", 4_000_000)
    set_energy(tmp_path, "intel-rapl:1", 2_500_000)
    set_energy(tmp_path, "intel-rapl:0:1", 1_100_000)  # memory: outside the package
    set_energy(tmp_path, "intel-rapl:0:0", 9_000_000)  # cores: inside it, not counted again
    set_energy(tmp_path, "intel-rapl:2", 99_000_000)  # the platform contains the package
    assert meter.joules(a, meter.snapshot()) == pytest.approx(3.0 + 0.5 + 1.0)


def test_rapl_counter_wrap_around(tmp_path):
    rapl_tree(tmp_path, {"intel-rapl:0": ("package-0", 999_000_000, 1_000_000_000)})
    meter = m.RaplMeter(tmp_path)
    a = meter.snapshot()
    set_energy(tmp_path, "intel-rapl:0", 2_000_000)  # passed the top, started again from 0
    assert meter.joules(a, meter.snapshot()) == pytest.approx(3.0)
    assert m.rapl_delta_uj(900, 50, 1000) == 150
    np.testing.assert_allclose(m.rapl_delta_uj([1, 900], [5, 50], [1000, 1000]), [4, 150])


def test_rapl_absent(tmp_path):
    meter = m.RaplMeter(tmp_path)
    assert not meter.available and "no RAPL" in meter.reason


def test_rapl_unreadable_counter_or_range(tmp_path):
    # Root can read a chmod 000 file, so make the counter unreadable another way: a folder.
    rapl_tree(tmp_path, {"intel-rapl:0": ("package-0", 1, 1000)})
    counter = tmp_path / "sys/class/powercap/intel-rapl:0/energy_uj"
    counter.unlink()
    counter.mkdir()
    meter = m.RaplMeter(tmp_path)
    assert not meter.available and "not readable" in meter.reason
    other = tmp_path / "other"
    rapl_tree(other, {"intel-rapl:0": ("package-0", 1, None)})  # no max_energy_range_uj
    assert not m.RaplMeter(other).available
    write(other, "sys/class/powercap/intel-rapl:0/max_energy_range_uj", "lots")
    assert "not readable" in m.RaplMeter(other).reason


def test_rapl_permission_denied_explains_the_kernel_change(tmp_path, monkeypatch):
    rapl_tree(tmp_path, {"intel-rapl:0": ("package-0", 1, 1000)})
    real_open = builtins.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("energy_uj"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    meter = m.RaplMeter(tmp_path)
    assert not meter.available and "5.10" in meter.reason and "chmod" in meter.reason


# --- energy: NVML through a stand-in module --------------------------------------------------


class FakeNvml:
    """The parts of pynvml the meter uses; the energy of each device in mJ."""

    class NVMLError(Exception):
        pass

    def __init__(self, energies_mj=(), fail_init=False, fail_energy=False):
        self.energies = list(energies_mj)
        self.fail_init, self.fail_energy = fail_init, fail_energy
        self.shutdowns = 0

    def nvmlInit(self):
        if self.fail_init:
            raise self.NVMLError("NVML Shared Library Not Found")

    def nvmlShutdown(self):
        self.shutdowns += 1

    def nvmlDeviceGetCount(self):
        return len(self.energies)

    def nvmlDeviceGetHandleByIndex(self, i):
        return i

    def nvmlDeviceGetTotalEnergyConsumption(self, handle):
        if self.fail_energy:
            raise self.NVMLError("Not Supported")
        return self.energies[handle]


def test_nvml_sums_gpus_in_joules_and_shuts_down_once():
    nvml = FakeNvml([1_000, 5_000])
    meter = m.NvmlMeter(nvml)
    assert meter.available and meter.source == "nvml:0+1"
    a = meter.snapshot()
    nvml.energies = [3_500, 6_000]
    assert meter.joules(a, meter.snapshot()) == pytest.approx(3.5)
    meter.close()
    meter.close()
    assert nvml.shutdowns == 1
    assert m.NvmlMeter(FakeNvml([1, 2, 3]), devices=[2]).source == "nvml:2"


@pytest.mark.parametrize(
    "nvml, reason",
    [
        (FakeNvml([]), "no NVIDIA GPU"),
        (FakeNvml([1], fail_init=True), "no NVIDIA driver"),
        (FakeNvml([1], fail_energy=True), "older than Volta"),
    ],
)
def test_nvml_unavailable_says_why_and_shuts_down(nvml, reason):
    meter = m.NvmlMeter(nvml)
    assert not meter.available and reason in meter.reason
    assert nvml.shutdowns == (0 if nvml.fail_init else 1)


def test_nvml_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # the import now fails
    meter = m.NvmlMeter()
    assert not meter.available and "nvidia-ml-py" in meter.reason


def test_energy_meters_lists_both(tmp_path):
    rapl, nvml = m.energy_meters(tmp_path, nvml=FakeNvml([7]))
    assert not rapl.available and nvml.available


# --- energy: the idle baseline, estimates ----------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class CounterMeter:
    """A meter whose counter the test moves [µJ]."""

    available, source = True, "fake"

    def __init__(self):
        self.uj = 0

    def snapshot(self):
        return self.uj

    def joules(self, a, b):
        return (b - a) / 1e6


def test_measure_energy_subtracts_an_idle_baseline_of_the_same_length():
    clock, meter = Clock(), CounterMeter()

    def work():  # 0.1 s at 30 W
        clock.now += 0.1
        meter.uj += 3_000_000

    def sleep(seconds):  # idle at 5 W
        clock.now += seconds
        meter.uj += int(5e6 * seconds)

    e = m.measure_energy(work, [meter], min_seconds=0.35, clock=clock, sleep=sleep)
    assert e.calls == 4 and e.seconds == pytest.approx(0.4)
    assert e.active_j == pytest.approx(12.0) and e.idle_j == pytest.approx(2.0)
    assert e.net_j == pytest.approx(10.0) and e.source == "fake"


def test_estimated_power_comes_from_the_cpu_power_table():
    from helpers import data

    row = data.load("cpu_power").loc[m.DEFAULT_CPU]
    power, text = m.estimated_power_w(2)
    assert power == pytest.approx(2 * row.tdp_w / row.threads)
    assert text.startswith("estimate:") and row["name"] in text and "assumed" in text
    laptop, _ = m.estimated_power_w(4, "amd-ryzen-7-7840u")
    assert laptop == pytest.approx(4 * 28 / 16)
    all_of_it, _ = m.estimated_power_w(4096, "amd-ryzen-7-7840u")  # never above the TDP
    assert all_of_it == 28
    assert m.cpu_power_per_thread_w(280, 128) == pytest.approx(2.1875)


def test_decode_energy_estimates_are_flagged(tmp_path):
    dec = m.make_decoder(TINY)
    unreadable = [m.RaplMeter(tmp_path), m.NvmlMeter(FakeNvml([]))]  # neither can be read
    e, power = m.decode_energy(dec, [1, 4], meters=unreadable, step_s=[0.01, 0.02], power_w=10.0)
    np.testing.assert_allclose(e["energy_j_per_token"], [0.1, 0.05])
    assert power == 10.0 and not e["energy_measured"].any()
    assert (e["energy_source"] == "estimate: 10 W typed by you").all()
    default, power = m.decode_energy(dec, [1], meters=[], step_s=[1.0], threads=1)
    assert power == m.estimated_power_w(1)[0] and default["energy_j_per_token"].iloc[0] == power
    with raises_naming("step_s"):
        m.decode_energy(dec, [1], meters=[])
    with raises_naming("step_s"):
        m.decode_energy(dec, [1, 2], meters=[], step_s=[1.0])


def test_decode_energy_measured_with_a_meter(monkeypatch):
    meter, step = CounterMeter(), m.decode_step

    def metered_step(decoder, x):  # 1 mJ per sequence per step, nothing while idle
        meter.uj += 1_000 * x.shape[0]
        return step(decoder, x)

    monkeypatch.setattr(m, "decode_step", metered_step)
    dec = m.make_decoder(TINY)
    e, _ = m.decode_energy(dec, [1, 2, 8], meters=[meter], min_seconds=0.01)
    assert e["energy_measured"].all() and e["energy_source"].str.startswith("measured: fake").all()
    np.testing.assert_allclose(e["energy_j_per_token"], 1e-3)


def test_a_counter_that_jumps_gives_an_estimate_that_says_why(monkeypatch):
    meter, step = CounterMeter(), m.decode_step

    def reset_step(decoder, x):  # the counter is reset under the work: it goes backwards
        meter.uj -= 5_000_000
        return step(decoder, x)

    monkeypatch.setattr(m, "decode_step", reset_step)
    dec = m.make_decoder(TINY)
    e, _ = m.decode_energy(dec, [1], meters=[meter], step_s=[0.5], power_w=10.0)
    assert not e["energy_measured"].any() and e["energy_j_per_token"].iloc[0] == 5.0
    assert "jumped" in e["energy_source"].iloc[0]
    with pytest.raises(m.CounterJumpError, match="jumped"):
        m.measure_energy(lambda: reset_step(dec, np.ones((1, TINY.d_model), np.float32)), [meter])


def test_a_cpu_run_reads_the_cpu_counter_not_the_gpu_one(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(m, "NvmlMeter", lambda *a, **k: opened.append("nvml") or FakeNvml([]))
    e, _ = m.decode_energy(m.make_decoder(TINY), [1], step_s=[0.1], power_w=5.0, root=tmp_path)
    assert opened == [] and not e["energy_measured"].any()  # no RAPL in tmp_path: an estimate


# --- a stand-in "GPU" (numpy, with a copying asarray and a counting sync) --------------------


def test_a_gpu_backend_stand_in_runs_everything_and_syncs():
    calls = {"sync": 0, "asarray": 0}

    def asarray(a):
        calls["asarray"] += 1
        return np.array(a, copy=True)  # "to the device"

    def sync():
        calls["sync"] += 1

    gpu = m.Backend("fake-gpu", np, asarray, sync)
    dec, ref = m.make_decoder(TINY, backend=gpu), m.make_decoder(TINY)
    assert calls["asarray"] == 1 and not np.shares_memory(dec.flat, ref.flat)
    np.testing.assert_array_equal(dec.layers[1]["w_down"], ref.layers[1]["w_down"])
    t = m.time_decode(dec, [1, 2], repeats=2, warmup=1, threads=4)  # threads: not on a GPU
    assert (t["threads"] == 0).all() and calls["sync"] >= 6
    assert m.read_bandwidth_gb_per_s(array=dec.flat, backend=gpu, repeats=2).threads == 0
    assert m.matmul_tflops(16, backend=gpu, repeats=1).median > 0
    with raises_naming("power_w"):  # no meter and no typed power: no guess for a GPU
        m.decode_energy(dec, [1], meters=[], step_s=[0.1])
    e, _ = m.decode_energy(dec, [1], meters=[], step_s=[0.1], power_w=300.0)
    assert e["energy_j_per_token"].iloc[0] == pytest.approx(30.0)
    r = m.run(weight_bytes=2**18, d_model=32, batch_sizes=(1, 2), meters=[], power_w=300.0,
              backend=gpu)  # fmt: skip
    assert r.machine.backend == "fake-gpu" and r.machine.threads == 0
    assert "fake-gpu" in r.machine.label and (r.table["threads"] == 0).all()


def test_torch_backend_matches_numpy_where_torch_is_installed():
    torch = pytest.importorskip("torch")
    be = m.torch_backend("cpu", torch)
    dec, ref = m.make_decoder(TINY, backend=be), m.make_decoder(TINY)
    x = np.random.default_rng(3).standard_normal((2, 64), dtype=np.float32)
    out = m.decode_step(dec, be.asarray(x))
    np.testing.assert_allclose(out.numpy(), m.decode_step(ref, x), rtol=1e-4, atol=1e-5)


def test_gpu_backend_is_none_without_cupy_or_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)
    monkeypatch.setitem(sys.modules, "torch", None)
    assert m.gpu_backend() is None


# --- a whole run: saved, pooled; the shipped runs --------------------------------------------


@pytest.fixture(scope="module")
def tiny_run():
    return m.run(weight_bytes=2**20, d_model=64, batch_sizes=(1, 2, 4), meters=[], power_w=8.0)


def test_a_run_at_a_tiny_size(tiny_run):
    r = tiny_run
    assert r.spec.d_model == 64 and r.spec.weight_bytes <= 2**21
    assert list(r.table["batch_size"]) == [1, 2, 4] and not r.table["energy_measured"].any()
    assert len(r.bandwidth.samples) == 10 and len(r.matmul.samples) == 6  # before + after
    assert r.bandwidth.size == r.spec.weight_bytes  # read over the weights themselves
    assert r.machine.threads == r.bandwidth.threads == r.matmul.threads
    assert r.machine.threads >= 1 or not _blas_is_visible()
    expected = m.compare_with_model(r.table[["batch_size", "step_s"]], r.deployment)
    np.testing.assert_allclose(r.table["predicted_step_s"], expected["predicted_step_s"])
    np.testing.assert_allclose(
        r.table["energy_j_per_token"], r.table["step_s"] * 8.0 / r.table["batch_size"]
    )
    assert "BLAS thread" in str(r) and r.seconds > 0


def test_saved_runs_pool_into_one_table(tiny_run, tmp_path):
    a = m.save_run_csv(tiny_run, tmp_path / "alice.csv", run_id="alice")
    b = m.save_run_csv(tiny_run, tmp_path / "bob.csv", run_id="bob")
    pooled = m.load_runs([a, b])
    assert len(pooled) == 6 and set(pooled["run_id"]) == {"alice", "bob"}
    assert list(pooled.columns) == [*m.RUN_COLUMNS, "file"]
    assert pooled["batch_size"].dtype.kind == "i" and pooled["energy_measured"].dtype == bool
    pd.testing.assert_frame_equal(
        pooled[pooled.run_id == "alice"].drop(columns="file").reset_index(drop=True),
        m.run_table(tiny_run, "alice"),
        check_exact=False,
    )


def test_a_malformed_csv_names_the_file_line_and_column(tiny_run, tmp_path):
    good = m.save_run_csv(tiny_run, tmp_path / "good.csv")
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(DataError, match=r"empty.csv, line 1"):
        m.load_runs([good, empty])
    other = write(tmp_path, "other.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match=r"other.csv, line 1, column run_id: .*missing"):
        m.load_runs([good, other])
    rows = list(csv.reader(good.read_text().splitlines()))
    for value, problem in [("fast", "not a number"), ("-0.5", "below the minimum"),
                           ("inf", "not a finite"), ("1e30", "above the maximum")]:  # fmt: skip
        rows[2][rows[0].index("step_s")] = value
        bad = tmp_path / "bad.csv"
        with open(bad, "w", newline="") as f:
            csv.writer(f).writerows(rows)
        with pytest.raises(DataError, match=rf"bad.csv, line 3, column step_s: .*{problem}"):
            m.load_runs(bad)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(DataError, match="binary.csv, line 1"):
        m.load_runs(binary)
    with pytest.raises(DataError, match="missing.csv"):
        m.load_runs(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="paths"):
        m.load_runs([])
    with pytest.raises(TypeError, match="paths"):
        m.load_runs(123)


def test_two_files_with_the_same_run_id_stay_two_runs(tiny_run, tmp_path):
    a = m.save_run_csv(tiny_run, tmp_path / "alice.csv", run_id="your run")
    b = m.save_run_csv(tiny_run, tmp_path / "bob.csv", run_id="your run")
    pooled = m.load_runs([a, b])
    assert set(pooled.run_id) == {"your run", "your run (bob.csv)"}
    assert (pooled.groupby("run_id").file.nunique() == 1).all()


def test_the_shipped_runs_agree_with_chapter_02_and_with_themselves():
    runs = m.shipped_runs()
    assert list(runs.columns[: len(m.RUN_COLUMNS)]) == list(m.RUN_COLUMNS)
    assert runs["run_id"].nunique() >= 2 and (runs["source_id"] == "joules-jevons-ch07-runs").all()
    for _, r in runs.groupby("run_id"):
        assert list(r.batch_size) == list(m.DEFAULT_BATCH_SIZES)
        d = m.measured_deployment(
            r.params.iloc[0], r.bandwidth_gb_per_s.iloc[0], r.matmul_tflops.iloc[0], 1.0
        )
        t = tokens.decode_step_times_s(r.batch_size.to_numpy(float), 0, deployment=d)
        np.testing.assert_allclose(r.predicted_step_s, np.maximum(t.memory_s, t.compute_s))
    np.testing.assert_allclose(runs.measured_over_predicted, runs.step_s / runs.predicted_step_s)
    np.testing.assert_allclose(runs.token_s, runs.step_s / runs.batch_size)
    estimated = runs[~runs.energy_measured]
    np.testing.assert_allclose(
        estimated.energy_j_per_token,
        estimated.step_s * estimated.estimate_power_w / estimated.batch_size,
    )
    assert estimated.energy_source.str.startswith("estimate").all()
