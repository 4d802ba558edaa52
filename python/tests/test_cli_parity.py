"""The same data, split, initial weights and threads give the CLI's losses and weights bit for bit."""
import json
import subprocess

import numpy as np
import pytest

import neurocodec as nc


def run_cli(cli, tmp_path, name, args):
    out = tmp_path / name
    subprocess.run([cli, "decode", "--out", str(out), "--quiet", "--no-plots", *args], check=True)
    metrics = json.loads((out / "metrics.json").read_text())
    model = dict(np.load(out / "model.npz"))
    return metrics, model


@pytest.mark.parametrize("model, extra", [
    ("classification", {}),                         # the dual form (no L1)
    ("classification", {"l1": 1e-4, "l2": 1e-3}),   # the fused form (L1 + L2)
    ("regression", {}),
])
@pytest.mark.parametrize("with_init", [True, False])
def test_python_fit_equals_cli(cli, tmp_path, small, small_split, model, extra, with_init):
    resp, stim = small
    X, y, Xt, yt, tr, te = small_split
    data = tmp_path / "data.npz"
    np.savez(data, resp=resp, stimuli=stim)
    split = tmp_path / "split.npz"
    np.savez(split, train_idx=tr.astype(np.int64), test_idx=te.astype(np.int64))
    iters = 40
    params = dict(iters=iters, seed=7, **extra)
    args = ["--data", str(data), "--split", str(split), "--model", model, "--iters", str(iters), "--seed", "7"]
    args += [a for k, v in extra.items() for a in (f"--{k}", repr(v))]
    init = None
    if with_init:
        init = nc.MLPDecoder(model=model, iters=1, seed=11).fit(X, y).state_dict()
        np.savez(tmp_path / "init.npz", **init)
        args += ["--init", str(tmp_path / "init.npz")]
    metrics, cli_model = run_cli(cli, tmp_path, "out", args)
    dec = nc.MLPDecoder(model=model, init=init, **params).fit(X, y, eval_set=(Xt, yt))
    assert dec.train_loss_.tolist() == metrics["train_loss"]
    assert dec.test_loss_.tolist() == metrics["test_loss"]
    sd = dec.state_dict()
    assert set(sd) == set(cli_model)
    for k in sd:
        np.testing.assert_array_equal(sd[k], cli_model[k], err_msg=k)
