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


def test_circular_regressor(small_split):
    X, y, Xt, yt, _, _ = small_split
    dec = nc.MLPDecoder(model="circular", iters=300)
    # The CLI's defaults for --model circular (DESIGN: H 20, 1000 iterations, lr 0.1), iters given.
    assert isinstance(dec, nc.MLPRegressorDecoder) and dec._estimator_type == "regressor"
    assert (dec.model, dec.hidden, dec.iters, dec.lr, dec.period) == ("circular", 20, 300, 0.1, 360.0)
    dec.fit(X, y, eval_set=(Xt, yt))
    assert dec.state_dict()["out_layer.weight"].shape == (2, 20)
    assert dec.train_loss_[-1] < dec.train_loss_[0]
    pred = dec.predict(Xt)
    assert pred.dtype == np.float64 and np.all((pred >= 0) & (pred < 360))
    out = dec._forward(Xt)[1].astype(np.float64)
    np.testing.assert_allclose(pred, np.mod(np.degrees(np.arctan2(out[:, 1], out[:, 0])), 360), atol=1e-9)
    err = np.abs(nc.circular_error(pred, yt))
    assert dec.score(Xt, yt) == pytest.approx(-err.mean())
    assert -dec.score(Xt, yt) < 45  # chance is 90 degrees
    # Wrapped errors: 350 decoded for 10 is 20 degrees off, not 340.
    assert nc.circular_error([350.0], [10.0])[0] == pytest.approx(-20.0)
    # Orientation (P = 180): angles are taken mod 180, predictions lie in [0, 180).
    half = nc.MLPDecoder(model="circular", iters=100, period=180).fit(X, y)
    assert np.all(half.predict(Xt) < 180)
    assert -half.score(Xt, yt) < 45 and nc.circular_error([170.0], [10.0], period=180)[0] == pytest.approx(-20)


def test_linear_decoders(small_split):
    X, y, Xt, yt, _, _ = small_split
    ridge = nc.RidgeDecoder().fit(X, y)
    assert ridge.coef_.shape == (2, X.shape[1]) and np.all(ridge.intercept_ == 0)
    pred = ridge.predict(Xt)
    assert np.all((pred >= 0) & (pred < 360))
    assert ridge.score(Xt, yt) == pytest.approx(-np.abs(nc.circular_error(pred, yt)).mean())
    assert -ridge.score(Xt, yt) < 30
    out = ridge.outputs(Xt)
    np.testing.assert_allclose(out, Xt.astype(np.float64) @ ridge.coef_.T.astype(np.float64), rtol=1e-5, atol=1e-6)
    # A larger penalty shrinks the weights.
    assert np.abs(nc.RidgeDecoder(lambda_=100).fit(X, y).coef_).sum() < np.abs(ridge.coef_).sum()
    vm = nc.VonMisesDecoder().fit(X, y)
    assert vm.coef_.shape == (48, X.shape[1])
    assert vm.outputs(Xt).shape == (len(yt), 48)
    assert -vm.score(Xt, yt) < 30
    # P = 0: the value itself, minus its training mean (the bias), and score = -MSE.
    lin = nc.RidgeDecoder(period=0).fit(X, y)
    assert lin.coef_.shape == (1, X.shape[1]) and lin.intercept_[0] == pytest.approx(np.mean(y), rel=1e-5)
    assert lin.score(Xt, yt) == pytest.approx(-np.mean((lin.predict(Xt) - yt) ** 2))


def test_discrimination_threshold():
    d = nc.simulate(neurons=200, trials=512, seed=6, single_trials=True)
    resp, stim = d["resp"], d["stimuli"]
    r = nc.discrimination_threshold(resp, stim)
    assert r["n_test"] == 128 and r["n_train"] == 384
    assert r["threshold_deg"] == pytest.approx(r["beta"] * np.log(3))
    assert r["outputs"].shape == (32, 128) and r["d"].tolist() == list(range(-29, 30))
    np.testing.assert_array_equal(r["test_idx"], np.arange(0, 512, 4))
    assert "curve" not in r
    c = nc.discrimination_threshold(resp, stim, neurons_curve=True)["curve"]
    assert c["n_neurons"][0] == 200 and c["threshold_deg"][0] == r["threshold_deg"]
    assert sorted(c["permutation"].tolist()) == list(range(200))
    with pytest.raises(ValueError, match="64"):
        nc.discrimination_threshold(resp[:40], stim[:40])
    with pytest.raises(ValueError, match="--lambda: expected a finite penalty > 0"):
        nc.discrimination_threshold(resp, stim, lambda_=0)
    with pytest.raises(ValueError, match="--period: discriminate needs a circular variable"):
        nc.discrimination_threshold(resp, stim, period=0)


def test_simulate_single_trials():
    d = nc.simulate(neurons=30, trials=200, seed=2, single_trials=True)
    assert d["resp"].shape == (200, 30) and d["stimuli"].shape == (200,)
    # Each neuron z-scored across the trials.
    np.testing.assert_allclose(d["resp"].mean(0), 0, atol=1e-4)
    with pytest.raises(ValueError, match="--split and --single-trials: give one or the other, not both"):
        nc.simulate(neurons=30, trials=200, single_trials=True, split=True)
    with pytest.raises(ValueError, match="--single-trials: trials are not binned; drop --bin-width"):
        nc.simulate(neurons=30, trials=200, single_trials=True, bin_width=2)


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


def test_encoder_on_images_equals_the_angle_path():
    d = nc.simulate(neurons=40, trials=480, split=True, seed=2)
    stim, resp, resp_test = d["stimuli"], d["resp_train"], d["resp_test"]
    by_angle = nc.ConvEncoder(iters=4, lr=0.1).fit(stim, resp, eval_set=resp_test)
    images = by_angle.images_
    assert images.shape == (len(stim), 12, 16) and images.dtype == np.float32
    for stack in (images, images[:, None], images.astype(np.float64)):  # (n,H,W), (n,1,H,W), converted
        by_image = nc.ConvEncoder(iters=4, lr=0.1).fit(stack, resp, eval_set=resp_test)
        for k, v in by_angle.state_dict().items():
            np.testing.assert_array_equal(by_image.state_dict()[k], v, err_msg=k)
        np.testing.assert_array_equal(by_image.train_loss_, by_angle.train_loss_)
        np.testing.assert_array_equal(by_image.test_corr_, by_angle.test_corr_)
    np.testing.assert_array_equal(by_image.predict(images), by_angle.predict(stim))
    # Other images: other weights; any image size (here 10 x 8) fits.
    other = nc.ConvEncoder(iters=4, lr=0.1).fit(images[:, 1:11, 4:12], resp)
    assert other.state_dict()["out_layer.weight"].shape == (40, 6 * 10 * 8)
    assert other.predict(images[:5, 1:11, 4:12]).shape == (5, 40)
    with pytest.raises(ValueError, match=r"images: shape \(12, 16\) per image, but the encoder was fitted to \(10, 8\)"):
        other.predict(images)
    n = len(stim)
    with pytest.raises(ValueError, match=f"responses has {n} rows but images has {n - 1} images; expected one image"):
        nc.ConvEncoder(iters=1).fit(images[:-1], resp)
    with pytest.raises(ValueError, match=r"images: expected shape \(n, H, W\) or \(n, 1, H, W\)"):
        nc.ConvEncoder(iters=1).fit(np.zeros((n, 2, 12, 16)), resp)
    bad = images.copy()
    bad[3, 2, 1] = np.nan
    with pytest.raises(ValueError, match=r"images: non-finite value at image 3, pixel \(2, 1\)"):
        nc.ConvEncoder(iters=1).fit(bad, resp)


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
