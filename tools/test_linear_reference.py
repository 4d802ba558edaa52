#!/usr/bin/python3
"""Sanity checks of tools/linear_reference.py (the linear decoders of Stringer et al. 2021).

    /usr/bin/python3 -m pytest -q tools/test_linear_reference.py

Needs Debian's python3-numpy, python3-scipy, python3-sklearn and python3-pytest.
"""

import math
import os
import sys

import numpy as np
import pytest
import scipy.optimize

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import linear_reference as lr  # noqa: E402
import make_linear_goldens as mlg  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(HERE), "tests", "golden")


@pytest.fixture(scope="module")
def data():
    return mlg.simulate()


# ---------------------------------------------------------------- helpers and targets


def test_split_is_every_fourth():
    tr, te = lr.every_fourth_split(10)
    assert te.tolist() == [0, 4, 8]
    assert tr.tolist() == [1, 2, 3, 5, 6, 7, 9]
    assert tr.dtype == np.int64 and te.dtype == np.int64


def test_signed_difference_range():
    a = np.linspace(-720, 720, 2881)
    for period in (360.0, 180.0):
        d = lr.signed_difference(a, 0.0, period)
        assert np.all(d > -period / 2) and np.all(d <= period / 2)
        assert np.allclose(np.remainder(d - a, period) % period, 0)
    assert lr.signed_difference(np.array([180.0]), 0.0, 360.0)[0] == 180.0
    assert lr.signed_difference(np.array([0.0]), 180.0, 360.0)[0] == 180.0


def test_sigma_for_period():
    assert lr.sigma_for_period(360.0) == pytest.approx(0.1)
    assert lr.sigma_for_period(180.0) == pytest.approx(0.2)


def test_ridge_targets_round_trip():
    theta = np.array([0.0, 10.0, 179.5, 180.0, 270.25, 359.0])
    for period in (360.0, 180.0):
        pred = lr.ridge_decode_outputs(lr.ridge_targets(theta, period), period)
        err = lr.circular_error(pred, np.remainder(theta, period), period)
        assert np.max(np.abs(err)) < 1e-9


def test_zscore_neurons():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(50, 7)).astype(np.float32)
    x[:, 3] = 1.5  # a constant neuron: std 0, the 1e-6 keeps it finite (all zeros)
    z, mean, std = lr.zscore_neurons(x)
    assert np.allclose(z.mean(axis=0), 0, atol=1e-12)
    assert np.all(z[:, 3] == 0)
    ok = np.arange(7) != 3
    assert np.allclose(z.std(axis=0)[ok], std[ok] / (std[ok] + 1e-6))


def test_vonmises_and_discrimination_targets_are_zscored():
    theta = np.random.default_rng(1).uniform(0, 360, 20)
    for period in (360.0, 180.0):
        for y, n in ((lr.vonmises_targets(theta, period), 48),
                     (lr.discrimination_targets(theta, period), 32)):
            assert y.shape == (20, n)
            assert np.allclose(y.mean(axis=1), 0, atol=1e-12)
            assert np.allclose(y.std(axis=1), 1)


def test_discrimination_targets_sign():
    # y_j > 0 when theta is just above theta_j (phi slightly positive), < 0 just below.
    y = lr.discrimination_targets(np.array([11.25 + 2.0, 11.25 - 2.0]), 360.0)
    raw_sign_above = np.sign(y[0, 1] - np.median(y[0]))
    raw_sign_below = np.sign(y[1, 1] - np.median(y[1]))
    assert raw_sign_above > 0 and raw_sign_below < 0


# ---------------------------------------------------------------- ridge


@pytest.mark.parametrize("n,p", [(60, 20), (20, 60)])  # more samples / more features
def test_ridge_dual_equals_primal_and_sklearn(n, p):
    rng = np.random.default_rng(n + p)
    X = rng.normal(size=(n, p)).astype(np.float32)  # float32 in: the reference must upcast
    Y = rng.normal(size=(n, 3))
    alpha = 1.0 * n
    w_dual = lr.ridge_dual(X, Y, alpha)
    w_primal = lr.ridge_primal(X, Y, alpha)
    w_skl = lr.ridge_sklearn(X, Y, alpha)
    assert w_dual.shape == (p, 3)
    np.testing.assert_allclose(w_dual, w_primal, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w_skl, w_primal, rtol=1e-10, atol=1e-12)


def test_ridge_decoder_on_synthetic_data(data):
    tr, te = data["train_idx"], data["test_idx"]
    for period in (360.0, 180.0):
        r = lr.ridge(data["resp"], data["stimuli"], tr, te, period)
        assert r["dual_max_abs_diff"] < 1e-10
        assert np.all((r["pred"] >= 0) & (r["pred"] < period))
        err = lr.circular_error(r["pred"], np.remainder(data["stimuli"][te], period), period)
        assert np.median(np.abs(err)) < 15
    r = lr.ridge(data["resp_speed"], data["speed"], tr, te, 0.0)
    assert r["train_mean"] == pytest.approx(float(np.mean(data["speed"][tr].astype(float))))
    assert np.corrcoef(r["pred"], data["speed"][te])[0, 1] > 0.8


# ---------------------------------------------------------------- von Mises decoder


def test_upsampling_interpolates_the_basis_points():
    kup = lr.upsampling_matrix(48, 100)
    assert kup.shape == (4800, 48)
    np.testing.assert_allclose(kup[::100], np.eye(48), atol=1e-8)


def test_vonmises_decodes_clean_targets():
    theta = np.array([0.0, 3.3, 100.0, 200.125, 359.9])
    for period in (360.0, 180.0):
        th = np.remainder(theta, period)
        pred, k = lr.vonmises_decode_outputs(lr.vonmises_targets(th, period), period)
        err = lr.circular_error(pred, th, period)
        assert np.max(np.abs(err)) < 0.5 * period / 360  # well under a degree
        assert k.dtype == np.int64


def test_vonmises_decoder_on_synthetic_data(data):
    tr, te = data["train_idx"], data["test_idx"]
    r = lr.vonmises(data["resp"], data["stimuli"], tr, te, 360.0)
    assert r["outputs"].shape == (len(te), 48)
    assert r["dual_max_abs_diff"] < 1e-10
    err = lr.circular_error(r["pred"], data["stimuli"][te], 360.0)
    assert np.median(np.abs(err)) < 15


# ---------------------------------------------------------------- discrimination


def test_symmetrised_curve_is_symmetric():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 59)
    s = lr.symmetrise(p)
    np.testing.assert_allclose(s + s[::-1], 1.0, atol=1e-15)
    assert s[29] == 0.5


def test_bins_edges_and_mirror_dropping_by_hand():
    # References every 11.25 deg. Within |Delta| < 29.5 the three trials give:
    #   3.0  : 3.0 (j=0) -> bin 3, -8.25 -> bin -8, 14.25 -> bin 14, -19.5 and 25.5: edges
    #   357.0: -3.0 -> bin -3, 8.25 -> bin 8, -14.25 -> bin -14, 19.5 and -25.5: edges
    #   10.0 : 10 -> bin 10, -1.25 -> bin -1, -23.75 -> bin -24, 21.25 -> bin 21, -12.5: edge
    # Bins 10, -1, -24, 21 have empty mirrors and are dropped.
    stim = np.array([3.0, 357.0, 10.0])
    delta = lr.signed_difference(stim[None, :], lr.reference_angles(360.0)[:, None], 360.0)
    outputs = np.where(delta > 0, 1.0, -1.0)
    outputs[0, 1] = 1.0  # the pair at Delta = -3 says "positive"
    res = lr.psychometric_curve(outputs, stim, 360.0)
    assert res["n_edge"] == 5
    nonzero = lr.D_GRID[res["counts"] > 0].tolist()
    assert nonzero == [-24, -14, -8, -3, -1, 3, 8, 10, 14, 21]
    assert res["d_used"].tolist() == [-14, -8, -3, 3, 8, 14]
    assert res["d_used"].dtype == np.int64
    np.testing.assert_array_equal(res["p_raw"], [0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(res["p_sym"], [0, 0, 0.5, 0.5, 1, 1])
    assert np.isnan(res["p_full"][0]) and res["p_full"][29 + 3] == 1.0


def test_binning_matches_a_brute_force_count(data):
    r = lr.discriminate(data["resp"], data["stimuli"], 360.0)
    theta = data["stimuli"][r["test_idx"]].astype(np.float64)
    counts = np.zeros(59, dtype=np.int64)
    positives = np.zeros(59, dtype=np.int64)
    n_edge = 0
    for j in range(32):
        for t in range(len(theta)):
            d = (theta[t] - j * 11.25) % 360.0
            if d > 180.0:
                d -= 360.0
            if abs(d) > 29.5:
                continue
            if d - math.floor(d) == 0.5:
                n_edge += 1
                continue
            b = int(math.floor(d + 0.5))
            counts[b + 29] += 1
            positives[b + 29] += int(r["outputs"][j, t] > 0)
    np.testing.assert_array_equal(r["counts"], counts)
    np.testing.assert_array_equal(r["positives"], positives)
    assert r["n_edge"] == n_edge > 0


def test_logistic_fit_finds_the_least_squares_minimum(data):
    r = lr.discriminate(data["resp"], data["stimuli"], 360.0)
    d, p = r["d_used"].astype(float), r["p_sym"]
    sse = lambda b: float(np.sum((lr.logistic(d, b) - p) ** 2))  # noqa: E731
    best = scipy.optimize.minimize_scalar(sse, bounds=(0.05, 100), method="bounded",
                                          options={"xatol": 1e-10})
    assert r["beta"] == pytest.approx(best.x, rel=1e-5)
    assert r["threshold"] == pytest.approx(r["beta"] * math.log(3.0))
    # the threshold is the 75% point of the fitted logistic
    assert lr.logistic(r["threshold"], r["beta"]) == pytest.approx(0.75)


def test_discrimination_threshold_is_a_few_degrees(data):
    for period in (360.0, 180.0):
        r = lr.discriminate(data["resp"], data["stimuli"], period)
        assert 1.0 < r["threshold"] < 15.0
        assert r["outputs"].shape == (32, 120)
        assert r["n_edge"] > 0  # the generator puts some pairs on bin edges


def test_threshold_falls_with_more_neurons(data):
    sizes, thr = lr.neurons_curve(data["resp"], data["stimuli"], data["curve_perm"])
    assert sizes.tolist() == [64, 45, 32, 22, 16, 11, 8, 5, 4, 2, 2, 1, 1]
    assert np.all(np.isfinite(thr))
    # nested subsets: more neurons, lower threshold (allow small non-monotone wiggles)
    assert thr[0] < thr[4] < thr[6] < thr[-1]
    rho = np.corrcoef(np.log(sizes), np.log(thr))[0, 1]
    assert rho < -0.9


def test_neurons_curve_sizes_full_population():
    s = lr.neurons_curve_sizes(23589)
    assert len(s) == 21 and s[0] == 23589 and s[-1] == 23 and s[2] == 11794


def test_float32_changes_nothing_at_golden_size(data):
    r64 = lr.discriminate(data["resp"], data["stimuli"], 360.0)
    r32 = lr.discriminate(data["resp"], data["stimuli"], 360.0, dtype=np.float32)
    rel = np.max(np.abs(r64["outputs"] - r32["outputs"])) / np.max(np.abs(r64["outputs"]))
    assert rel < 1e-5
    assert np.array_equal(r64["positives"], r32["positives"])


# ---------------------------------------------------------------- the golden files


def test_goldens_are_up_to_date(tmp_path):
    """Regenerating in a temporary folder reproduces the committed files."""
    if not os.path.exists(os.path.join(GOLDEN, "linear_inputs.npz")):
        pytest.skip("goldens not generated")
    old_argv = sys.argv
    sys.argv = ["make_linear_goldens.py", "--out", str(tmp_path)]
    try:
        assert mlg.main() == 0
    finally:
        sys.argv = old_argv
    for name in ("linear_inputs", "linear_ridge", "linear_vonmises", "linear_discriminate"):
        new = np.load(tmp_path / f"{name}.npz")
        old = np.load(os.path.join(GOLDEN, f"{name}.npz"))
        assert sorted(new.files) == sorted(old.files)
        for k in old.files:
            assert old[k].dtype == new[k].dtype, k
            np.testing.assert_allclose(new[k], old[k], rtol=1e-9, atol=1e-12, err_msg=k)
