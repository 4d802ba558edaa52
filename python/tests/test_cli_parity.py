"""The same data, split, initial weights and threads give the CLI's numbers bit for bit: MLP
losses and weights, linear decoders' weights and outputs, the discrimination threshold and the
simulated single trials."""
import json
import subprocess

import numpy as np
import pytest

import neurocodec as nc


def run_cli(cli, out, command, args):
    subprocess.run([cli, command, "--out", str(out), "--quiet", "--no-plots", *args], check=True)
    return json.loads((out / "metrics.json").read_text())


def run_decode(cli, tmp_path, name, args):
    out = tmp_path / name
    metrics = run_cli(cli, out, "decode", args)
    return metrics, dict(np.load(out / "model.npz")), dict(np.load(out / "analysis.npz"))


@pytest.fixture()
def split_files(tmp_path, small, small_split):
    """The data and split as files, and `decode`'s arguments that read them."""
    resp, stim = small
    tr, te = small_split[4:]
    data = tmp_path / "data.npz"
    np.savez(data, resp=resp, stimuli=stim)
    split = tmp_path / "split.npz"
    np.savez(split, train_idx=tr.astype(np.int64), test_idx=te.astype(np.int64))
    return ["--data", str(data), "--split", str(split)]


@pytest.mark.parametrize("model, extra", [
    ("classification", {}),                         # the dual form (no L1)
    ("classification", {"l1": 1e-4, "l2": 1e-3}),   # the fused form (L1 + L2)
    ("regression", {}),
    ("circular", {}),
    ("circular", {"period": 180.0}),
])
@pytest.mark.parametrize("with_init", [True, False])
def test_python_fit_equals_cli(cli, tmp_path, small_split, split_files, model, extra, with_init):
    X, y, Xt, yt, _, _ = small_split
    iters = 40
    params = dict(iters=iters, seed=7, **extra)
    args = split_files + ["--model", model, "--iters", str(iters), "--seed", "7"]
    args += [a for k, v in extra.items() for a in (f"--{k}", repr(v))]
    init = None
    if with_init:
        init = nc.MLPDecoder(model=model, iters=1, seed=11, **extra).fit(X, y).state_dict()
        np.savez(tmp_path / "init.npz", **init)
        args += ["--init", str(tmp_path / "init.npz")]
    metrics, cli_model, cli_analysis = run_decode(cli, tmp_path, "out", args)
    dec = nc.MLPDecoder(model=model, init=init, **params).fit(X, y, eval_set=(Xt, yt))
    assert dec.train_loss_.tolist() == metrics["train_loss"]
    assert dec.test_loss_.tolist() == metrics["test_loss"]
    sd = dec.state_dict()
    assert set(sd) == set(cli_model)
    for k in sd:
        np.testing.assert_array_equal(sd[k], cli_model[k], err_msg=k)
    # Decoded angles: class centres, the regression output, or atan2 of (cos, sin) mod P.
    np.testing.assert_array_equal(dec.predict(Xt).astype(np.float32), cli_analysis["test_decoded_angle"])
    if model == "circular":
        errors = nc.decoding_errors(dec.predict(Xt), yt, period=dec.period)
        assert errors["mean_circular_error_deg"] == metrics["mean_circular_error_deg"]
        assert dec.score(Xt, yt) == pytest.approx(-metrics["mean_circular_error_deg"], rel=1e-12)


@pytest.mark.parametrize("make, args", [
    (lambda: nc.RidgeDecoder(lambda_=0.5), ["--model", "ridge", "--lambda", "0.5"]),
    (lambda: nc.RidgeDecoder(period=180), ["--model", "ridge", "--period", "180"]),
    (lambda: nc.RidgeDecoder(period=0), ["--model", "ridge", "--period", "0"]),
    (lambda: nc.VonMisesDecoder(lambda_=2.0), ["--model", "vonmises", "--lambda", "2"]),
], ids=["ridge", "ridge-180", "ridge-0", "vonmises"])
def test_linear_decoder_equals_cli(cli, tmp_path, small_split, split_files, make, args):
    X, y, Xt, yt, _, _ = small_split
    metrics, cli_model, cli_analysis = run_decode(cli, tmp_path, "out", split_files + args)
    dec = make().fit(X, y)
    sd = dec.state_dict()
    assert set(sd) == {"linear.weight", "linear.bias"} == set(cli_model)
    for k in sd:
        np.testing.assert_array_equal(sd[k], cli_model[k], err_msg=k)
    np.testing.assert_array_equal(dec.outputs(Xt).astype(np.float32), cli_analysis["test_outputs"])
    decoded = dec.predict(Xt)
    np.testing.assert_array_equal(decoded.astype(np.float32), cli_analysis["test_decoded_angle"])
    errors = nc.decoding_errors(decoded, yt, period=dec.period)
    assert errors["test_mse"] == metrics["test_mse"]
    if dec.period == 0:
        assert errors["r2"] == metrics["r2"]
        assert dec.score(Xt, yt) == pytest.approx(-metrics["test_mse"], rel=1e-12)
    else:
        assert errors["median_circular_error_deg"] == metrics["median_circular_error_deg"]
        assert dec.score(Xt, yt) == pytest.approx(-metrics["mean_circular_error_deg"], rel=1e-12)


@pytest.fixture(scope="module")
def trials():
    """Simulated single trials: enough for the threshold's 64-trial minimum and a clear curve."""
    d = nc.simulate(neurons=300, trials=640, seed=5, single_trials=True)
    return d["resp"], d["stimuli"]


@pytest.mark.parametrize("options, args", [
    ({}, []),
    ({"period": 180.0, "lambda_": 0.3, "neurons_curve": True, "seed": 4},
     ["--period", "180", "--lambda", "0.3", "--neurons-curve", "--seed", "4"]),
])
def test_discrimination_threshold_equals_cli(cli, tmp_path, trials, options, args):
    resp, stim = trials
    data = tmp_path / "trials.npz"
    np.savez(data, resp=resp, stimuli=stim)
    out = tmp_path / "disc"
    metrics = run_cli(cli, out, "discriminate", ["--data", str(data), *args])
    arrays = np.load(out / "discrimination.npz")
    r = nc.discrimination_threshold(resp, stim, **options)
    assert r["threshold_deg"] == metrics["threshold_deg"] and r["beta"] == metrics["beta"]
    assert 0 < r["threshold_deg"] < 90
    assert (r["n_train"], r["n_test"], r["n_edge_pairs"]) == (metrics["n_train"], metrics["n_test"],
                                                              metrics["n_edge_pairs"])
    for k in ["d", "counts", "positives", "p", "d_used", "p_raw", "p_sym", "fitted", "outputs"]:
        np.testing.assert_array_equal(r[k], arrays[k], err_msg=k)
    if options.get("neurons_curve"):
        c = r["curve"]
        assert c["n_neurons"].tolist() == metrics["curve"]["n_neurons"]
        assert c["threshold_deg"].tolist() == metrics["curve"]["threshold_deg"]
        assert c["beta"].tolist() == metrics["curve"]["beta"]
        assert c["n_neurons"][0] == resp.shape[1] and np.all(np.diff(c["n_neurons"]) <= 0)
    else:
        assert "curve" not in r and metrics["curve"]["n_neurons"] == []


def test_simulated_single_trials_equal_cli(cli, tmp_path):
    out = tmp_path / "trials.npz"
    subprocess.run([cli, "simulate", "--single-trials", "--out", str(out), "--neurons", "40", "--trials", "300",
                    "--seed", "3"], check=True, capture_output=True)
    f = np.load(out)
    d = nc.simulate(neurons=40, trials=300, seed=3, single_trials=True)
    assert d["resp"].shape == (300, 40) and d["stimuli"].shape == (300,)
    np.testing.assert_array_equal(d["resp"], f["resp"])
    np.testing.assert_array_equal(d["stimuli"], f["stimuli"])
    # Single trials are the rows the binned data averages: not the same array.
    assert nc.simulate(neurons=40, trials=300, seed=3)["resp"].shape[0] < 300
