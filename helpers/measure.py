"""Measure it yourself: chapter 02's per-token model, tested on the machine in front of you.

Chapter 02 says that one decode step (one new token for each of ``B`` sequences) takes the
longer of reading the weights and doing the arithmetic:

.. math:: t = \\max\\left(\\frac{N b}{\\text{bandwidth}},\\; \\frac{2 N B}{\\text{peak FLOP/s}}\\right)

(η = 1, no KV cache). This module measures the two limits of any laptop, Binder or Colab
machine (no GPU and no model download needed), times a decoder-shaped workload built from random
weight matrices, and hands the measured limits to chapter 02's own calculators
(:class:`helpers.tokens.Deployment` accepts measured hardware, FP32 included) to predict each
step. Energy comes from the machine's own counters where it has any (Linux RAPL, NVIDIA NVML),
with an idle baseline measured beside the work and subtracted; where it has none, it is
estimated as time × a power that is sourced (``data/cpu_power.csv``) or typed by the learner,
and every such number is flagged as an estimate.

What is measured, and how:

* :func:`read_bandwidth_gb_per_s`: bytes per second of a read-dominated kernel over an array
  several times larger than the last-level cache (``dot``: the array as a matrix times a vector,
  BLAS ``sgemv``, the kernel of a batch-1 decode step; ``sum``: numpy's own one-thread loop);
* :func:`matmul_tflops`: float32 FLOP/s of a square matrix product (2 n³ FLOPs);
* :func:`time_decode`: a stack of transformer layers (q, k, v, o and a gated MLP) held as
  float32 matrices, one decode step per batch size. Attention over a KV cache is left out: each
  sequence sits at its first token, where attention over a context of one returns ``v`` exactly
  (context length 0 in chapter 02's terms).

All three run the BLAS with the same, stated number of threads (set and read back with
``threadpoolctl``), after warm-up runs, and keep every repeat so that the spread can be shown.
A whole run (:func:`run`) is one table row per batch size, which :func:`save_run_csv` writes
and :func:`load_runs` pools across a class; ``data/ch07_runs.csv`` holds the runs this project
made (:func:`shipped_runs`).

Functions that only compute (:func:`measured_deployment`, :func:`measured_bend_batch_size`,
:func:`rapl_delta_uj`, :func:`cpu_power_per_thread_w`, :func:`energy_per_token_j`) are wrapped by
:func:`helpers._validate.calculator`; the functions that measure or read files check their
inputs with :mod:`helpers._validate` and raise errors naming the parameter.

References
----------
.. [1] R. Pope et al., "Efficiently Scaling Transformer Inference", MLSys 2023.
.. [2] Linux kernel documentation, "Power Capping Framework" (``/sys/class/powercap``).
.. [3] NVIDIA, "NVML API Reference Guide": ``nvmlDeviceGetTotalEnergyConsumption`` (mJ since
   the driver was loaded; Volta and newer GPUs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers import tokens
from helpers._validate import (
    InputTypeError,
    as_array,
    as_flag,
    as_frame,
    as_number,
    calculator,
    result,
)

__all__ = [
    "BYTES_PER_PARAM",
    "DEFAULT_BATCH_SIZES",
    "DEFAULT_CPU",
    "RUN_COLUMNS",
    "llc_bytes",
    "memory_sources",
    "available_memory_bytes",
    "cpu_count",
    "cpu_busy_fraction",
    "blas_threads",
    "blas_description",
    "Backend",
    "NUMPY",
    "torch_backend",
    "gpu_backend",
    "Rates",
    "read_bandwidth_gb_per_s",
    "matmul_tflops",
    "DecoderSpec",
    "decoder_spec",
    "Decoder",
    "make_decoder",
    "decode_step",
    "time_decode",
    "measured_deployment",
    "compare_with_model",
    "measured_bend_batch_size",
    "rapl_delta_uj",
    "RaplMeter",
    "NvmlMeter",
    "energy_meters",
    "EnergyMeasurement",
    "CounterJumpError",
    "measure_energy",
    "cpu_power_per_thread_w",
    "estimated_power_w",
    "energy_per_token_j",
    "decode_energy",
    "Machine",
    "describe_machine",
    "Run",
    "run",
    "run_table",
    "save_run_csv",
    "load_runs",
    "shipped_runs",
]

BYTES_PER_PARAM = 4
"""float32 weights: 4 bytes each."""

DEFAULT_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
"""Batch sizes of a run: 1 (memory-bound) to 256 (compute-bound on most CPUs)."""

DEFAULT_CPU = "amd-epyc-7763"
"""The row of ``data/cpu_power.csv`` an energy estimate uses unless told otherwise: a Zen 3
server CPU of the family the development VM reports ("AMD EPYC"; the VM does not name the
model, so this is an assumption, and the estimate says so; see :func:`estimated_power_w`)."""

_DEFAULT_LLC_BYTES = 32 * 2**20  # a common L3 size, where the machine does not say
_CACHE_MULTIPLE = 8  # arrays 8 × the last-level cache: beyond it with room to spare
_MIN_ARRAY_BYTES = 64 * 2**20
_MAX_ARRAY_BYTES = 384 * 2**20  # a few hundred MB at most: Binder gives 1-2 GB in all
_MEMORY_SHARE = 0.25  # at most a quarter of what the process may still allocate
_MAX_PLAUSIBLE_W = 10_000  # more than any CPU socket or GPU board draws: a counter reset
_NO_LIMIT = 2**60  # cgroup v1 writes "no limit" as a huge number
_ROW = 4096  # columns of the matrix view the bandwidth kernel reads (16 KiB rows)


# --------------------------------------------------------------------------------------------
# Input checks: integers and paths (numbers go through helpers._validate)
# --------------------------------------------------------------------------------------------


def _count(value, name: str, low: int = 1) -> int:
    """An integer ≥ ``low``: InputTypeError (a TypeError) for anything else, ValueError below."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise InputTypeError(f"{name} must be an integer ≥ {low}; got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer ≥ {low}; got {value}")
    return int(value)


def _optional_count(value, name: str) -> int | None:
    return None if value is None else _count(value, name)


def _root(root) -> Path:
    if not isinstance(root, str | os.PathLike):
        raise InputTypeError(f"root must be a path (str or os.PathLike); got {root!r}")
    return Path(root)


def _batch_sizes(batch_sizes) -> tuple[int, ...]:
    if isinstance(batch_sizes, str | bytes) or not hasattr(batch_sizes, "__iter__"):
        raise InputTypeError(f"batch_sizes must be a sequence of integers; got {batch_sizes!r}")
    sizes = tuple(_count(b, "batch_sizes") for b in batch_sizes)
    if not sizes:
        raise ValueError("batch_sizes must not be empty")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"batch_sizes must not repeat a size; got {sizes}")
    return sizes


# --------------------------------------------------------------------------------------------
# The machine: cache, memory, CPUs, BLAS threads
# --------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    """The stripped text of a small file, or None where it is absent or unreadable."""
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _int_file(path: Path) -> int | None:
    text = _read_text(path)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _size_bytes(text: str) -> int:
    """Bytes from a sysfs cache size such as ``32768K``, ``1M`` or ``512``."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    text = text.strip().upper()
    return int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)


def llc_bytes(root="/") -> int:
    """Size of CPU 0's last-level (highest-level data or unified) cache [B].

    Read from ``/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}``; 32 MiB where the
    machine does not say (macOS, Windows, some containers).

    Parameters
    ----------
    root : str or os.PathLike, default "/"
        Where the file system starts (tests point it at a tree they build).

    Examples
    --------
    >>> llc_bytes() >= 2**10
    True
    """
    best = (0, 0)
    for index in sorted((_root(root) / "sys/devices/system/cpu/cpu0/cache").glob("index*")):
        level, kind, size = (_read_text(index / f) for f in ("level", "type", "size"))
        if None in (level, kind, size) or kind == "Instruction":
            continue
        with contextlib.suppress(ValueError, IndexError):
            best = max(best, (int(level), _size_bytes(size)))
    return best[1] if best[1] > 0 else _DEFAULT_LLC_BYTES


def _cgroup_paths(root: Path) -> dict[str, str]:
    """Controller → this process's cgroup, from ``/proc/self/cgroup`` (v2: the key ``""``)."""
    paths = {}
    for line in (_read_text(root / "proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                paths[controller] = parts[2]
    return paths


def _cgroup_dirs(mount: Path, path: str) -> list[Path]:
    """This cgroup's folder and its parents up to the mount (limits nest: the tightest counts).
    Where the folder is not visible (no cgroup namespace), the mount alone."""
    leaf = mount / path.lstrip("/")
    if not leaf.is_dir():
        return [mount]
    dirs = [leaf]
    while dirs[-1] != mount and mount in dirs[-1].parents:
        dirs.append(dirs[-1].parent)
    return dirs


def memory_sources(root="/") -> dict[str, int]:
    """Bytes this process may still allocate, by source: ``meminfo`` (``MemAvailable``),
    ``cgroup_v2`` (``memory.max − memory.current``) and ``cgroup_v1``
    (``memory.limit_in_bytes − memory.usage_in_bytes``), each only where it applies.

    Examples
    --------
    >>> set(memory_sources()) <= {"meminfo", "cgroup_v1", "cgroup_v2"}
    True
    """
    root = _root(root)
    found = {}
    for line in (_read_text(root / "proc/meminfo") or "").splitlines():
        kb = line.split()[1:2]
        if line.startswith("MemAvailable:") and kb and kb[0].isdigit():
            found["meminfo"] = int(kb[0]) * 1024
    paths = _cgroup_paths(root)
    rooms = []
    if "" in paths:
        for d in _cgroup_dirs(root / "sys/fs/cgroup", paths[""]):
            limit, used = _int_file(d / "memory.max"), _int_file(d / "memory.current")
            if limit is not None and used is not None:  # "max" (no limit) reads as None
                rooms.append(("cgroup_v2", limit - used))
    if "memory" in paths:
        for d in _cgroup_dirs(root / "sys/fs/cgroup/memory", paths["memory"]):
            limit = _int_file(d / "memory.limit_in_bytes")
            used = _int_file(d / "memory.usage_in_bytes")
            if limit is not None and used is not None and limit < _NO_LIMIT:
                rooms.append(("cgroup_v1", limit - used))
    for source, room in rooms:
        found[source] = min(found.get(source, room), room)
    return {k: max(v, 0) for k, v in found.items()}


def available_memory_bytes(root="/") -> int | None:
    """Memory this process may still allocate [B]: the least of its cgroup's room and the
    system's ``MemAvailable`` (see :func:`memory_sources`); None where nothing says (not Linux).

    Binder and Colab put a container's limit far below the machine's memory, so the host's
    free memory alone would mislead.

    Examples
    --------
    >>> available_memory_bytes() is None or available_memory_bytes() >= 0
    True
    """
    found = memory_sources(root)
    return min(found.values()) if found else None


def cpu_count(root="/") -> int:
    """CPUs this process may use: those it may run on, capped by a cgroup CPU quota (``cpu.max``
    in v2, ``cpu.cfs_quota_us ÷ cpu.cfs_period_us`` in v1), rounded up. A Binder container sees
    every core of its host but may use only one or two.

    Examples
    --------
    >>> cpu_count() >= 1
    True
    """
    root = _root(root)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    paths, quotas = _cgroup_paths(root), []
    if "" in paths:
        for d in _cgroup_dirs(root / "sys/fs/cgroup", paths[""]):
            parts = (_read_text(d / "cpu.max") or "max").split()
            if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and int(parts[1]):
                quotas.append(int(parts[0]) / int(parts[1]))
    if "cpu" in paths:
        mounts = [root / "sys/fs/cgroup" / c for c in ("cpu", "cpu,cpuacct", "cpuacct,cpu")]
        mount = next((m for m in mounts if m.is_dir()), mounts[0])
        for d in _cgroup_dirs(mount, paths["cpu"]):
            quota, period = _int_file(d / "cpu.cfs_quota_us"), _int_file(d / "cpu.cfs_period_us")
            if quota is not None and period and quota > 0:  # -1: no quota
                quotas.append(quota / period)
    return min(n, max(1, math.ceil(min(quotas)))) if quotas else n


def _cpu_ticks(root: Path) -> tuple[int, int] | None:
    """(busy, total) ticks of all CPUs from the first line of ``/proc/stat``."""
    fields = (_read_text(root / "proc/stat") or "").split("\n", 1)[0].split()
    if len(fields) < 5 or fields[0] != "cpu" or not all(v.isdigit() for v in fields[1:9]):
        return None
    ticks = [int(v) for v in fields[1:9]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def cpu_busy_fraction(seconds=0.25, root="/", sleep=time.sleep) -> float:
    """Share of all CPUs that other programs kept busy while this process slept [-].

    Read from ``/proc/stat`` before and after sleeping ``seconds`` (time a hypervisor stole
    counts as busy). Above about 0.1 the measurements compete for the cores (a shared Binder
    host, a browser, another notebook) and come out slower and noisier. NaN where
    ``/proc/stat`` is missing (not Linux).

    Examples
    --------
    >>> 0 <= cpu_busy_fraction(0.01) <= 1 or math.isnan(cpu_busy_fraction(0.01))
    True
    """
    seconds = as_number(seconds, "seconds", low_open=True)
    root = _root(root)
    before = _cpu_ticks(root)
    sleep(seconds)
    after = _cpu_ticks(root)
    if before is None or after is None or after[1] <= before[1]:
        return math.nan
    return (after[0] - before[0]) / (after[1] - before[1])


def _blas_pools(threadpoolctl) -> list[dict]:
    return [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]


@contextlib.contextmanager
def blas_threads(threads=None):
    """Run the BLAS with ``threads`` threads inside the ``with`` block; yield the count it
    reports there.

    ``threadpoolctl`` sets the count and reads it back. 0 means the BLAS is one threadpoolctl
    cannot see (Apple's Accelerate): its thread count can be neither set nor read.

    Parameters
    ----------
    threads : int, optional
        BLAS threads, ≥ 1. None leaves the BLAS as it is (one thread per usable CPU for
        OpenBLAS).

    Examples
    --------
    >>> with blas_threads(1) as used:
    ...     used in (0, 1)
    True
    """
    import threadpoolctl

    threads = _optional_count(threads, "threads")
    with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
        yield max((p["num_threads"] for p in _blas_pools(threadpoolctl)), default=0)


def blas_description() -> str:
    """The BLAS numpy calls, e.g. ``openblas 0.3.31 (Haswell, pthreads)``.

    Examples
    --------
    >>> isinstance(blas_description(), str)
    True
    """
    import threadpoolctl

    pools = _blas_pools(threadpoolctl)
    if pools:
        p = pools[0]
        extra = ", ".join(str(p[k]) for k in ("architecture", "threading_layer") if p.get(k))
        return f"{p['internal_api']} {p.get('version') or '?'} ({extra})"
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')} (numpy's build record)"
    except (KeyError, TypeError, ValueError):
        return "unknown"


# --------------------------------------------------------------------------------------------
# Where the arrays live: numpy on the CPU, or CuPy / PyTorch on a GPU if the learner has one
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """Where the arrays live and how to wait for queued work.

    Attributes
    ----------
    name : str
        For the record ("numpy", "cupy", "torch-cuda", ...).
    xp : module
        Gives ``exp`` and ``sqrt`` for the arrays (numpy, cupy or torch).
    asarray : callable
        A numpy array → an array of this backend (a copy to the GPU on a GPU).
    sync : callable
        Waits until queued work has finished (GPU kernels run asynchronously); nothing on a CPU.
    on_gpu : bool
        Whether the work runs on a GPU: BLAS threads do not apply there, and an energy
        estimate needs a power the learner types.
    """

    name: str
    xp: object
    asarray: Callable
    sync: Callable[[], None] = lambda: None
    on_gpu: bool = True


NUMPY = Backend("numpy", np, np.asarray, on_gpu=False)
"""numpy on the CPU, through its BLAS."""


def torch_backend(device: str = "cuda", torch=None) -> Backend:
    """A PyTorch backend on ``device`` ("cuda" or "cpu"); ``torch`` may be passed (tests)."""
    if not isinstance(device, str):
        raise InputTypeError(f"device must be a string such as 'cuda' or 'cpu'; got {device!r}")
    if torch is None:
        import torch
    gpu = device.startswith("cuda")
    return Backend(
        f"torch-{device}",
        torch,
        lambda a: torch.asarray(a, device=device),
        torch.cuda.synchronize if gpu else (lambda: None),
        on_gpu=gpu,
    )


def gpu_backend() -> Backend | None:
    """CuPy, else PyTorch with CUDA, where one is installed and sees a GPU; else None.

    Neither is a dependency of the course: on a machine without them (or without a GPU) this
    returns None and the chapter runs on the CPU.
    """
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            return Backend("cupy", cupy, cupy.asarray, cupy.cuda.Device().synchronize)
    except Exception:  # noqa: BLE001 - no cupy, no driver, no device: all mean "not here"
        pass
    try:
        import torch

        if torch.cuda.is_available():
            return torch_backend("cuda", torch)
    except Exception:  # noqa: BLE001
        pass
    return None


def _threads(backend: Backend, threads):
    """The BLAS thread context on the CPU; on a GPU threads do not apply (yields 0)."""
    threads = _optional_count(threads, "threads")
    if backend.on_gpu:
        return contextlib.nullcontext(0)
    return blas_threads(threads)


# --------------------------------------------------------------------------------------------
# Timing, and the machine's two limits
# --------------------------------------------------------------------------------------------


def _time_calls(fn, warmup: int, repeats: int, sync, budget_s=None) -> np.ndarray:
    """Seconds per call of ``fn``: ``warmup`` untimed calls, then up to ``repeats`` timed ones.

    With ``budget_s``, timing stops early once 3 calls (or ``repeats``, if fewer) are done and
    the timed calls add up to ``budget_s``: long steps vary least and need fewer repeats.
    """
    for _ in range(warmup):
        fn()
    sync()
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        seconds.append(time.perf_counter() - t0)
        if budget_s is not None and len(seconds) >= 3 and sum(seconds) >= budget_s:
            break
    return np.array(seconds)


@dataclass(frozen=True)
class Rates:
    """Repeated measurements of one rate (every sample kept) and their spread.

    Attributes
    ----------
    samples : tuple of float
        One rate per timed repeat, in ``unit``.
    unit : str
        "GB/s" (1 GB = 10⁹ B) for bandwidth, "TFLOP/s" (10¹² FLOP/s) for arithmetic.
    kernel : str
        "dot" or "sum" (bandwidth), "matmul" (arithmetic).
    size : int
        Bytes read per repeat (bandwidth) or the matrix side n (matmul).
    threads : int
        BLAS threads the kernel ran with (1 for ``sum``; 0 on a GPU or where the BLAS's count
        cannot be read).
    """

    samples: tuple
    unit: str
    kernel: str
    size: int
    threads: int

    @property
    def median(self) -> float:
        """Median of the samples."""
        return float(np.median(self.samples))

    @property
    def p10(self) -> float:
        """10th percentile of the samples."""
        return float(np.percentile(self.samples, 10))

    @property
    def p90(self) -> float:
        """90th percentile of the samples."""
        return float(np.percentile(self.samples, 90))

    def combine(self, other: Rates) -> Rates:
        """Both sets of samples as one (e.g. runs made before and after the workload)."""
        if not isinstance(other, Rates) or (other.unit, other.kernel) != (self.unit, self.kernel):
            raise InputTypeError(f"other must be Rates of the same kernel; got {other!r}")
        return Rates(self.samples + other.samples, self.unit, self.kernel, self.size, self.threads)

    def __str__(self) -> str:
        return (
            f"{self.median:.3g} {self.unit} (p10–p90 {self.p10:.3g}–{self.p90:.3g}, "
            f"{len(self.samples)} runs, {self.threads} thread{'' if self.threads == 1 else 's'})"
        )


def _array_bytes(root) -> int:
    """8 × the last-level cache, within [64, 384] MiB and at most a quarter of free memory."""
    size = min(max(_CACHE_MULTIPLE * llc_bytes(root), _MIN_ARRAY_BYTES), _MAX_ARRAY_BYTES)
    free = available_memory_bytes(root)
    return size if free is None else min(size, int(free * _MEMORY_SHARE))


def read_bandwidth_gb_per_s(
    array_bytes=None,
    *,
    kernel="dot",
    threads=None,
    warmup=2,
    repeats=10,
    array=None,
    backend=NUMPY,
    root="/",
) -> Rates:
    """Measure how fast this machine reads memory [GB/s].

    ``dot`` multiplies the array, viewed as a matrix of 4,096 columns, by a vector of ones: BLAS
    ``sgemv``, the kernel of a batch-1 decode step, which reads every byte once and runs on the
    BLAS threads. ``sum`` is numpy's own reduction over the flat array: always one thread, so it
    shows what one core can pull.

    Parameters
    ----------
    array_bytes : int, optional
        Size of the float32 array [B], ≥ 65,536. By default 8 × the last-level cache, between 64
        and 384 MiB and at most a quarter of :func:`available_memory_bytes`.
    kernel : {"dot", "sum"}
        The read kernel.
    threads : int, optional
        BLAS threads for ``dot``, ≥ 1; None leaves the BLAS's own setting.
    warmup, repeats : int
        Untimed runs (≥ 0) and timed runs (≥ 1).
    array : array, optional
        A float32 array of ``backend`` to read instead of making one (a run reads the decoder's
        own weights: no second copy in a small container).
    backend : Backend
        :data:`NUMPY` or a GPU backend.
    root : str or os.PathLike
        Where the file system starts, for the cache and memory look-ups.

    Examples
    --------
    >>> bw = read_bandwidth_gb_per_s(2**20, repeats=2)
    >>> bw.unit, bw.size, len(bw.samples)
    ('GB/s', 1048576, 2)
    """
    if kernel not in ("dot", "sum"):
        raise ValueError(f"kernel must be one of ['dot', 'sum']; got {kernel!r}")
    warmup, repeats = _count(warmup, "warmup", 0), _count(repeats, "repeats")
    if array is None:
        size = _array_bytes(root) if array_bytes is None else _count(array_bytes, "array_bytes")
        if size < 2**16:
            raise ValueError(f"array_bytes must be ≥ 65,536; got {size}")
        array = backend.asarray(np.ones(max(size // 4 // _ROW, 1) * _ROW, dtype=np.float32))
    flat = array.reshape(-1)
    n = (flat.shape[0] // _ROW) * _ROW
    if n == 0:
        raise ValueError(f"array must hold at least {_ROW} float32 numbers")
    matrix = flat[:n].reshape(-1, _ROW)
    ones = backend.asarray(np.ones(_ROW, dtype=np.float32))
    if kernel == "dot":
        fn, context = (lambda: matrix @ ones), _threads(backend, threads)
    else:
        fn, context = (lambda: flat[:n].sum()), contextlib.nullcontext(1)
    with context as used:
        seconds = _time_calls(fn, warmup, repeats, backend.sync)
    read = n * int(getattr(flat, "itemsize", 4))  # bytes: float32 unless given otherwise
    rates = read / seconds / 1e9
    return Rates(tuple(rates.tolist()), "GB/s", kernel, read, used)


def matmul_tflops(n=1536, *, threads=None, warmup=1, repeats=5, seed=0, backend=NUMPY) -> Rates:
    """Measure float32 FLOP/s of an ``n × n`` by ``n × n`` matrix product (2 n³ FLOPs).

    Square products this large run near the best rate the BLAS reaches on this machine: the
    "peak" of chapter 02's formula, measured rather than taken from a data sheet.

    Parameters
    ----------
    n : int, default 1536
        Matrix side, ≥ 1 (1536: 7 GFLOP, about 50 ms at 140 GFLOP/s).
    threads : int, optional
        BLAS threads, ≥ 1; None leaves the BLAS's own setting.
    warmup, repeats : int
        Untimed (≥ 0) and timed (≥ 1) runs.
    seed : int
        Seed of the random matrices.
    backend : Backend
        :data:`NUMPY` or a GPU backend.

    Examples
    --------
    >>> r = matmul_tflops(64, repeats=2)
    >>> r.unit, r.size, r.median > 0
    ('TFLOP/s', 64, True)
    """
    n = _count(n, "n")
    warmup, repeats = _count(warmup, "warmup", 0), _count(repeats, "repeats")
    rng = np.random.default_rng(_count(seed, "seed", 0))
    a = backend.asarray(rng.random((n, n), dtype=np.float32))
    b = backend.asarray(rng.random((n, n), dtype=np.float32))
    with _threads(backend, threads) as used:
        seconds = _time_calls(lambda: a @ b, warmup, repeats, backend.sync)
    return Rates(tuple((2.0 * n**3 / seconds / 1e12).tolist()), "TFLOP/s", "matmul", n, used)


# --------------------------------------------------------------------------------------------
# The decoder-shaped workload
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecoderSpec:
    """Shape of a dense decoder stack: per layer the attention projections q, k, v, o
    (d × d) and a gated MLP (gate and up: d_ff × d; down: d × d_ff), as in Llama. Embeddings and
    the output head are left out."""

    d_model: int = 1024
    d_ff: int = 2816
    n_layers: int = 5

    def __post_init__(self):
        for name in ("d_model", "d_ff", "n_layers"):
            _count(getattr(self, name), name)

    def shapes(self) -> dict[str, tuple[int, int]]:
        """(out, in) of each matrix of one layer (PyTorch's ``nn.Linear`` layout)."""
        d, f = self.d_model, self.d_ff
        return {"wq": (d, d), "wk": (d, d), "wv": (d, d), "wo": (d, d),
                "w_gate": (f, d), "w_up": (f, d), "w_down": (d, f)}  # fmt: skip

    @property
    def params(self) -> int:
        """Weights of the stack [-]: n_layers × (4 d² + 3 d d_ff)."""
        return self.n_layers * (4 * self.d_model**2 + 3 * self.d_model * self.d_ff)

    @property
    def weight_bytes(self) -> int:
        """Bytes of float32 weights [B]."""
        return self.params * BYTES_PER_PARAM


def decoder_spec(weight_bytes=None, *, d_model=1024, d_ff=None, root="/") -> DecoderSpec:
    """A :class:`DecoderSpec` with as many layers as fit in ``weight_bytes`` (at least one).

    Parameters
    ----------
    weight_bytes : int, optional
        Target size of the weights [B], ≥ 1. By default the bandwidth array's size: 8 × the
        last-level cache, within [64, 384] MiB and at most a quarter of the memory this process
        may still allocate (256 MiB with a 32 MiB L3: 5 layers of 51 MB at d_model 1024; on a
        Binder container with 1 GB, fewer).
    d_model : int, default 1024
        Model width, ≥ 1.
    d_ff : int, optional
        MLP width; by default 8/3 × d_model rounded up to a multiple of 256 (Llama's rule).
    root : str or os.PathLike
        Where the file system starts, for the cache and memory look-ups.

    Examples
    --------
    >>> decoder_spec(256 * 2**20)
    DecoderSpec(d_model=1024, d_ff=2816, n_layers=5)
    """
    d_model = _count(d_model, "d_model")
    d_ff = -(-8 * d_model // 3 // 256) * 256 if d_ff is None else _count(d_ff, "d_ff")
    target = _array_bytes(root) if weight_bytes is None else _count(weight_bytes, "weight_bytes")
    layer = DecoderSpec(d_model, d_ff, 1).weight_bytes
    return DecoderSpec(d_model, d_ff, max(1, target // layer))  # never above the target


@dataclass(frozen=True, eq=False)
class Decoder:
    """The weights of a :class:`DecoderSpec`: one flat float32 buffer (``flat``) and, per
    layer, a dict of (out, in) matrices that are views into it."""

    spec: DecoderSpec
    flat: object
    layers: tuple
    backend: Backend = NUMPY


def _views(flat, spec: DecoderSpec) -> tuple:
    layers, offset = [], 0
    for _ in range(spec.n_layers):
        layer = {}
        for name, (out, inp) in spec.shapes().items():
            layer[name] = flat[offset : offset + out * inp].reshape(out, inp)
            offset += out * inp
        layers.append(layer)
    return tuple(layers)


def make_decoder(spec, *, seed=0, backend=NUMPY) -> Decoder:
    """Random weights for ``spec``, the same for the same ``seed`` on every backend.

    Each matrix is uniform in ±√(3 / fan_in) (variance 1 / fan_in), so activations stay of order
    one through the layers. The values do not change the time a step takes; only NaN or
    subnormal numbers would, and there are none.

    Examples
    --------
    >>> d = make_decoder(DecoderSpec(64, 192, 2))
    >>> d.flat.dtype.name, d.flat.size, d.layers[1]["w_down"].shape
    ('float32', 106496, (64, 192))
    """
    if not isinstance(spec, DecoderSpec):
        raise InputTypeError(f"spec must be a DecoderSpec; got {type(spec).__name__}")
    if not isinstance(backend, Backend):
        raise InputTypeError(f"backend must be a measure.Backend; got {type(backend).__name__}")
    rng = np.random.default_rng(_count(seed, "seed", 0))
    flat = np.empty(spec.params, dtype=np.float32)
    for layer in _views(flat, spec):
        for w in layer.values():
            rng.random(out=w, dtype=np.float32)
            w -= 0.5
            w *= 2.0 * math.sqrt(3.0 / w.shape[1])
    flat = backend.asarray(flat)  # numpy: the same array; a GPU: one copy
    return Decoder(spec, flat, _views(flat, spec), backend)


def _rms_norm(x, xp):
    return x / xp.sqrt((x * x).mean(-1) + 1e-6)[:, None]


def decode_step(decoder, x):
    """One decode step for a batch: ``x`` (B × d_model) in, the next hidden states out.

    Per layer: RMS norm; q, k, v projections; attention over a context of one token, which
    returns ``v``; output projection and residual; RMS norm; gated MLP (SiLU(gate) × up, then
    down) and residual. q and k are computed because their weights are read and multiplied in a
    real model too, though a context of one does not need them.

    Examples
    --------
    >>> d = make_decoder(DecoderSpec(64, 192, 2))
    >>> decode_step(d, np.ones((3, 64), np.float32)).shape
    (3, 64)
    """
    if not isinstance(decoder, Decoder):
        raise InputTypeError(f"decoder must be a measure.Decoder; got {type(decoder).__name__}")
    xp = decoder.backend.xp
    for w in decoder.layers:
        h = _rms_norm(x, xp)
        q, k, v = h @ w["wq"].T, h @ w["wk"].T, h @ w["wv"].T  # noqa: F841 - see the docstring
        x = x + v @ w["wo"].T
        h = _rms_norm(x, xp)
        gate, up = h @ w["w_gate"].T, h @ w["w_up"].T
        x = x + (gate / (1.0 + xp.exp(-gate)) * up) @ w["w_down"].T
    return x


def _inputs(decoder: Decoder, batch_size: int, seed: int):
    rng = np.random.default_rng([seed, batch_size])
    x = rng.standard_normal((batch_size, decoder.spec.d_model), dtype=np.float32)
    return decoder.backend.asarray(x)


def time_decode(
    decoder,
    batch_sizes=DEFAULT_BATCH_SIZES,
    *,
    threads=None,
    warmup=1,
    repeats=5,
    max_seconds=None,
    seed=0,
):
    """Time one decode step of ``decoder`` at each batch size.

    Parameters
    ----------
    decoder : Decoder
        From :func:`make_decoder`.
    batch_sizes : sequence of int, default 1, 2, 4, …, 256
        Sequences decoded together, each ≥ 1, none twice.
    threads : int, optional
        BLAS threads (numpy), ≥ 1; None leaves the BLAS's own setting.
    warmup, repeats : int
        Untimed (≥ 0) and timed (≥ 1) steps per batch size; the median is reported.
    max_seconds : float, optional
        Stop timing a batch size after 3 timed steps once they add up to this [s], > 0 (the
        largest batches take longest and vary least). None: always ``repeats``.
    seed : int
        Seed of the input activations.

    Returns
    -------
    pandas.DataFrame
        One row per batch size: ``batch_size``, ``step_s`` (median), ``step_p10_s``,
        ``step_p90_s``, ``token_s`` (step ÷ batch), ``tokens_per_s``, ``repeats``, ``threads``.

    Examples
    --------
    >>> t = time_decode(make_decoder(DecoderSpec(64, 192, 1)), [1, 4], repeats=2)
    >>> list(t["batch_size"]), list(t["repeats"])
    ([1, 4], [2, 2])
    """
    import pandas as pd

    if not isinstance(decoder, Decoder):
        raise InputTypeError(f"decoder must be a measure.Decoder; got {type(decoder).__name__}")
    sizes = _batch_sizes(batch_sizes)
    warmup, repeats = _count(warmup, "warmup", 0), _count(repeats, "repeats")
    if max_seconds is not None:
        max_seconds = as_number(max_seconds, "max_seconds", low_open=True)
    rows = []
    with _threads(decoder.backend, threads) as used:
        for b in sizes:
            x = _inputs(decoder, b, seed)
            s = _time_calls(
                lambda x=x: decode_step(decoder, x),
                warmup,
                repeats,
                decoder.backend.sync,
                max_seconds,
            )
            p10, med, p90 = np.percentile(s, [10, 50, 90])
            rows.append(
                {
                    "batch_size": b,
                    "step_s": med,
                    "step_p10_s": p10,
                    "step_p90_s": p90,
                    "token_s": med / b,
                    "tokens_per_s": b / med,
                    "repeats": len(s),
                    "threads": used,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Chapter 02's prediction, from the measured limits
# --------------------------------------------------------------------------------------------


@calculator
def measured_deployment(active_params, memory_bandwidth_gb_per_s, peak_tflops, power_w):
    """This machine as chapter 02 sees a GPU: a :class:`helpers.tokens.Deployment` of a dense
    float32 model with no KV cache, on measured hardware.

    Every function of :mod:`helpers.tokens` then predicts for this machine:
    ``tokens.decode_step_times_s(B, 0, deployment=d)`` gives the ideal memory and compute time
    of a step, ``tokens.compute_bound_batch_size(0, deployment=d)`` the bend between them.

    Parameters
    ----------
    active_params : float
        Weights read and used per step [-], > 0.
    memory_bandwidth_gb_per_s : float
        Measured read bandwidth [GB/s], > 0.
    peak_tflops : float
        Measured float32 matrix-multiply throughput [TFLOP/s], > 0.
    power_w : float
        Power while working [W], > 0 (the power the energy estimate uses).

    Returns
    -------
    helpers.tokens.Deployment
        With ``bytes_per_param`` 4 (FP32) and ``kv_bytes_per_token`` 0.

    Examples
    --------
    64 M float32 weights at 18 GB/s and 0.13 TFLOP/s: 14 ms to read them, 1 ms of arithmetic
    per sequence, so the step turns compute-bound near batch 14.

    >>> d = measured_deployment(64e6, 18, 0.13, 8.75)
    >>> t = tokens.decode_step_times_s(1, 0, deployment=d)
    >>> round(t.memory_s * 1e3, 1), round(t.compute_s * 1e3, 2)
    (14.2, 0.98)
    >>> round(tokens.compute_bound_batch_size(0, deployment=d), 1)
    14.4
    """
    return tokens.Deployment(
        active_params=as_number(active_params, "active_params", low_open=True),
        bytes_per_param=float(BYTES_PER_PARAM),
        kv_bytes_per_token=0.0,
        memory_bandwidth_gb_per_s=as_number(
            memory_bandwidth_gb_per_s, "memory_bandwidth_gb_per_s", low_open=True
        ),
        peak_tflops=as_number(peak_tflops, "peak_tflops", low_open=True),
        gpu_power_w=as_number(power_w, "power_w", low_open=True),
        label="this machine (FP32, measured limits)",
    )


def compare_with_model(table, deployment):
    """Add chapter 02's prediction (η = 1, context 0) to a :func:`time_decode` table.

    Parameters
    ----------
    table : pandas.DataFrame
        With ``batch_size`` and ``step_s`` (measured) columns.
    deployment : helpers.tokens.Deployment
        This machine (:func:`measured_deployment`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``predicted_memory_s``, ``predicted_compute_s``, ``predicted_step_s``
        (the larger) and ``measured_over_predicted`` (1: the model is exact; 2: the machine
        takes twice as long as the ideal).
    """
    table = as_frame(table, "table", ["batch_size", "step_s"])
    if not isinstance(deployment, tokens.Deployment):
        raise InputTypeError(f"deployment must be a tokens.Deployment; got {deployment!r}")
    out = table.copy()
    t = tokens.decode_step_times_s(
        out["batch_size"].to_numpy(dtype=float), 0, deployment=deployment
    )
    out["predicted_memory_s"] = t.memory_s
    out["predicted_compute_s"] = t.compute_s
    out["predicted_step_s"] = np.maximum(t.memory_s, t.compute_s)
    out["measured_over_predicted"] = out["step_s"] / out["predicted_step_s"]
    return out


@calculator
def measured_bend_batch_size(batch_size, step_s) -> float:
    """Where two straight lines through the measurements cross: the batch-1 step time (the
    memory floor) and the time per sequence of the largest batch (the compute slope).

    .. math:: B_\\text{bend} = \\frac{t(1)}{t(B_\\max) / B_\\max}

    The measured counterpart of ``tokens.compute_bound_batch_size``; ``batch_size`` must
    include 1.

    Parameters
    ----------
    batch_size : array_like
        Batch sizes measured [-], each ≥ 1.
    step_s : array_like
        Measured step time at each [s], > 0.

    Examples
    --------
    A floor of 10 ms and 0.5 ms per sequence at the largest batch: the lines cross at 20.

    >>> measured_bend_batch_size([1, 8, 64], [0.010, 0.011, 0.032])
    20.0
    """
    b = as_array(batch_size, "batch_size", low=1)
    t = as_array(step_s, "step_s", low_open=True)
    if b.ndim != 1 or b.shape != t.shape:
        raise ValueError(
            f"batch_size (shape {b.shape}) and step_s (shape {t.shape}) must be 1-D and of the "
            "same length"
        )
    if not np.any(b == 1):
        raise ValueError("batch_size must include 1 (the memory-bound floor)")
    last = int(np.argmax(b))
    return float(t[b == 1][0] * b[last] / t[last])


# --------------------------------------------------------------------------------------------
# Energy: RAPL, NVML, an idle baseline, and estimates
# --------------------------------------------------------------------------------------------

_RAPL_HELP = (
    "since Linux 5.10 energy_uj is readable by root only (a fix for the PLATYPUS side channel); "
    "run as root, or `sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj` for this boot"
)


@calculator
def rapl_delta_uj(start_uj, end_uj, max_energy_range_uj):
    """Energy between two readings of a RAPL counter [µJ], across at most one wrap-around.

    The counter counts up to ``max_energy_range_uj`` and starts again from 0, so a reading
    below the one before means it wrapped. Only one wrap can be told apart: read more often
    than the range lasts (262,143,328,850 µJ, a common Intel range, lasts 29 minutes at 150 W).

    Parameters
    ----------
    start_uj, end_uj : float or array_like
        The two readings [µJ], each in [0, ``max_energy_range_uj``].
    max_energy_range_uj : float or array_like
        The counter's range [µJ], > 0 (``max_energy_range_uj`` beside ``energy_uj``).

    Examples
    --------
    >>> rapl_delta_uj(100, 350, 1000)
    250.0
    >>> rapl_delta_uj(900, 50, 1000)  # wrapped: 100 up to the top, then 50
    150.0
    """
    top = as_array(max_energy_range_uj, "max_energy_range_uj", low_open=True)
    a = as_array(start_uj, "start_uj")
    b = as_array(end_uj, "end_uj")
    if np.any(a > top) or np.any(b > top):
        raise ValueError("start_uj and end_uj must be ≤ max_energy_range_uj")
    return result(np.where(b >= a, b - a, top - a + b))


class RaplMeter:
    """Energy of the CPU packages from Linux RAPL counters (Intel, and AMD since Zen).

    Read: the package domains (``intel-rapl:N`` folders under ``/sys/class/powercap`` named
    ``package-N``) and their ``dram`` sub-domains, where a server has them: a package does not
    contain its memory, and this workload is mostly memory traffic. Left out: the other
    sub-domains (core, uncore: inside the package already) and ``psys`` (a laptop's whole
    platform, which contains the package). A package counts everything on the socket (every
    process, and idle power), which is why :func:`measure_energy` subtracts an idle baseline.

    After construction, ``available`` says whether the counters can be read and ``reason`` why
    not: no powercap (most VMs, Binder, Colab, macOS, Windows), no permission (Linux 5.10 and
    later, unless root), or a file that cannot be read.

    Parameters
    ----------
    root : str or os.PathLike, default "/"
        Where the file system starts (tests build a counter tree).
    """

    def __init__(self, root="/"):
        base = _root(root) / "sys/class/powercap"
        named = [(d, _read_text(d / "name") or d.name) for d in sorted(base.glob("intel-rapl:*"))]
        top = [(d, n) for d, n in named if d.name.count(":") == 1]
        packages = [(d, n) for d, n in top if n.startswith("package")] or top
        dram = [(d, n) for d, n in named if d.name.count(":") == 2 and n == "dram"]
        chosen = packages + [(d, n) for d, n in dram if d.parent == base and any(
            d.name.startswith(p.name + ":") for p, _ in packages)]  # fmt: skip
        self.folders = [d for d, _ in chosen]
        self.names = [n for _, n in chosen]
        self.source = "rapl:" + "+".join(self.names) if self.names else "rapl"
        self.ranges, self.available, self.reason = [], False, ""
        if not self.folders:
            self.reason = "no RAPL counters (no /sys/class/powercap/intel-rapl:*)"
            return
        try:
            self.ranges = [self._read(d / "max_energy_range_uj") for d in self.folders]
            self.snapshot()
        except PermissionError:
            self.reason = f"RAPL counters not readable: {_RAPL_HELP}"
        except (OSError, ValueError) as err:
            self.reason = f"RAPL counters not readable: {err}"
        else:
            self.available = True

    @staticmethod
    def _read(path: Path) -> int:
        with open(path) as f:
            return int(f.read().strip())

    def snapshot(self) -> list[int]:
        """The counters now, one per package [µJ]; OSError where one cannot be read."""
        return [self._read(d / "energy_uj") for d in self.folders]

    def joules(self, start, end) -> float:
        """Energy between two snapshots [J], summed over the packages."""
        return float(np.sum(rapl_delta_uj(start, end, self.ranges))) / 1e6


class NvmlMeter:
    """Energy of NVIDIA GPUs from NVML's total-energy counter (mJ since the driver loaded;
    Volta and newer), through ``pynvml`` from NVIDIA's ``nvidia-ml-py`` package (the optional
    ``[gpu]`` extra; the package named ``pynvml`` on PyPI is another one).

    Parameters
    ----------
    nvml : module, optional
        ``pynvml``, or a stand-in with ``nvmlInit``, ``nvmlDeviceGetCount``,
        ``nvmlDeviceGetHandleByIndex``, ``nvmlDeviceGetTotalEnergyConsumption``,
        ``nvmlShutdown`` and the exception class ``NVMLError`` (the tests pass one). None
        imports ``pynvml``; if that fails the meter is not available.
    devices : sequence of int, optional
        GPU indices to add up; None means all.
    """

    def __init__(self, nvml=None, devices: Sequence[int] | None = None):
        self.available, self.reason, self.handles, self.source = False, "", [], "nvml"
        self.nvml = None
        if nvml is None:
            try:
                import pynvml as nvml
            except ImportError:
                self.reason = "NVML not installed (pip install nvidia-ml-py)"
                return
        error = getattr(nvml, "NVMLError", Exception)
        try:
            nvml.nvmlInit()
        except error as err:
            self.reason = f"NVML unavailable (no NVIDIA driver?): {err}"
            return
        self.nvml = nvml
        try:
            count = nvml.nvmlDeviceGetCount()
            indices = (
                list(range(count))
                if devices is None
                else [_count(i, "devices", 0) for i in devices]
            )
            self.handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in indices]
            if not self.handles:
                self.reason = "no NVIDIA GPU"
            else:
                self.snapshot()
                self.available = True
                self.source = "nvml:" + "+".join(str(i) for i in indices)
        except error as err:
            self.reason = f"NVML energy counter not readable (a GPU older than Volta?): {err}"
        if not self.available:
            self.close()

    def snapshot(self) -> list[int]:
        """The counters now, one per GPU [mJ]."""
        return [int(self.nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in self.handles]

    def joules(self, start, end) -> float:
        """Energy between two snapshots [J], summed over the GPUs."""
        return sum(b - a for a, b in zip(start, end, strict=True)) / 1e3

    def close(self) -> None:
        """Shut NVML down (safe to call twice)."""
        if self.nvml is not None:
            with contextlib.suppress(Exception):
                self.nvml.nvmlShutdown()
            self.nvml = None


def energy_meters(root="/", nvml=None) -> list:
    """Every meter this machine might have, readable or not: ``[RaplMeter, NvmlMeter]``.
    Check ``meter.available``, and ``meter.reason`` where it is not."""
    return [RaplMeter(root), NvmlMeter(nvml)]


class CounterJumpError(ValueError):
    """An energy counter gave a negative or impossibly large energy (it was reset, or went
    backwards): the measurement cannot be trusted."""


@dataclass(frozen=True)
class EnergyMeasurement:
    """Energy of some work with an idle baseline of the same length subtracted [J].

    ``net_j = active_j − idle_j``: the energy the work added to what the machine draws anyway.
    Short windows on a busy machine can give a net near zero or even below: it is reported as
    it is, not clipped.
    """

    net_j: float
    active_j: float
    idle_j: float
    seconds: float
    calls: int
    source: str


def measure_energy(
    fn, meters, *, min_seconds=0.2, sync=lambda: None, clock=time.perf_counter, sleep=time.sleep
) -> EnergyMeasurement:
    """Run ``fn`` again and again for at least ``min_seconds`` between two counter snapshots,
    then sleep as long between two more: the idle baseline, subtracted.

    Parameters
    ----------
    fn : callable
        The work; called at least once.
    meters : sequence
        Available meters (``snapshot()`` and ``joules(start, end)``), e.g. from
        :func:`energy_meters`; at least one.
    min_seconds : float, default 0.2
        Shortest measuring window [s], ≥ 0. Counters tick about every millisecond and the rest
        of the machine keeps drawing power: longer windows are steadier.
    sync, clock, sleep : callable
        Waits for queued GPU work; the clock [s]; the idle wait (tests pass stand-ins).
    """
    if not callable(fn):
        raise InputTypeError(f"fn must be callable; got {fn!r}")
    live = [m for m in meters if getattr(m, "available", True)]
    if not live:
        raise ValueError("meters must hold at least one available meter")
    window = as_number(min_seconds, "min_seconds")

    def read():
        return [m.snapshot() for m in live]

    def joules(a, b):
        return sum(m.joules(x, y) for m, x, y in zip(live, a, b, strict=True))

    calls, before, t0 = 0, read(), clock()
    while calls == 0 or clock() - t0 < window:
        fn()
        sync()
        calls += 1
    seconds, after = clock() - t0, read()
    active = joules(before, after)
    before = read()
    sleep(seconds)
    idle = joules(before, read())
    source = "+".join(m.source for m in live)
    for what, j in (("the work", active), ("the idle baseline", idle)):
        # A counter that was reset (or went backwards) reads as a wrap or a negative energy.
        if not 0 <= j <= _MAX_PLAUSIBLE_W * max(seconds, 1e-3):
            raise CounterJumpError(
                f"the energy counter ({source}) jumped: {j:,.0f} J over {seconds:.2f} s of "
                f"{what}, not between 0 and {_MAX_PLAUSIBLE_W:,} W × the time"
            )
    return EnergyMeasurement(active - idle, active, idle, seconds, calls, source)


@calculator
def cpu_power_per_thread_w(tdp_w, threads):
    """Power of one busy hardware thread, from a CPU's rated power shared among its threads [W].

    .. math:: P_\\text{thread} = \\text{TDP} / \\text{threads}

    The thermal design power is what the cooler must remove with every core busy: an upper-end
    guide to the package's draw under load, not a measurement (turbo can exceed it, light work
    stays below it). It is shared per hardware thread because that is what an operating system,
    and a cloud provider, counts as one CPU: a 2-vCPU virtual machine is usually the two
    threads of one core.

    Parameters
    ----------
    tdp_w : float or array_like
        Thermal design power of the CPU package [W], > 0.
    threads : float or array_like
        Hardware threads of the package [-], ≥ 1.

    Examples
    --------
    AMD EPYC 7763: 280 W over 128 threads (64 cores).

    >>> cpu_power_per_thread_w(280, 128)
    2.1875
    """
    return result(as_array(tdp_w, "tdp_w", low_open=True) / as_array(threads, "threads", low=1))


def estimated_power_w(busy_threads, cpu_id=DEFAULT_CPU, folder=None) -> tuple[float, str]:
    """Power of ``busy_threads`` busy hardware threads (logical CPUs) of the CPU ``cpu_id`` of
    ``data/cpu_power.csv``, at most its TDP, and a sentence saying where it comes from [W].

    For an energy *estimate* where no counter can be read: TDP ÷ threads × busy threads. The
    CPU is a row of the table, not necessarily the learner's: type your own machine's power
    instead if you know it (a wall-plug meter, your CPU's data sheet).

    Examples
    --------
    >>> estimated_power_w(2)
    (4.375, 'estimate: 2 busy threads × 2.19 W (assumed CPU AMD EPYC 7763: 280 W TDP ÷ 128 threads)')
    """
    from helpers import data

    busy = _count(busy_threads, "busy_threads")
    table = data.load("cpu_power", folder)
    if not isinstance(cpu_id, str):
        raise InputTypeError(f"cpu_id must be one of {list(table.index)}; got {cpu_id!r}")
    if cpu_id not in table.index:
        raise ValueError(f"cpu_id must be one of {list(table.index)}; got {cpu_id!r}")
    row = table.loc[cpu_id]
    per_thread = cpu_power_per_thread_w(float(row.tdp_w), float(row.threads))
    text = (
        f"estimate: {busy} busy thread{'' if busy == 1 else 's'} × {per_thread:.3g} W "
        f"(assumed CPU {row['name']}: "
        f"{row.tdp_w:g} W TDP ÷ {row.threads} threads)"
    )
    return min(busy * per_thread, float(row.tdp_w)), text


@calculator
def energy_per_token_j(step_s, power_w, batch_size):
    """Energy per generated token estimated as step time × power ÷ batch size [J].

    An estimate, not a measurement: label it so. (A measured energy comes from a counter, with
    an idle baseline subtracted: :func:`measure_energy`.)

    Parameters
    ----------
    step_s : float or array_like
        Time of one decode step [s], ≥ 0.
    power_w : float or array_like
        Power drawn by the work [W], ≥ 0.
    batch_size : float or array_like
        Sequences in the step [-], ≥ 1.

    Examples
    --------
    16 ms per step at 8.75 W for one sequence; 0.34 s for 256 sequences:

    >>> round(energy_per_token_j(0.016, 8.75, 1), 3), round(energy_per_token_j(0.34, 8.75, 256), 4)
    (0.14, 0.0116)
    """
    t = as_array(step_s, "step_s")
    p = as_array(power_w, "power_w")
    b = as_array(batch_size, "batch_size", low=1)
    return result(t * p / b)


def _measured_energy(decoder, sizes, meters, threads, min_seconds, seed) -> list[float]:
    """Net joules per generated token at each batch size, from ``meters``."""
    energy = []
    with _threads(decoder.backend, threads):
        for b in sizes:
            x = _inputs(decoder, b, seed)
            e = measure_energy(
                lambda x=x: decode_step(decoder, x),
                meters,
                min_seconds=min_seconds,
                sync=decoder.backend.sync,
            )
            energy.append(e.net_j / (e.calls * b))
    return energy


def decode_energy(
    decoder,
    batch_sizes=DEFAULT_BATCH_SIZES,
    *,
    meters=None,
    step_s=None,
    power_w=None,
    threads=None,
    min_seconds=0.15,
    seed=0,
    root="/",
):
    """Energy per generated token at each batch size: measured where a counter can be read,
    estimated otherwise (and then flagged).

    Measured: each batch size runs for ≥ ``min_seconds`` between counter snapshots, then the
    machine sleeps as long between two more (the idle baseline, subtracted; see
    :func:`measure_energy`). Estimated: ``step_s × power ÷ batch``, with ``power_w`` typed by
    the learner, or else (on a CPU) :func:`estimated_power_w` for the busy threads.

    Parameters
    ----------
    decoder : Decoder
        From :func:`make_decoder`.
    batch_sizes : sequence of int
        Sequences per step, each ≥ 1.
    meters : sequence, optional
        Energy meters; None reads the hardware doing the work (RAPL for a CPU run, NVML for a
        GPU run); ``[]`` estimates.
    step_s : sequence of float, optional
        Measured step times [s], one per batch size: what an estimate multiplies.
    power_w : float, optional
        Power for an estimate [W], > 0. Required on a GPU without a meter.
    threads : int, optional
        BLAS threads for the measured work; also the busy threads of a CPU estimate.
    min_seconds : float
        Measuring window per batch size [s], ≥ 0.
    seed : int
        Seed of the inputs.
    root : str or os.PathLike
        Where the file system starts (for RAPL and the CPU count).

    Returns
    -------
    tuple of (pandas.DataFrame, float)
        The table (``batch_size``, ``energy_j_per_token``, ``energy_measured``,
        ``energy_source``) and the power an estimate uses (or would use) [W].
    """
    import pandas as pd

    if not isinstance(decoder, Decoder):
        raise InputTypeError(f"decoder must be a measure.Decoder; got {type(decoder).__name__}")
    sizes = _batch_sizes(batch_sizes)
    threads = _optional_count(threads, "threads")
    if power_w is not None:
        power_w = as_number(power_w, "power_w", low_open=True)
    if power_w is not None:
        power, how = power_w, f"estimate: {power_w:g} W typed by you"
    elif decoder.backend.on_gpu:
        power, how = math.nan, ""
    else:
        power, how = estimated_power_w(min(threads or cpu_count(root), cpu_count(root)))
    # The counter of the hardware that does the work: a GPU's energy says nothing of a CPU run.
    default = [NvmlMeter()] if decoder.backend.on_gpu else [RaplMeter(root)]
    opened = default if meters is None else []
    live = [m for m in (opened if meters is None else meters) if getattr(m, "available", True)]
    try:
        if live:
            try:
                energy = _measured_energy(decoder, sizes, live, threads, min_seconds, seed)
            except CounterJumpError as err:  # estimate instead, and say why
                live, how = [], f"{how} (the counter could not be trusted: {err})"
        if live:
            measured = True
            source = "measured: " + "+".join(m.source for m in live) + ", idle baseline subtracted"
        else:
            if step_s is None:
                raise ValueError("step_s must be given where no energy meter can be read")
            t = as_array(step_s, "step_s", low_open=True)
            if t.shape != (len(sizes),):
                raise ValueError(f"step_s must hold one time per batch size; got shape {t.shape}")
            if math.isnan(power):
                raise ValueError("power_w must be given for a GPU without an energy meter")
            energy = energy_per_token_j(t, power, np.array(sizes, dtype=float))
            measured, source = False, how
    finally:
        for m in opened:
            if hasattr(m, "close"):
                m.close()
    frame = pd.DataFrame(
        {
            "batch_size": sizes,
            "energy_j_per_token": energy,
            "energy_measured": measured,
            "energy_source": source,
        }
    )
    return frame, power


# --------------------------------------------------------------------------------------------
# A whole run: the machine, its limits, one row per batch size; saved, pooled
# --------------------------------------------------------------------------------------------


def _cpu_model(root: Path) -> str:
    for line in (_read_text(root / "proc/cpuinfo") or "").splitlines():
        if line.lower().startswith(("model name", "hardware", "cpu model")):
            return line.split(":", 1)[1].strip()
    if sys.platform == "darwin":  # platform.processor() says only "arm" or "i386" there
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            brand = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                timeout=2,
            ).stdout.strip()
            if brand:
                return brand
    return platform.processor() or platform.machine() or "unknown"


@dataclass(frozen=True)
class Machine:
    """What a run ran on. ``threads`` is the BLAS thread count the measurements used (0: on a
    GPU, or a BLAS whose count cannot be read); ``busy_before`` the share of the CPUs other
    programs kept busy just before the run (:func:`cpu_busy_fraction`)."""

    platform: str
    python: str
    numpy: str
    cpu_model: str
    logical_cpus: int
    usable_cpus: int
    threads: int
    blas: str
    backend: str
    llc_bytes: int
    available_memory_bytes: int
    busy_before: float

    @property
    def label(self) -> str:
        """One line: CPU, usable CPUs, threads and BLAS (or the GPU backend)."""
        cpus = f"{self.usable_cpus} usable CPU{'' if self.usable_cpus == 1 else 's'}"
        if self.backend != "numpy":
            return f"{self.cpu_model}, {cpus}, {self.backend}"
        threads = f"{self.threads} BLAS thread{'' if self.threads == 1 else 's'}"
        return f"{self.cpu_model}, {cpus}, {threads if self.threads else 'BLAS threads not known'}, {self.blas}"


def describe_machine(threads, backend=NUMPY, root="/", busy_before=math.nan) -> Machine:
    """A :class:`Machine` for this process (``threads``: the count the measurements used).

    Examples
    --------
    >>> describe_machine(1).usable_cpus >= 1
    True
    """
    root = _root(root)
    return Machine(
        platform=platform.platform(),
        python=platform.python_version(),
        numpy=np.__version__,
        cpu_model=_cpu_model(root),
        logical_cpus=os.cpu_count() or 1,
        usable_cpus=cpu_count(root),
        threads=_count(threads, "threads", 0),
        blas=blas_description() if not backend.on_gpu else backend.name,
        backend=backend.name,
        llc_bytes=llc_bytes(root),
        available_memory_bytes=available_memory_bytes(root) or 0,
        busy_before=float(busy_before),
    )


@dataclass(frozen=True, eq=False)
class Run:
    """One measuring run: the machine, its two limits, the workload, the power an energy
    estimate uses, and one row per batch size (``table``: :func:`time_decode`'s columns, the
    prediction of :func:`compare_with_model` and the energy of :func:`decode_energy`)."""

    machine: Machine
    bandwidth: Rates
    matmul: Rates
    spec: DecoderSpec
    power_w: float
    precise: bool
    seconds: float
    table: object = field(repr=False)

    @property
    def deployment(self) -> tokens.Deployment:
        """This machine for chapter 02's calculators (:func:`measured_deployment`)."""
        return measured_deployment(
            self.spec.params, self.bandwidth.median, self.matmul.median, self.power_w
        )

    def __str__(self) -> str:
        busy = self.machine.busy_before
        lines = [
            f"machine:   {self.machine.label}",
            f"           {self.machine.platform}; "
            + (
                "how busy other programs kept the CPUs is not known here (no /proc/stat)"
                if math.isnan(busy)
                else f"other programs kept {busy:.0%} of the CPUs busy just before"
            ),
        ]
        cache_multiple = self.spec.weight_bytes / self.machine.llc_bytes
        if cache_multiple < 4 and self.machine.backend == "numpy":
            lines.append(
                f"           note: the weights are only {cache_multiple:.1f} × the last-level cache "
                "(little free memory): part of every read may come from the cache, so the "
                "bandwidth and the batch-1 step may look faster than the memory is"
            )
        return "\n".join(
            [
                *lines,
                f"bandwidth: {self.bandwidth} over {self.bandwidth.size / 2**20:.0f} MiB",
                f"matmul:    {self.matmul.median * 1e3:.0f} GFLOP/s (p10–p90 "
                f"{self.matmul.p10 * 1e3:.0f}–{self.matmul.p90 * 1e3:.0f}, n = {self.matmul.size})",
                f"workload:  {self.spec.n_layers} layers of d_model {self.spec.d_model}, d_ff "
                f"{self.spec.d_ff}: {self.spec.params / 1e6:.1f} M float32 weights, "
                f"{self.spec.weight_bytes / 1e6:.0f} MB",
                f"took {self.seconds:.1f} s ({'precise' if self.precise else 'quick'} run)",
            ]
        )


def run(
    *,
    precise=False,
    threads=None,
    batch_sizes=DEFAULT_BATCH_SIZES,
    weight_bytes=None,
    d_model=1024,
    meters=None,
    power_w=None,
    seed=0,
    backend=NUMPY,
    root="/",
) -> Run:
    """Measure this machine and test chapter 02's model on it.

    In order: how busy the machine is (0.25 s); the weights (:func:`decoder_spec`,
    :func:`make_decoder`); half of the limit runs (bandwidth over the weights themselves, then
    matmul); a decode step per batch size; the other half of the limit runs, pooled with the
    first (so a burst of other work on a shared machine does not fall on one side of the
    comparison only); chapter 02's prediction; the energy per token. On a 2-core VM with
    256 MiB of weights this takes 6–7 s (``precise=True``: more warm-up, repeats and longer
    energy windows, about 20 s), plus about 0.3 s per batch size where an energy counter is read.

    Parameters
    ----------
    precise : bool, default False
        A longer, steadier run.
    threads : int, optional
        BLAS threads for every measurement, ≥ 1; default :func:`cpu_count`.
    batch_sizes : sequence of int
        Batch sizes to time; include 1 for the measured bend.
    weight_bytes : int, optional
        Size of the weights [B] (:func:`decoder_spec`).
    d_model : int, default 1024
        Model width.
    meters, power_w
        See :func:`decode_energy`.
    seed : int
        Seed of the weights and inputs.
    backend : Backend
        :data:`NUMPY`, or a GPU backend (:func:`gpu_backend`).
    root : str or os.PathLike
        Where the file system starts, for the machine look-ups.
    """
    t_start = time.perf_counter()
    precise = as_flag(precise, "precise")
    if not isinstance(backend, Backend):
        raise InputTypeError(f"backend must be a measure.Backend; got {type(backend).__name__}")
    if power_w is not None:  # checked before measuring, not after
        power_w = as_number(power_w, "power_w", low_open=True)
    elif backend.on_gpu and meters is None:
        nvml = NvmlMeter()
        nvml.close()
        if not nvml.available:
            raise ValueError(
                "power_w must be given for a GPU whose energy counter cannot be read "
                f"({nvml.reason}): the GPU's power in watts, e.g. its rated power"
            )
    threads = _optional_count(threads, "threads")
    if threads is None and not backend.on_gpu:
        threads = cpu_count(root)
    sizes = _batch_sizes(batch_sizes)
    busy = cpu_busy_fraction(0.25, root)
    spec = decoder_spec(weight_bytes, d_model=d_model, root=root)
    decoder = make_decoder(spec, seed=seed, backend=backend)

    def limits():
        bw = read_bandwidth_gb_per_s(
            array=decoder.flat,
            threads=threads,
            backend=backend,
            warmup=1,
            repeats=15 if precise else 5,
        )
        mm = matmul_tflops(
            2048 if precise else 1536, threads=threads, backend=backend, repeats=5 if precise else 3
        )
        return bw, mm

    bw, mm = limits()
    table = time_decode(
        decoder,
        sizes,
        threads=threads,
        warmup=3 if precise else 1,
        repeats=21 if precise else 5,
        max_seconds=3.0 if precise else 0.5,
        seed=seed,
    )
    bw2, mm2 = limits()
    bw, mm = bw.combine(bw2), mm.combine(mm2)
    energy, power = decode_energy(
        decoder,
        sizes,
        meters=meters,
        step_s=table["step_s"],
        power_w=power_w,
        threads=threads,
        root=root,
        min_seconds=1.0 if precise else 0.15,
        seed=seed,
    )
    if not power > 0:  # a GPU with a meter and no typed power: its mean measured power
        power = float(
            np.mean(energy["energy_j_per_token"] * energy["batch_size"] / table["step_s"])
        )
    if not power > 0:
        raise ValueError("power_w must be given: the measured net power was not positive")
    partial = Run(
        machine=describe_machine(int(table["threads"].iloc[0]), backend, root, busy),
        bandwidth=bw,
        matmul=mm,
        spec=spec,
        power_w=power,
        precise=precise,
        seconds=0.0,
        table=None,
    )
    table = compare_with_model(table, partial.deployment).merge(energy, on="batch_size")
    return dataclasses.replace(partial, table=table, seconds=time.perf_counter() - t_start)


RUN_COLUMNS = {
    "run_id": str, "machine": str, "platform": str, "cpu_model": str, "blas": str,
    "backend": str, "logical_cpus": int, "usable_cpus": int, "threads": int, "llc_bytes": int,
    "available_memory_bytes": int, "busy_before": float, "bandwidth_gb_per_s": float,
    "bandwidth_p10_gb_per_s": float, "bandwidth_p90_gb_per_s": float, "matmul_tflops": float,
    "matmul_p10_tflops": float, "matmul_p90_tflops": float, "d_model": int, "d_ff": int,
    "n_layers": int, "params": int, "weight_bytes": int, "precise": bool, "run_seconds": float,
    "batch_size": int, "step_s": float, "step_p10_s": float, "step_p90_s": float,
    "token_s": float, "tokens_per_s": float, "predicted_step_s": float,
    "measured_over_predicted": float, "energy_j_per_token": float, "energy_measured": bool,
    "energy_source": str, "estimate_power_w": float,
}  # fmt: skip
"""The columns of a saved run (one row per batch size; the machine and its limits repeat on
every row, so the CSVs of a whole class concatenate into one table) and their types."""


def run_table(result_, run_id=None):
    """The run as one tidy table: one row per batch size, the machine's columns repeated
    (:data:`RUN_COLUMNS`). ``run_id`` names the run (default: the time it is saved)."""
    import pandas as pd

    if not isinstance(result_, Run):
        raise InputTypeError(f"result_ must be a measure.Run; got {type(result_).__name__}")
    if run_id is not None and not isinstance(run_id, str):
        raise InputTypeError(f"run_id must be a string; got {run_id!r}")
    m, s, bw, mm = result_.machine, result_.spec, result_.bandwidth, result_.matmul
    head = {
        "run_id": run_id or time.strftime("%Y%m%dT%H%M%S"), "machine": m.label,
        "platform": m.platform, "cpu_model": m.cpu_model, "blas": m.blas, "backend": m.backend,
        "logical_cpus": m.logical_cpus, "usable_cpus": m.usable_cpus, "threads": m.threads,
        "llc_bytes": m.llc_bytes, "available_memory_bytes": m.available_memory_bytes,
        "busy_before": m.busy_before, "bandwidth_gb_per_s": bw.median,
        "bandwidth_p10_gb_per_s": bw.p10, "bandwidth_p90_gb_per_s": bw.p90,
        "matmul_tflops": mm.median, "matmul_p10_tflops": mm.p10, "matmul_p90_tflops": mm.p90,
        "d_model": s.d_model, "d_ff": s.d_ff, "n_layers": s.n_layers, "params": s.params,
        "weight_bytes": s.weight_bytes, "precise": result_.precise,
        "run_seconds": result_.seconds, "estimate_power_w": result_.power_w,
    }  # fmt: skip
    table = result_.table.drop(columns=["threads"]).assign(**head)
    return pd.DataFrame(table[list(RUN_COLUMNS)])


def save_run_csv(result_, path, run_id=None) -> Path:
    """Write ``result_`` to ``path`` as CSV (:func:`run_table`); return the path. ``run_id``
    names the run in a class's pooled chart (default: the file's name without ``.csv``)."""
    if not isinstance(path, str | os.PathLike):
        raise InputTypeError(f"path must be a file path (str or os.PathLike); got {path!r}")
    path = Path(path)
    run_table(result_, run_id or path.stem).to_csv(path, index=False)
    return path


def _as_run_types(df):
    """``df``'s :data:`RUN_COLUMNS` as plain Python types (the tables' nullable ones after
    :func:`helpers.data.read_file`), in that order."""
    return df.astype(RUN_COLUMNS)[list(RUN_COLUMNS)]


def load_runs(paths):
    """Read saved runs (a class's CSVs, see :func:`save_run_csv`) into one table.

    Each file is checked like the course's own tables (``data/datapackage.json``, table
    ``ch07_runs``: types and plausible ranges). Two files that use the same ``run_id`` (two
    learners who kept the default name) keep their rows apart: the run_id gets the file's name.

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them
        CSV files; at least one.

    Returns
    -------
    pandas.DataFrame
        Every row, typed as :data:`RUN_COLUMNS` says, with a ``file`` column.

    Raises
    ------
    helpers.data.DataError
        (a ValueError) For a file that is missing, empty, not CSV, lacks a column or holds a
        value of the wrong kind or out of range: the message names the file, the line and the
        column.
    """
    import pandas as pd

    from helpers import data

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not isinstance(paths, Iterable) or isinstance(paths, bytes):
        raise InputTypeError(f"paths must be a file path or a list of them; got {paths!r}")
    frames, owner = [], {}
    for path in paths:
        if not isinstance(path, str | os.PathLike):
            raise InputTypeError(f"paths must hold file paths; got {path!r}")
        df = _as_run_types(data.read_file(path, "ch07_runs", list(RUN_COLUMNS)))
        for run_id in df["run_id"].unique():
            if owner.setdefault(run_id, str(path)) != str(path):
                df.loc[df.run_id == run_id, "run_id"] = f"{run_id} ({Path(path).name})"
        frames.append(df.assign(file=str(path)))
    if not frames:
        raise ValueError("paths must name at least one CSV file")
    return pd.concat(frames, ignore_index=True)


def shipped_runs(folder=None):
    """The runs this project made (``data/ch07_runs.csv``), in :data:`RUN_COLUMNS` form with
    their provenance columns (``how_known``, ``evidence``, ``source_id``, ``locator``,
    ``notes``) after them.

    Examples
    --------
    >>> runs = shipped_runs()
    >>> runs["energy_measured"].dtype.name, runs["run_id"].nunique() >= 2
    ('bool', True)
    """
    import pandas as pd

    from helpers import data

    table = data.load("ch07_runs", folder).reset_index(drop=True)
    extra = [c for c in table.columns if c not in RUN_COLUMNS and c != "id"]
    return pd.concat([_as_run_types(table), table[extra].astype(str)], axis=1)
