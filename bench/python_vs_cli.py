#!/usr/bin/env python3
"""Python API against the CLI: the tutorial's classifier and its L1+L2 run, timed both ways.

Both sides fit the same data (the built-in simulated population, 23589 neurons x 360 bins),
the same split and the same seed, so they run the same iterations and must agree bit for bit
(checked). The training time compared is the training loop's wall time, which both report the
same way (metrics.json "seconds", the estimator's fit_seconds_); the Python fit() call's whole
wall time (input conversion, result arrays) is shown beside it. Runs alternate CLI/Python to
share any drift of the machine; the ratio is of the medians.

  PYTHONPATH=build/python /usr/bin/python3 bench/python_vs_cli.py [--runs 5] [--cli build/neurocodec]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import neurocodec as nc

RUNS = {
    "classifier": {},                      # the tutorial's section 2.2: H 20, C 20, 1000 iterations, lr 0.1
    "classifier L1+L2": {"l1": 5e-4, "l2": 1e-2},  # section 2.3, as `neurocodec tutorial` runs it
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "..", "build", "neurocodec"))
    args = ap.parse_args()

    d = nc.simulate()
    resp, stim = d["resp"], d["stimuli"]
    rng = np.random.default_rng(1)
    perm = rng.permutation(len(stim))
    n_train = int(0.6 * len(stim))
    tr, te = np.sort(perm[:n_train]), np.sort(perm[n_train:])
    X, y, Xt, yt = resp[tr], stim[tr], resp[te], stim[te]
    tmp = tempfile.mkdtemp(prefix="nc_bench_")
    np.savez(os.path.join(tmp, "data.npz"), resp=resp, stimuli=stim)
    np.savez(os.path.join(tmp, "split.npz"), train_idx=tr, test_idx=te)
    print(f"{resp.shape[1]} neurons x {resp.shape[0]} stimuli ({len(tr)} train, {len(te)} test), "
          f"{args.iters} iterations, {args.runs} runs each; cores: {os.cpu_count()}")
    print(f"{'run':<18} {'CLI loop s':>10} {'Python loop s':>13} {'Python fit() s':>14} {'ratio':>7}")
    worst = 0.0
    for name, extra in RUNS.items():
        cli_s, py_s, py_wall = [], [], []
        for _ in range(args.runs):
            out = os.path.join(tmp, "out")
            cmd = [args.cli, "decode", "--data", os.path.join(tmp, "data.npz"), "--split", os.path.join(tmp, "split.npz"),
                   "--iters", str(args.iters), "--seed", "1", "--out", out, "--quiet", "--no-plots"]
            cmd += [a for k, v in extra.items() for a in (f"--{k}", repr(v))]
            subprocess.run(cmd, check=True)
            with open(os.path.join(out, "metrics.json")) as f:
                m = json.load(f)
            cli_s.append(m["seconds"])
            dec = nc.MLPClassifierDecoder(iters=args.iters, seed=1, **extra)
            t0 = time.perf_counter()
            dec.fit(X, y, eval_set=(Xt, yt))
            py_wall.append(time.perf_counter() - t0)
            py_s.append(dec.fit_seconds_)
            if dec.train_loss_.tolist() != m["train_loss"] or dec.test_loss_.tolist() != m["test_loss"]:
                sys.exit(f"{name}: Python and CLI losses differ")
        c, p, w = statistics.median(cli_s), statistics.median(py_s), statistics.median(py_wall)
        worst = max(worst, p / c)
        print(f"{name:<18} {c:>10.3f} {p:>13.3f} {w:>14.3f} {p / c:>7.3f}")
    print(f"losses identical in every run; worst median ratio Python/CLI = {worst:.3f} "
          f"(target <= 1.03, DESIGN bound <= 1.05)")


if __name__ == "__main__":
    main()
