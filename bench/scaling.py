#!/usr/bin/python3
"""The measured cost curve (issue 14): wall time and peak anonymous memory of `decode`
(classifier without L1, 1000 iterations), `decode --l1` (where its rows fit in memory),
`discriminate` and `encode`, over neurons x trials, with the I/O floor of each input file
measured in the same run, written as a table (scaling.md, scaling.json) and a log-log figure
(scaling.png) with the fitted growth exponents.

Inputs are simulated with `neurocodec simulate --format npy` (a folder per size, written a
block of neurons at a time) and read through memory maps: `decode --data FOLDER`.

Memory is the peak of RssAnon (anonymous memory: what the process allocated, not the page
cache of its mapped input; DESIGN.md "Scale"), sampled every 20 ms from /proc/PID/status.
The I/O floor is one sequential read of the input (`cat FILE > /dev/null`) after dropping the
page cache when this runs as root (echo 3 > /proc/sys/vm/drop_caches), else from the cache (said
in the table).

The SGEMM peak is measured in the same run (<build-dir>/sgemm_peak), and each decode
without L1 gets DESIGN.md's bound for a streamed fit: 1.5 x (the Gram pass's FLOPs / the SGEMM
peak) + the I/O floor, with whether its wall time is within it (meaningful when the floor
was read cold).

    /usr/bin/python3 bench/scaling.py [--build-dir build] [--work /tmp/nc_scaling]
        [--neurons 23589,100000,400000,1000000] [--trials 360,4000]
        [--commands decode,decode --l1,discriminate,encode] [--smoke]

--cold-runs drops the page cache before each run too (else the floor's read leaves the input
in the cache when it fits in memory, and the runs start from it).
--repeat N measures everything N times (the SGEMM peak and each floor again each time) and
reports each case's median run, with every repeat in scaling.json: on a shared machine one run
of the 10^6-neuron decode moves by about 10%, so the bound is judged on the median of five
(DESIGN.md's rule for its other speed bound):
    /usr/bin/python3 bench/scaling.py --neurons 1000000 --trials 4000 --commands decode \
        --cold-runs --repeat 5
--smoke runs the smallest size only with few iterations: CI's smoke test of this harness.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def drop_caches():
    try:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def io_floor(path, cold_read=True):
    """Seconds for one sequential read of path (cold when the cache can be dropped)."""
    cold = cold_read and drop_caches()
    t0 = time.perf_counter()
    subprocess.run(["cat", path], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, cold


def run_measured(cmd):
    """Runs cmd; returns (wall seconds, peak RssAnon bytes, rc, stderr tail)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    status = f"/proc/{p.pid}/status"
    while p.poll() is None:
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.02)
    err = p.stderr.read()
    return time.perf_counter() - t0, peak, p.returncode, err.strip().splitlines()[-1:] if err else []


def sgemm_peak(build_dir):
    """GFLOP/s of <build-dir>/sgemm_peak (its best shape), or None when it is not built."""
    exe = os.path.join(build_dir, "sgemm_peak")
    if not os.access(exe, os.X_OK):
        print(f"warning: {exe} not built: no SGEMM peak, no bound", file=sys.stderr)
        return None
    out = subprocess.run([exe], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.strip().startswith("{") and "peak_gflops" in line:
            return json.loads(line)["peak_gflops"]
    return None


def gram_flops(neurons, rows, train_fraction=0.6, hidden=20):
    """FLOPs of the dual form's one pass: SSYRK of the train rows, the test-train SGEMM and the
    W0 projections of every row (decode's default split: floor(0.6 n) train rows)."""
    n_tr = int(train_fraction * rows)
    n_te = rows - n_tr
    return float(n_tr) * n_tr * neurons + 2.0 * n_te * n_tr * neurons + 2.0 * rows * hidden * neurons


def simulate(cli, folder, neurons, trials, single):
    if os.path.exists(os.path.join(folder, "resp.npy")):
        return
    cmd = [cli, "simulate", "--format", "npy", "--out", folder, "--neurons", str(neurons),
           "--trials", str(trials)]
    if single:
        cmd.append("--single-trials")
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def simulate_split(cli, folder, neurons, trials):
    if os.path.exists(os.path.join(folder, "resp_train.npy")):
        return
    subprocess.run([cli, "simulate", "--format", "npy", "--split", "--out", folder, "--neurons",
                    str(neurons), "--trials", str(trials)], check=True, stdout=subprocess.DEVNULL)


def fit_exponent(points):
    """Least-squares slope of log(seconds) on log(neurons); None with fewer than 2 sizes."""
    import numpy as np
    pts = [(n, s) for n, s in points if s and s > 0]
    if len(pts) < 2:
        return None
    x = np.log([p[0] for p in pts])
    y = np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def measure(a, cli, neurons, trials, iters, commands, sgemm):
    """One measurement of every selected case: a row per run (wall time, peak memory, phases,
    the I/O floor measured just before, and DESIGN.md's bound for a decode without L1)."""
    rows = []
    for t in trials:
        for n in neurons:
            single = t > 360  # the 360-trial case is the tutorial's binned layout (360 rows)
            folder = os.path.join(a.work, f"n{n}_t{t}")
            simulate(cli, folder, n, t if single else 4320, single)
            resp = os.path.join(folder, "resp.npy")
            rows_n = t if single else 360
            floor, cold = io_floor(resp, cold_read=not a.smoke)
            # The tutorial's lr (0.1 at 23,589 neurons) scaled by 23,589 / N: the gradient of
            # the first layer sums over the neurons, and plain lr 0.1 diverges at 1,000,000.
            lr = str(0.1 * min(1.0, 23589 / n))
            cases = [("decode", ["decode", "--data", folder, "--iters", str(iters), "--lr", lr])]
            if rows_n * n * 4 / 2**30 <= a.l1_limit_gb:
                cases.append(("decode --l1", ["decode", "--data", folder, "--iters", str(iters),
                                              "--lr", lr, "--l1", "1e-4", "--l2", "1e-2"]))
            if single and n <= a.discriminate_limit:
                cases.append(("discriminate", ["discriminate", "--data", folder]))
            if not single and n <= a.encode_limit:
                split = os.path.join(a.work, f"split_n{n}")
                simulate_split(cli, split, n, 4320)
                cases.append(("encode", ["encode", "--data", split,
                                         "--iters", str(min(iters, 200))]))
            for name, args in [c for c in cases if c[0] in commands]:
                dest = os.path.join(a.work, "run")
                shutil.rmtree(dest, ignore_errors=True)
                run_cold = a.cold_runs and drop_caches()
                wall, peak, rc, err = run_measured([cli] + args + ["--out", dest, "--quiet"])
                data_bytes = os.path.getsize(resp)
                row = dict(command=name, neurons=n, trials=rows_n, seconds=wall,
                           peak_anon_mb=peak / 2**20, data_mb=data_bytes / 2**20,
                           io_floor_s=floor, io_cold=cold, run_cold=run_cold, rc=rc, error=err)
                metrics = os.path.join(dest, "metrics.json")
                if rc in (0, 3) and os.path.exists(metrics):
                    m = json.load(open(metrics))
                    row["fit_loop_seconds"] = m.get("seconds")
                    row["phases"] = m.get("phase_seconds")
                    row["diverged"] = m.get("diverged")
                if name == "decode" and sgemm:
                    row["sgemm_peak_gflops"] = sgemm
                    row["bound_s"] = 1.5 * gram_flops(n, rows_n) / (sgemm * 1e9) + floor
                    row["within_bound"] = wall <= row["bound_s"]
                rows.append(row)
                print(f"{name:13s} N={n:>8d} rows={rows_n:>5d}  {wall:8.1f} s  peak anon "
                      f"{peak / 2**20:8.0f} MB  data {data_bytes / 2**20:8.0f} MB  "
                      f"I/O floor {floor:6.1f} s{' (cold)' if cold else ''}  rc {rc} "
                      f"{row.get('phases') or ''} {' '.join(err)}"
                      + (f"  bound {row['bound_s']:.1f} s" if "bound_s" in row else ""), flush=True)
    return rows


def median_rows(runs):
    """The rows of one repeat, or with several, each case's median run (by wall time over its
    bound where it has one, else by wall time), with every repeat's figures in "repeats" and a
    printed summary: one run of the 10^6 case moves by +-10% on a shared machine."""
    if len(runs) == 1:
        return runs[0]
    rows = []
    for i, first in enumerate(runs[0]):
        group = [r[i] for r in runs]
        key = (lambda r: r["seconds"] / r["bound_s"]) if "bound_s" in first else (
            lambda r: r["seconds"])
        ordered = sorted(group, key=key)
        row = dict(ordered[(len(ordered) - 1) // 2])
        row["repeats"] = [dict(seconds=r["seconds"], bound_s=r.get("bound_s"),
                               sgemm_peak_gflops=r.get("sgemm_peak_gflops"),
                               io_floor_s=r["io_floor_s"]) for r in group]
        rows.append(row)
        walls = ", ".join(f"{r['seconds']:.1f}" + (f"/{r['bound_s']:.1f}" if "bound_s" in r else "")
                          for r in group)
        verdict = ""
        if "bound_s" in first:
            within = sum(r["within_bound"] for r in group)
            verdict = (f"; median wall/bound {key(row):.3f} "
                       f"({'within' if row['within_bound'] else 'over'}), {within} of "
                       f"{len(group)} runs within")
        print(f"median of {len(group)}: {first['command']} N={first['neurons']} "
              f"rows={first['trials']}: {row['seconds']:.1f} s [{walls}]{verdict}", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--work", default="/tmp/nc_scaling", help="where the simulated inputs live")
    ap.add_argument("--out", default=None, help="table and figure folder (default: WORK)")
    ap.add_argument("--neurons", default="23589,100000,400000,1000000")
    ap.add_argument("--trials", default="360,4000")
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--l1-limit-gb", type=float, default=8.0,
                    help="run decode --l1 where its rows take at most this much memory")
    ap.add_argument("--encode-limit", type=int, default=400000, help="largest N for encode")
    ap.add_argument("--discriminate-limit", type=int, default=100000,
                    help="largest N for discriminate (its z-scored copy is in memory)")
    ap.add_argument("--commands", default="decode,decode --l1,discriminate,encode",
                    help="which of the commands to run (comma-separated)")
    ap.add_argument("--cold-runs", action="store_true",
                    help="drop the page cache again before each run (as root), so each run reads "
                         "its input from the disk (without it, the floor's read leaves the file "
                         "in the cache when it fits)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure everything this many times (the SGEMM peak and the floor "
                         "each time) and report each case's median run")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    cli = os.path.join(a.build_dir, "neurocodec")
    neurons = [int(v) for v in a.neurons.split(",")]
    trials = [int(v) for v in a.trials.split(",")]
    iters = a.iters
    if a.smoke:
        neurons, trials, iters = [2000], [360], 20
    commands = set(a.commands.split(","))
    out = a.out or a.work
    os.makedirs(out, exist_ok=True)
    runs = []
    for rep in range(a.repeat):
        if a.repeat > 1:
            print(f"--- repeat {rep + 1} of {a.repeat}", flush=True)
        sgemm = None if a.smoke else sgemm_peak(a.build_dir)
        if sgemm:
            print(f"SGEMM peak {sgemm:.1f} GFLOP/s ({cpu_model()})", flush=True)
        runs.append(measure(a, cli, neurons, trials, iters, commands, sgemm))
    rows = median_rows(runs)
    report(rows, out, iters)
    failed = [r for run in runs for r in run if r["rc"] != 0]
    for r in failed:
        print(f"FAILED: {r['command']} N={r['neurons']} rows={r['trials']}: rc {r['rc']} {r['error']}")
    return 1 if failed and a.smoke else 0


def bound_cell(r):
    """DESIGN.md's bound for a decode without L1, and whether the run is within it."""
    if "bound_s" not in r:
        return ""
    return f"{r['bound_s']:.1f} ({'within' if r['within_bound'] else '**over**'})"


def report(rows, out, iters):
    exps = {}
    for name in sorted({r["command"] for r in rows}):
        for t in sorted({r["trials"] for r in rows}):
            pts = [(r["neurons"], r["seconds"]) for r in rows
                   if r["command"] == name and r["trials"] == t and r["rc"] == 0]
            e = fit_exponent(pts)
            if e is not None:
                exps[f"{name} (rows {t})"] = e
    peaks = {r["sgemm_peak_gflops"] for r in rows if "sgemm_peak_gflops" in r}
    info = dict(cpu=cpu_model(), iters=iters, rows=rows, exponents=exps,
                sgemm_peak_gflops=peaks.pop() if peaks else None)
    with open(os.path.join(out, "scaling.json"), "w") as f:
        json.dump(info, f, indent=1)
    repeats = max((len(r.get("repeats", [])) for r in rows), default=0)
    peak_note = (f"; SGEMM peak {info['sgemm_peak_gflops']:.1f} GFLOP/s in the same run"
                 if info["sgemm_peak_gflops"] and repeats <= 1 else "")
    if repeats > 1:
        peak_note = (f"; each row the median of {repeats} repeats (wall over bound for a decode "
                     "without L1), each with its own SGEMM peak and floor (scaling.json: "
                     "\"repeats\")")
    lines = [f"CPU: {info['cpu']}; decode {iters} iterations{peak_note}", "",
             "| command | neurons | rows | wall (s) | phases: load / fit / analysis / figures (s) "
             "| peak anon (MB) | data (MB) | I/O floor (s) | bound (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ph = r.get("phases")
        phases = " / ".join(f"{ph[k]:.1f}" for k in ("load", "fit", "analysis", "figures")) if ph else ""
        lines.append(f"| {r['command']} | {r['neurons']:,} | {r['trials']:,} | {r['seconds']:.1f}"
                     f"{' (cold)' if r.get('run_cold') else ''} | "
                     f"{phases} | {r['peak_anon_mb']:.0f} | {r['data_mb']:.0f} | {r['io_floor_s']:.1f}"
                     f"{'' if r['io_cold'] else ' (cached)'} | {bound_cell(r)} |")
    lines += ["", "Fitted growth exponents (log wall time on log neurons):"]
    lines += [f"- {k}: {v:.2f}" for k, v in exps.items()]
    with open(os.path.join(out, "scaling.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.5))
    for key in sorted({(r["command"], r["trials"]) for r in rows}):
        pts = sorted((r["neurons"], r["seconds"], r["peak_anon_mb"]) for r in rows
                     if (r["command"], r["trials"]) == key and r["rc"] == 0)
        if not pts:
            continue
        label = f"{key[0]}, {key[1]} rows"
        e = exps.get(f"{key[0]} (rows {key[1]})")
        ax[0].loglog([p[0] for p in pts], [p[1] for p in pts], "o-",
                     label=label + (f" (slope {e:.2f})" if e is not None else ""))
        ax[1].loglog([p[0] for p in pts], [p[2] for p in pts], "o-", label=label)
    ax[0].set(xlabel="neurons", ylabel="wall time (s)", title="time")
    ax[1].set(xlabel="neurons", ylabel="peak anonymous memory (MB)", title="memory")
    for x in ax:
        if x.get_legend_handles_labels()[0]:
            x.legend(fontsize=7)
        x.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling.png"), dpi=110)


if __name__ == "__main__":
    sys.exit(main())
