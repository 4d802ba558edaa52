"""Speed and control: the GIL is released during fits, float32 C-contiguous arrays are not
copied on the way in, and Ctrl-C (a real SIGINT) stops a fit with KeyboardInterrupt."""
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

import neurocodec as nc
from neurocodec import _core


def test_float32_c_contiguous_is_the_fit_data_without_a_copy(small_split):
    # The pointer is the one the fit's dataset reads (data::Responses), for both decoder
    # forms: the dual form (no L1) and the fused form (L1, which gathers its train rows).
    X, y, Xt, yt, _, _ = small_split
    assert X.dtype == np.float32 and X.flags.c_contiguous
    for l1 in (0.0, 1e-4):
        nc.MLPClassifierDecoder(iters=1, l1=l1).fit(X, y)
        assert _core._last_fit_data_pointer() == X.ctypes.data
    # Other dtypes and layouts are converted once; an evaluation set in a second array is
    # joined with X into one matrix (a copy).
    X64 = X.astype(np.float64)
    nc.MLPClassifierDecoder(iters=1).fit(X64, y)
    assert _core._last_fit_data_pointer() != X64.ctypes.data
    XF = np.asfortranarray(X)
    nc.MLPClassifierDecoder(iters=1).fit(XF, y)
    assert _core._last_fit_data_pointer() != XF.ctypes.data
    nc.MLPClassifierDecoder(iters=1).fit(X, y, eval_set=(Xt, yt))
    assert _core._last_fit_data_pointer() != X.ctypes.data


def test_gil_is_released_during_a_fit():
    d = nc.simulate(neurons=3000, trials=1440, seed=4)
    X, y = d["resp"], d["stimuli"]
    done = threading.Event()
    t0 = time.perf_counter()
    seconds = []

    def fit():
        nc.MLPClassifierDecoder(iters=300, l1=1e-5).fit(X, y)
        seconds.append(time.perf_counter() - t0)
        done.set()

    th = threading.Thread(target=fit)
    th.start()
    ticks = 0
    while not done.is_set():  # runs only if the fit lets go of the GIL
        ticks += 1
        time.sleep(0.001)
    th.join()
    assert seconds[0] > 0.2, "the fit was too short to tell"
    assert ticks > 0.2 * seconds[0] * 100  # at least 20% of the 1-ms ticks went through


SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import numpy as np
    import neurocodec as nc
    d = nc.simulate(neurons=3000, trials=1440, seed=4)
    dec = nc.MLPClassifierDecoder(iters=3, l1=1e-5).fit(d["resp"], d["stimuli"])
    dec.set_params(iters=100000)  # a refit, interrupted, must not leave the old model behind
    sent = []
    def kill():
        time.sleep(1.0)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=kill, daemon=True).start()
    try:
        dec.fit(d["resp"], d["stimuli"])
        print("FINISHED")
    except KeyboardInterrupt:
        delay = time.perf_counter() - sent[0]
        fitted = hasattr(dec, "state_dict_") or hasattr(dec, "train_loss_")
        print(f"INTERRUPTED {delay:.3f} {fitted}")
""")


def test_sigint_raises_keyboard_interrupt_and_leaves_the_estimator_unfitted():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ))
    assert "INTERRUPTED" in r.stdout, r.stdout + r.stderr
    _, delay, fitted = r.stdout.split()
    assert float(delay) < 1.0
    assert fitted == "False"


ENCODER_SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import neurocodec as nc
    d = nc.simulate(neurons=500, trials=1440, split=True, seed=4)
    enc = nc.ConvEncoder(iters=100000, lr=0.1)
    sent = []
    def kill():
        time.sleep(1.0)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=kill, daemon=True).start()
    try:
        enc.fit(d["stimuli"], d["resp_train"], eval_set=d["resp_test"])
        print("FINISHED")
    except KeyboardInterrupt:
        print(f"INTERRUPTED {time.perf_counter() - sent[0]:.3f} {hasattr(enc, 'state_dict_')}")
""")


def test_sigint_stops_an_encoder_fit():
    r = subprocess.run([sys.executable, "-c", ENCODER_SCRIPT], capture_output=True, text=True, timeout=120)
    assert "INTERRUPTED" in r.stdout, r.stdout + r.stderr
    _, delay, fitted = r.stdout.split()
    assert float(delay) < 1.0 and fitted == "False"


def test_encoder_verbose_prints_the_cli_progress_lines(capsys):
    d = nc.simulate(neurons=40, trials=480, split=True, seed=2)
    nc.ConvEncoder(iters=10, lr=0.1, verbose=True).fit(d["stimuli"], d["resp_train"], eval_set=d["resp_test"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("iteration 1/10 | train loss: ") and " | test loss: " in lines[0]
    assert len(lines) == 10  # iteration 1 and every max(1, N/10) = every iteration here
