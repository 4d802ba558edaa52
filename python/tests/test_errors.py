"""Bad input raises ValueError or TypeError with the CLI's message, never a crash."""
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import neurocodec as nc

X = np.random.default_rng(0).standard_normal((30, 8)).astype(np.float32)
Y = np.linspace(0, 359, 30)


@pytest.mark.parametrize("make", [nc.MLPClassifierDecoder, nc.MLPRegressorDecoder])
def test_bad_arrays(make):
    dec = make(iters=2)
    with pytest.raises(ValueError, match=r"X: expected a 2-D array \(n_stimuli x n_neurons\), got shape \(30,\)"):
        dec.fit(X[:, 0], Y)
    with pytest.raises(ValueError, match="X has 30 rows but angles has 29 entries; expected one angle per row"):
        dec.fit(X, Y[:29])
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"X: non-finite value \(NaN\) at row 3, column 2; expected finite values"):
        dec.fit(Xn, Y)
    Xn[3, 2] = np.inf
    with pytest.raises(ValueError, match=r"non-finite value \(inf\)"):
        dec.fit(Xn, Y)
    with pytest.raises(ValueError, match=r"angles: angle 400 at index 0 is outside \[0, 360\)"):
        dec.fit(X, np.r_[400.0, Y[1:]])
    with pytest.raises(TypeError, match="X: expected a numeric array, got dtype object"):
        dec.fit(X.astype(object), Y)
    with pytest.raises(TypeError, match="X: expected a numeric array, got dtype complex64"):
        dec.fit(X.astype(np.complex64), Y)
    with pytest.raises(TypeError, match="angles: expected numeric angles, got dtype complex128"):
        dec.fit(X, Y.astype(complex))
    with pytest.raises(ValueError, match=r"X: empty array, shape \(0, 8\)"):
        dec.fit(X[:0], Y[:0])
    with pytest.raises(ValueError, match="angles: empty array"):
        dec.fit(X, [])
    with pytest.raises(ValueError, match="X_test: expected a 2-D array"):
        dec.fit(X, Y, eval_set=(X[0], Y[:1]))
    with pytest.raises(ValueError, match="eval_set: X_test has 7 columns but X has 8"):
        dec.fit(X, Y, eval_set=(X[:, :7], Y))
    with pytest.raises(NotFittedError):
        dec.predict(X)
    dec.fit(X, Y)
    with pytest.raises(ValueError, match="X has 7 features, but"):
        dec.predict(X[:, :7])


@pytest.mark.parametrize("params, message", [
    ({"lr": 0}, "--lr: expected a finite rate > 0"),
    ({"lr": float("nan")}, "--lr: expected a finite rate > 0"),
    ({"l1": -1}, "--l1: expected a finite penalty >= 0"),
    ({"l2": float("inf")}, "--l2: expected a finite penalty >= 0"),
    ({"iters": 0}, "--iters: expected at least 1"),
    ({"hidden": 0}, "--hidden: expected at least 1"),
    ({"classes": 1}, "--classes: expected at least 2"),
    ({"seed": -1}, "--seed: expected an integer >= 0"),
])
def test_hyper_parameters_out_of_range(params, message):
    with pytest.raises(ValueError, match=message):
        nc.MLPClassifierDecoder(**params).fit(X, Y)


def test_model_name():
    with pytest.raises(ValueError, match="--model: expected classification, regression or circular, got lasso"):
        nc.MLPDecoder(model="lasso")
    with pytest.raises(ValueError, match="--model: expected regression or circular for MLPRegressorDecoder"):
        nc.MLPRegressorDecoder(model="classification").fit(X, Y)


@pytest.mark.parametrize("est, message", [
    (nc.RidgeDecoder(lambda_=0), "--lambda: expected a finite penalty > 0"),
    (nc.VonMisesDecoder(lambda_=float("nan")), "--lambda: expected a finite penalty > 0"),
    (nc.RidgeDecoder(period=-1), "--period: expected a period >= 0 degrees"),
    (nc.VonMisesDecoder(period=0), "--period 0: a non-circular variable has no classes or angle; use --model "
                                   "regression or ridge, not vonmises"),
    (nc.MLPDecoder(model="circular", period=0), "--period 0: .* not circular"),
    (nc.MLPClassifierDecoder(period=0), "--period 0: .* not classification"),
])
def test_period_and_lambda_out_of_range(est, message):
    with pytest.raises(ValueError, match=message):
        est.fit(X, Y)


def test_period_zero_takes_any_finite_value():
    y = np.linspace(-1000, 1000, 30)
    nc.RidgeDecoder(period=0).fit(X, y)
    nc.MLPRegressorDecoder(period=0, iters=2).fit(X, y)
    with pytest.raises(ValueError, match=r"angles: angle -1000 at index 0 is outside \[0, 360\)"):
        nc.RidgeDecoder().fit(X, y)
    with pytest.raises(ValueError, match=r"angles: non-finite value \(inf\) at index 1"):
        nc.RidgeDecoder(period=0).fit(X, np.r_[0.0, np.inf, y[2:]])


@pytest.mark.parametrize("make", [nc.RidgeDecoder, nc.VonMisesDecoder])
def test_linear_decoder_bad_input(make):
    dec = make()
    with pytest.raises(NotFittedError):
        dec.predict(X)
    with pytest.raises(ValueError, match="X has 30 rows but angles has 29 entries"):
        dec.fit(X, Y[:29])
    with pytest.raises(TypeError, match="X: expected a numeric array, got dtype object"):
        dec.fit(X.astype(object), Y)
    dec.fit(X, Y)
    assert dec.lambda_ == 1.0  # a parameter, not a fitted attribute: a refit keeps it
    dec.fit(X, Y)
    assert dec.lambda_ == 1.0
    with pytest.raises(ValueError, match="X has 7 features, but"):
        dec.predict(X[:, :7])


def test_bad_state_dict():
    dec = nc.MLPClassifierDecoder(iters=2, hidden=4, classes=3).fit(X, Y)
    sd = dec.state_dict()
    wrong_name = dict(sd)
    wrong_name["in_layer.weights"] = wrong_name.pop("in_layer.weight")
    with pytest.raises(ValueError, match="state_dict: unexpected key 'in_layer.weights'"):
        nc.MLPClassifierDecoder(hidden=4, classes=3).load_state_dict({"in_layer.weight": sd["in_layer.weight"],
                                                                       **wrong_name})
    wrong_shape = dict(sd, **{"out_layer.bias": np.zeros(4, np.float32)})
    with pytest.raises(ValueError, match=r"state_dict:out_layer.bias: expected shape \(3,\), got \(4,\)"):
        nc.MLPClassifierDecoder(hidden=4, classes=3).load_state_dict(wrong_shape)
    with pytest.raises(ValueError, match="init:out_layer.bias: expected shape"):
        nc.MLPClassifierDecoder(hidden=4, classes=3, iters=2, init=wrong_shape).fit(X, Y)
    bad = dict(sd, **{"out_layer.bias": np.array([0, np.nan, 0], np.float32)})
    with pytest.raises(ValueError, match="non-finite value"):
        nc.MLPClassifierDecoder(hidden=4, classes=3).load_state_dict(bad)
    ints = dict(sd, **{"out_layer.bias": np.zeros(3, np.int64)})
    with pytest.raises(ValueError, match="expected float32 or float64, got int64"):
        nc.MLPClassifierDecoder(hidden=4, classes=3).load_state_dict(ints)
    with pytest.raises(TypeError):
        nc.MLPClassifierDecoder().load_state_dict([1, 2])
