"""The API: data, decoders, encoder, analysis and plots."""
import numpy as np
import pytest

import neurocodec as nc


def test_load_both_formats(tmp_path, small):
    resp, stim = small
    p = tmp_path / "binned.npz"
    np.savez(p, resp=resp.astype(np.float64), stimuli=stim[:, None])
    d = nc.load(p)
    assert set(d) == {"resp", "stimuli"}
    np.testing.assert_array_equal(d["resp"], resp)
    np.testing.assert_array_equal(d["stimuli"], stim)
    s = nc.simulate(neurons=50, trials=240, split=True)
    p2 = tmp_path / "split.npz"
    np.savez(p2, **s)
    d2 = nc.load(str(p2))
    assert set(d2) == {"resp_train", "resp_test", "stimuli"}
    assert d2["resp_train"].shape == (len(s["stimuli"]), 50) and d2["resp_test"].shape == d2["resp_train"].shape


def test_load_errors_are_the_cli_messages(tmp_path):
    p = tmp_path / "bad.npz"
    np.savez(p, resp=np.zeros((3, 2), np.float32), stimuli=np.array([1.0, 2.0, 400.0]))
    with pytest.raises(ValueError, match=r"bad.npz:stimuli: angle 400 at index 2 is outside \[0, 360\)"):
        nc.load(p)
    np.savez(p, resp=np.zeros((3,), np.float32), stimuli=np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="expected a 2-D array"):
        nc.load(p)
    with pytest.raises(FileNotFoundError):
        nc.load(tmp_path / "missing.npz")


def test_simulate_matches_the_cli_default_shape():
    d = nc.simulate(neurons=100)
    assert d["resp"].shape == (360, 100) and d["resp"].dtype == np.float32
    assert np.all((d["stimuli"] >= 0) & (d["stimuli"] < 360))
    with pytest.raises(ValueError, match="--neurons: expected at least 1"):
        nc.simulate(neurons=0)


def test_classifier(small_split):
    X, y, Xt, yt, _, _ = small_split
    dec = nc.MLPDecoder(model="classification", iters=200)
    assert isinstance(dec, nc.MLPClassifierDecoder) and dec._estimator_type == "classifier"
    assert dec.fit(X, y, eval_set=(Xt, yt)) is dec
    assert dec.train_loss_.shape == (200,) and dec.test_loss_.shape == (200,)
    assert dec.train_loss_[-1] < dec.train_loss_[0]
    pred = dec.predict(Xt)
    assert set(np.unique(pred)) <= set(dec.classes_)
    np.testing.assert_allclose(dec.classes_, (np.arange(20) + 0.5) * 18)
    proba = dec.predict_proba(Xt)
    assert proba.shape == (len(yt), 20)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-6)
    score = dec.score(Xt, yt)
    assert score == np.mean(np.floor(pred / 18) == np.floor(yt / 18))
    assert score > 0.3
    assert dec.hidden_activity(Xt).shape == (len(yt), 20)
    assert np.all(dec.hidden_activity(Xt) >= 0)


def test_regressor(small_split):
    X, y, Xt, yt, _, _ = small_split
    dec = nc.MLPDecoder(model="regression", iters=30)
    assert isinstance(dec, nc.MLPRegressorDecoder) and dec._estimator_type == "regressor"
    assert (dec.hidden, dec.iters, dec.lr) == (10, 30, 1e-4)
    dec.fit(X, y)
    assert dec.test_loss_ is None and dec.train_loss_.shape == (30,)
    assert dec.score(Xt, yt) == pytest.approx(-np.mean((dec.predict(Xt) - yt) ** 2))


def test_state_dict_roundtrip_and_init(small_split):
    X, y, Xt, yt, _, _ = small_split
    a = nc.MLPClassifierDecoder(iters=20, seed=5).fit(X, y, eval_set=(Xt, yt))
    sd = a.state_dict()
    assert {k: v.shape for k, v in sd.items()} == {
        "in_layer.weight": (20, 200), "in_layer.bias": (20,), "out_layer.weight": (20, 20), "out_layer.bias": (20,)}
    assert all(v.dtype == np.float32 for v in sd.values())
    b = nc.MLPClassifierDecoder().load_state_dict(sd)
    np.testing.assert_array_equal(a.predict_proba(Xt), b.predict_proba(Xt))
    # Continuing from a's weights for 20 more iterations = fitting 40 (up to the momentum-free
    # SGD's state, which the tutorial does not carry): the losses start where a's ended.
    c = nc.MLPClassifierDecoder(iters=20, init=sd).fit(X, y, eval_set=(Xt, yt))
    assert c.train_loss_[0] < a.train_loss_[0]
    # The same init and data give the same bits.
    d = nc.MLPClassifierDecoder(iters=20, init=sd).fit(X, y, eval_set=(Xt, yt))
    np.testing.assert_array_equal(c.train_loss_, d.train_loss_)
    np.testing.assert_array_equal(c.state_dict()["in_layer.weight"], d.state_dict()["in_layer.weight"])


def test_verbose_prints_the_cli_progress_lines(small_split, capsys):
    X, y, Xt, yt, _, _ = small_split
    nc.MLPClassifierDecoder(iters=10, verbose=True).fit(X, y, eval_set=(Xt, yt))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("iteration 2/10 | loss: ") and " | test_loss: " in lines[0]


def test_encoder():
    d = nc.simulate(neurons=60, trials=480, split=True, seed=2)
    enc = nc.ConvEncoder(iters=5, lr=0.1, seed=1).fit(d["stimuli"], d["resp_train"], eval_set=d["resp_test"])
    assert enc.conv_filters_.shape == (6, 7, 7)
    assert enc.test_corr_.shape == (60,) and enc.noise_ceiling_.shape == (60,)
    assert enc.train_loss_.shape == (5,) and enc.test_loss_.shape == (5,)
    pred = enc.predict(d["stimuli"])
    assert pred.shape == (len(d["stimuli"]), 60)
    assert np.isfinite(enc.median_test_corr_)
    with pytest.raises(ValueError, match="--kernel: expected an odd size"):
        nc.ConvEncoder(kernel=4, iters=1).fit(d["stimuli"], d["resp_train"])


def test_analysis(small):
    resp, stim = small
    deg, order = nc.preferred_orientation(resp, stim)
    assert deg.shape == (200,) and order.shape == (200,)
    assert np.all(np.diff(deg[order]) >= 0)
    e = nc.decoding_errors([10.0, 350.0], [0.0, 10.0])
    assert e["test_mse"] == pytest.approx((100 + 340 ** 2) / 2)
    assert e["median_circular_error_deg"] == pytest.approx(15.0)


def test_plots_return_figures(small_split, small):
    import sys
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    X, y, Xt, yt, _, _ = small_split
    resp, stim = small
    dec = nc.MLPClassifierDecoder(iters=5).fit(X, y, eval_set=(Xt, yt))
    for fig in (nc.plot_losses(dec), nc.plot_weights(dec, resp, stim), nc.plot_hidden(dec, resp, stim),
                nc.plot_decoding_errors(yt, dec.predict(Xt)), nc.plot_data(resp, stim, 100)):
        assert isinstance(fig, Figure)
    assert "matplotlib" in sys.modules


def test_import_does_not_import_matplotlib():
    import subprocess
    import sys
    code = "import neurocodec, sys; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
