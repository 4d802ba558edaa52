#!/usr/bin/python3
"""Sweep benchmark (issue 11, DESIGN.md "Sweeps (#8)"): the tutorial classifier without L1,
5 folds x 10 L2 values x 3 seeds = 150 fits on the full-size simulated data.

Reports
  - the sweep's wall time (`neurocodec sweep PLAN --out DIR`, default --jobs, one thread per job);
  - the same 150 fits in PyTorch one after another at its best thread setting: a few fits are
    timed (training loop only, tools/torch_reference.py) under each torch.set_num_threads value
    and the best mean per fit is scaled to 150;
  - their ratio (target >= 100x, stretch 150x);
  - the ratio of the sweep's wall time to 150 separate `neurocodec decode` runs (a few timed
    end to end, scaled), which is what sharing the data and the Gram saves.

Run with Debian's python (python3-torch, numpy):
    /usr/bin/python3 bench/sweep_bench.py [--build-dir build] [--torch-fits 2] [--decode-runs 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

L2_VALUES = [0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
SEEDS = [1, 2, 3]
FOLDS = 5
ITERS = 1000  # the tutorial classifier: H 20, C 20, lr 0.1


def wall(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def fold_split(n, k=FOLDS):
    """A plain fold-sized split (the fits' cost depends on the sizes, not on which rows)."""
    import numpy as np
    rows = np.random.default_rng(0).permutation(n)
    test = np.sort(rows[: n // k])
    train = np.sort(rows[n // k:])
    return train.astype(np.int64), test.astype(np.int64)


def time_torch(data, fits, thread_grid):
    import numpy as np
    import torch_reference as tr
    d = np.load(data)
    resp, stimuli = d["resp"], d["stimuli"].reshape(-1)
    train, test = fold_split(resp.shape[0])
    best = None
    per_setting = {}
    for threads in thread_grid:
        secs = []
        for i in range(fits):
            r = tr.run_decoder(resp, stimuli, train, test, model="classification", hidden=20, classes=20,
                               iters=ITERS, lr=0.1, l2=L2_VALUES[3 + i], seed=i + 1, threads=threads,
                               verbose=False)
            secs.append(r["seconds"])
        per_setting[threads] = sum(secs) / len(secs)
        print(f"  torch threads={threads}: {per_setting[threads]:.2f} s per fit", flush=True)
        best = per_setting[threads] if best is None else min(best, per_setting[threads])
    return best, per_setting


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--workdir", help="keep the data and outputs here (default: a temp dir)")
    ap.add_argument("--torch-fits", type=int, default=2, help="PyTorch fits timed per thread setting")
    ap.add_argument("--torch-threads", default="1,2", help="torch.set_num_threads values to try")
    ap.add_argument("--decode-runs", type=int, default=3, help="separate decode runs timed")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    nc = os.path.join(args.build_dir, "neurocodec")
    work = args.workdir or tempfile.mkdtemp(prefix="nc_sweep_bench_")
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "data.npz")
    if not os.path.exists(data):
        subprocess.run([nc, "simulate", "--out", data], check=True, stdout=subprocess.DEVNULL)

    plan = {"command": "decode", "data": [data], "options": {"model": "classification", "iters": ITERS},
            "grid": {"l2": L2_VALUES}, "seeds": SEEDS, "folds": FOLDS}
    plan_path = os.path.join(work, "plan.json")
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    out = os.path.join(work, "sweep")
    subprocess.run(["rm", "-rf", out], check=True)
    n_jobs = len(L2_VALUES) * len(SEEDS) * FOLDS
    print(f"sweep: {n_jobs} jobs ...", flush=True)
    sweep_wall = wall([nc, "sweep", plan_path, "--out", out, "--quiet"])
    print(f"  sweep wall {sweep_wall:.2f} s", flush=True)

    import numpy as np
    train, test = fold_split(int(np.load(data)["resp"].shape[0]))
    split = os.path.join(work, "split.npz")
    np.savez(split, train_idx=train, test_idx=test)
    decode_secs = []
    for i in range(args.decode_runs):
        decode_secs.append(wall([nc, "decode", "--data", data, "--split", split, "--l2", str(L2_VALUES[3 + i % 5]),
                                 "--seed", str(i + 1), "--quiet", "--no-plots", "--out", os.path.join(work, "decode")]))
    decode_each = sum(decode_secs) / len(decode_secs)
    print(f"  separate decode runs: {decode_each:.2f} s each", flush=True)

    print("PyTorch ...", flush=True)
    torch_each, per_setting = time_torch(data, args.torch_fits, [int(t) for t in args.torch_threads.split(",")])
    res = {
        "jobs": n_jobs,
        "sweep_wall_s": sweep_wall,
        "torch_per_fit_s": torch_each,
        "torch_per_fit_by_threads": per_setting,
        "torch_150_fits_s": torch_each * n_jobs,
        "speedup_vs_torch": torch_each * n_jobs / sweep_wall,
        "decode_run_s": decode_each,
        "separate_decodes_s": decode_each * n_jobs,
        "sweep_over_separate_decodes": sweep_wall / (decode_each * n_jobs),
    }
    print(f"sweep wall {sweep_wall:.2f} s | PyTorch 150 fits {res['torch_150_fits_s']:.0f} s (best threads) | "
          f"speedup {res['speedup_vs_torch']:.0f}x (target >= 100x, stretch 150x) | "
          f"150 separate decodes {res['separate_decodes_s']:.1f} s, sweep/separate = {res['sweep_over_separate_decodes']:.3f}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
