#!/usr/bin/python3
"""Times `neurocodec discriminate` against the numpy reference (issue 12).

    /usr/bin/python3 bench/discriminate_bench.py [--build build] [--skip-numpy] [--repeats 1]

1. `neurocodec simulate --single-trials` writes the built-in simulated single trials
   (4320 x 23589, float32) to a temporary file (not timed);
2. `neurocodec discriminate --data FILE --no-plots` (the full population's threshold) and
   `... --neurons-curve` (21 nested subsets from one Gram pass) are timed as whole
   processes (loading the file included) and by their own `seconds` (z-scoring, Gram,
   solves and fits);
3. bench/discriminate_numpy.py times tools/linear_reference.py doing one full fit and the 21
   separate fits of the curve on data of the same shape.
Prints one JSON object with the times and the two targets: the curve >= 3x faster than
numpy's 21 fits, and the whole curve <= 1.5x the single full-population threshold.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd):
    """(wall s, CPU s of the child): on a shared machine the CPU time is the steadier figure."""
    t0, c0 = time.perf_counter(), children_cpu()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, children_cpu() - c0


def discriminate(cli, data, out, curve):
    cmd = [cli, "discriminate", "--data", data, "--out", out, "--no-plots", "--quiet"]
    if curve:
        cmd.append("--neurons-curve")
    wall, cpu = run_timed(cmd)
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "seconds": round(m["seconds"], 3),
            "threshold_deg": m["threshold_deg"], "curve": m["curve"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--skip-numpy", action="store_true")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    cli = os.path.join(args.build, "neurocodec")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "trials.npz")
        subprocess.run([cli, "simulate", "--single-trials", "--out", data], check=True,
                       stdout=subprocess.DEVNULL)
        single = min((discriminate(cli, data, os.path.join(tmp, f"s{i}"), False)
                      for i in range(args.repeats)), key=lambda r: r["wall_s"])
        curve = min((discriminate(cli, data, os.path.join(tmp, f"c{i}"), True)
                     for i in range(args.repeats)), key=lambda r: r["wall_s"])
    res = {"neurocodec_single": single, "neurocodec_curve": curve,
           "curve_over_single_wall": round(curve["wall_s"] / single["wall_s"], 3),
           "curve_over_single_compute": round(curve["seconds"] / single["seconds"], 3),
           "curve_over_single_cpu": round(curve["cpu_s"] / single["cpu_s"], 3),
           "load_average": os.getloadavg()}
    if not args.skip_numpy:
        out = subprocess.run([sys.executable, os.path.join(REPO, "bench", "discriminate_numpy.py"),
                              "--repeats", str(args.repeats)],
                             check=True, capture_output=True, text=True).stdout
        numpy = json.loads(out)
        res["numpy"] = numpy
        res["speedup_curve_vs_numpy"] = round(numpy["curve_s"] / curve["wall_s"], 2)
        res["speedup_single_vs_numpy"] = round(numpy["single_fit_s"] / single["wall_s"], 2)
        cpu = numpy.get("cpu_s", {})
        if cpu.get("curve"):
            res["speedup_curve_vs_numpy_cpu"] = round(min(cpu["curve"]) / curve["cpu_s"], 2)
        if cpu.get("single_fit"):
            res["speedup_single_vs_numpy_cpu"] = round(min(cpu["single_fit"]) / single["cpu_s"], 2)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
