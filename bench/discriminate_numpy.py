#!/usr/bin/python3
"""Baseline timing of the numpy reference discrimination threshold (issue 12).

    /usr/bin/python3 bench/discriminate_numpy.py                 # full size: 4320 x 23589
    /usr/bin/python3 bench/discriminate_numpy.py --trials 480 --neurons 2000   # quick
    /usr/bin/python3 bench/discriminate_numpy.py --float32       # also: float32 error at size

Times tools/linear_reference.py on random data (standard normal responses, float32, uniform
stimuli in [0, 360)):
  * single_fit_s: one discriminate() of the full population (z-score, every-4th split,
    dual-form ridge on the n_train x n_train Gram, psychometric curve, logistic fit);
  * curve_s: the neurons curve done naively, one discriminate() per size
    floor(N / 2^(k/2)), k = 0..20 (21 separate fits, each from scratch).
One untimed-for-the-baseline warm-up fit runs first (its time is reported as first_call_s:
on a fresh VM the first touch of ~3 GB of new memory can double it); then each figure is the
best of --repeats runs (all runs listed in *_all_s). Prints one JSON object. single_fit_s and
curve_s are the baseline a C++ benchmark must beat by 3x. The thresholds of random data are meaningless (a failed logistic
fit gives null); only the times matter.
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import linear_reference as lr  # noqa: E402


def loaded_blas():
    """Shared libraries of BLAS/LAPACK this process has mapped (what numpy really uses)."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path)
                if (any(s in name for s in ("blas", "lapack", "mkl", "blis"))
                        and "-packages" not in path):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


CPU_S = {}  # process CPU seconds (all threads) of every timed call, by label


def timed(fn, repeats, label=None):
    """(list of wall times in s, value of the last call). CPU times go to CPU_S[label]."""
    times, value = [], None
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        value = fn()
        times.append(round(time.perf_counter() - t0, 3))
        if label:
            CPU_S.setdefault(label, []).append(round(time.process_time() - c0, 3))
    return times, value


def single_fit(resp, stim, dtype=np.float64):
    try:
        return lr.discriminate(resp, stim, 360.0, 1.0, dtype=dtype, diagnostics=False)
    except RuntimeError:  # curve_fit did not converge (random data)
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=4320)
    ap.add_argument("--neurons", type=int, default=23589)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-curve", action="store_true", help="time the single fit only")
    ap.add_argument("--float32", action="store_true",
                    help="also run the single fit in float32 and report how far its outputs "
                         "and choices are from float64 (not part of the baseline)")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    resp = rng.standard_normal((args.trials, args.neurons), dtype=np.float32)
    stim = rng.uniform(0.0, 360.0, args.trials).astype(np.float32)
    perm = rng.permutation(args.neurons).astype(np.int64)
    sizes = lr.neurons_curve_sizes(args.neurons)

    first, _ = timed(lambda: single_fit(resp, stim), 1)
    single, res = timed(lambda: single_fit(resp, stim), args.repeats, "single_fit")
    out = dict(
        n_trials=args.trials, n_neurons=args.neurons,
        n_train=int(args.trials - (args.trials + 3) // 4), n_test=int((args.trials + 3) // 4),
        dtype="float64", repeats=args.repeats,
        single_fit_s=min(single), single_fit_all_s=single, first_call_s=first[0],
        single_threshold=None if res is None else res["threshold"],
    )
    if not args.no_curve:
        curve, (_, thr) = timed(
            lambda: lr.neurons_curve(resp, stim, perm, 360.0, 1.0, sizes), args.repeats, "curve")
        out.update(curve_s=min(curve), curve_all_s=curve, curve_sizes=sizes.tolist(),
                   curve_thresholds=[None if not np.isfinite(t) else float(t) for t in thr])
    if args.float32:
        t32, r32 = timed(lambda: single_fit(resp, stim, np.float32), 1)
        r64 = res if res is not None else None
        out["float32_single_fit_s"] = t32[0]
        if r64 is not None and r32 is not None:
            o64, o32 = r64["outputs"], r32["outputs"]
            out["float32_max_rel_diff"] = float(np.max(np.abs(o64 - o32)) / np.max(np.abs(o64)))
            out["float32_choices_flipped"] = int(np.sum((o64 > 0) != (o32 > 0)))
            out["float32_n_pairs"] = int(o64.size)
            out["float32_threshold_change"] = r32["threshold"] - r64["threshold"]
    out["cpu_s"] = CPU_S  # process CPU seconds, all threads: less sensitive to other load
    out["loadavg_end"] = os.getloadavg()[0]
    out.update(
        python=sys.executable, numpy=np.__version__, blas=loaded_blas(),
        cpu_count=os.cpu_count(),
        openblas_num_threads=os.environ.get("OPENBLAS_NUM_THREADS"),
        machine=platform.machine(),
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
