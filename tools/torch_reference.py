#!/usr/bin/python3
"""PyTorch oracle for neurocodec (DESIGN.md, "Correctness" and "Parity procedure").

Runs the seed tutorial's models in float32 PyTorch and records, at every iteration,
  * the train loss: loss.item() of the forward pass whose gradient makes the step, and
  * the test loss: evaluated after the step with the updated weights (penalty included),
    under torch.no_grad().

Two subcommands:
  decode  DeepNetReLU (regression, MSE on the angle in degrees) or DeepNetSoftmax
          (classification, LogSoftmax + NLL), full-batch SGD without momentum, optional
          L1/L2 penalty on in_layer.weight.
  encode  ConvFC: Conv2d(1, C, K, padding K//2) on 12x16 gratings, flatten (channel, row,
          column), Linear(C*192, n_neurons); SGD with momentum; L1/L2 penalty on
          out_layer.weight.

Weights go in and out as .npz files keyed by state_dict names, so neurocodec can start
from exactly the same parameters (--init-in / --init-out) and its result can be compared
(--final-out). Losses and every option used go to a JSON file (--losses-out).

Requires Debian's python3-torch: run with /usr/bin/python3.
Example:
  /usr/bin/python3 tools/torch_reference.py decode --data d.npz --split s.npz \
      --model classification --hidden 20 --classes 20 --iters 200 --lr 0.1 \
      --init-out init.npz --final-out final.npz --losses-out losses.json
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn, optim

# --------------------------------------------------------------------------------------
# Stimuli and filter bank (the seed's grating() and filters(), same numerics)
# --------------------------------------------------------------------------------------


def grating(angle, sf=1 / 28, res=0.1, patch=False):
    """Square-wave grating image, float32 torch tensor of shape (480*res, 640*res).

    angle is in degrees. Pixel values are +0.5 where cos(phase) > 0 and -0.5 elsewhere.
    With patch=True the grating (phase offset 0.1 rad) fills a disc of radius
    640/6*res pixels centred at (3/4 width, 1/2 height) and the rest of the image is 0.
    Computed in float64 like the seed and converted to float32 at the end.
    """
    theta = np.deg2rad(angle)
    width, height = 640, 480
    cols = sf * np.arange(0, width * res) / res   # (W,) horizontal phase coordinate
    rows = sf * np.arange(0, height * res) / res  # (H,) vertical phase coordinate
    xx, yy = np.meshgrid(cols, rows)               # both (H, W), 'xy' indexing
    if patch:
        theta = theta + 0.1
    img = np.cos(xx * np.cos(theta) + yy * np.sin(theta))
    # binarise: negative -> 0, positive -> 1 (an exact zero stays 0)
    img[img < 0] = 0
    img[img > 0] = 1
    if patch:
        n_rows, n_cols = img.shape
        cx = n_cols * 0.75
        cy = n_rows / 2
        px, py = np.meshgrid(np.arange(0, n_cols), np.arange(0, n_rows))
        inside = ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5 < width / 3 / 2 * res
        img[~inside] = 0.5
    img -= 0.5
    return torch.tensor(img, dtype=torch.float32)


def grating_stimuli(angles, res=0.025):
    """Stack of gratings, float32 numpy array (n, 1, 480*res, 640*res)."""
    angles = np.asarray(angles, dtype=np.float64).reshape(-1)
    first = grating(float(angles[0]), res=res).numpy() if len(angles) else None
    shape = first.shape if first is not None else (int(480 * res), int(640 * res))
    out = np.zeros((len(angles), 1) + shape, np.float32)
    for i, a in enumerate(angles):
        out[i, 0] = grating(a, res=res).numpy()
    return out


def seed_orientations(n=60):
    """The seed's grating orientations for its 60 binned stimuli: -180, -174, ..., 174."""
    return np.linspace(0, 360, n + 1)[:-1] - 180


def encoder_angles(stimuli):
    """Orientations at which the encoder draws gratings (DESIGN.md 'Encoder quirks')."""
    stimuli = np.asarray(stimuli).reshape(-1)
    if stimuli.shape[0] == 60:
        return seed_orientations(60)
    return stimuli.astype(np.float64)


def filters(out_channels=6, K=7):
    """Filter bank of the seed: float32 torch tensor (out_channels, 1, K, K).

    Channel 0 is a centre-surround difference of exponentials, channel 1 its negative,
    channels 2.. are Gabors at angles linspace(0, 180, out_channels - 1)[:-1] degrees.
    Quirks kept: the envelopes use the radius r (not r^2) in exp(-r / (2 sigma^2)); the
    grid is linspace(-K/2, K/2, K) in float32; meshgrid uses 'ij' indexing. Each filter is
    divided by its max |value| and then has its mean subtracted. All arithmetic is float32
    (scalars are cast to float32 before they meet the grid, as numpy 1.x's value-based
    casting does in the seed).
    """
    if out_channels < 2:
        raise ValueError("filters() needs out_channels >= 2")
    f32 = np.float32
    axis = np.linspace(-K / 2, K / 2, K).astype(f32)
    gx, gy = np.meshgrid(axis, axis, indexing="ij")   # (K, K) each, float32
    radius = (gx ** 2 + gy ** 2) ** f32(0.5)           # float32

    sigma = 1.1
    narrow = np.exp(-radius / f32(2 * sigma ** 2))
    wide = np.exp(-radius / f32(2 * (sigma * 2) ** 2))
    centre_surround = narrow - f32(0.5) * wide         # (K, K) float32

    angles = np.linspace(0, 180, out_channels - 2 + 1)[:-1] * np.pi / 180
    wavelength = 10
    phase = np.pi / 2
    envelope = np.exp(-radius / f32(2 * (sigma * 0.4) ** 2))
    gabors = np.zeros((len(angles), K, K), f32)
    for i, th in enumerate(angles):
        proj = gx * f32(np.cos(th)) + gy * f32(np.sin(th))
        gabors[i] = envelope * np.cos(f32(2 * np.pi) * proj / f32(wavelength) + f32(phase))

    bank = np.concatenate((centre_surround[None], -1 * centre_surround[None], gabors), axis=0)
    bank /= np.abs(bank).max(axis=(1, 2))[:, None, None]
    bank -= bank.mean(axis=(1, 2))[:, None, None]
    assert bank.dtype == np.float32
    return torch.from_numpy(bank).unsqueeze(1)


def stimulus_class(angles, n_classes):
    """Class index per angle: digitize(angle, linspace(0, 360, C+1)) - 1, int64."""
    edges = np.linspace(0, 360, n_classes + 1)
    return (np.digitize(np.asarray(angles).reshape(-1), edges) - 1).astype(np.int64)


# --------------------------------------------------------------------------------------
# Models (state_dict names are the contract with neurocodec)
# --------------------------------------------------------------------------------------


class DeepNetReLU(nn.Module):
    """r (n, N) -> relu(in_layer) (n, H) -> out_layer (n, O): regression of the angle (O = 1)
    or of (cos, sin) of 2 pi angle / P (O = 2, the circular decoder)."""

    def __init__(self, n_inputs, n_hidden, n_outputs=1):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, n_outputs)

    def forward(self, r):
        return self.out_layer(torch.relu(self.in_layer(r)))


class DeepNetSoftmax(nn.Module):
    """r (n, N) -> relu(in_layer) (n, H) -> out_layer (n, C) -> log-softmax over classes."""

    def __init__(self, n_inputs, n_hidden, n_classes):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, n_classes)
        self.logprob = nn.LogSoftmax(dim=1)

    def forward(self, r):
        return self.logprob(self.out_layer(torch.relu(self.in_layer(r))))


class ConvFC(nn.Module):
    """s (n, 1, 12, 16) -> conv (n, C, 12, 16) -> flatten (n, C*192) -> out_layer (n, N)."""

    def __init__(self, n_neurons, c_in=1, c_out=6, K=7, b=12 * 16, init_filters=None):
        super().__init__()
        if K % 2 != 1:
            raise ValueError("ConvFC needs an odd kernel size")
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)
        self.n_features = c_out * b
        self.out_layer = nn.Linear(self.n_features, n_neurons)
        if init_filters is not None:
            self.conv.weight = nn.Parameter(init_filters)
            self.conv.bias = nn.Parameter(torch.zeros((c_out,), dtype=torch.float32))
        nn.init.normal_(self.out_layer.weight, std=0.01)

    def forward(self, s):
        a = self.conv(s)
        return self.out_layer(a.view(-1, self.n_features))


# --------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------


def penalized(loss, weight, l2, l1):
    """loss + l1*sum|W| + l2*sum W^2 when either factor is > 0 (the seed's condition)."""
    if l2 > 0 or l1 > 0:
        sq = l2 * torch.square(weight).sum()
        ab = l1 * torch.abs(weight).sum()
        loss = loss + (ab + sq)
    return loss


# --------------------------------------------------------------------------------------
# State dict <-> npz, JSON
# --------------------------------------------------------------------------------------


def _atomic_write(path, writer):
    """Write via a temporary file in the same folder, then rename into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp_", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def state_to_numpy(net):
    """Parameters of net as {state_dict name: float32 numpy copy}."""
    return {k: v.detach().cpu().numpy().astype(np.float32, copy=True)
            for k, v in net.state_dict().items()}


def save_state_npz(path, state):
    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **state)
    _atomic_write(path, write)


def load_state_npz(path, net):
    """Load an npz state_dict into net, checking names and shapes exactly."""
    expected = net.state_dict()
    with np.load(path, allow_pickle=False) as z:
        got = {k: z[k] for k in z.files}
    if set(got) != set(expected):
        raise ValueError(f"{path}: keys {sorted(got)} != expected {sorted(expected)}")
    tensors = {}
    for k, v in expected.items():
        if tuple(got[k].shape) != tuple(v.shape):
            raise ValueError(f"{path}: key {k} has shape {got[k].shape}, expected {tuple(v.shape)}")
        if not np.all(np.isfinite(got[k])):
            raise ValueError(f"{path}: key {k} has non-finite values")
        tensors[k] = torch.from_numpy(np.ascontiguousarray(got[k], dtype=np.float32))
    net.load_state_dict(tensors)


def save_losses_json(path, result):
    doc = {
        "train_loss": [float(x) for x in result["train_loss"]],
        "test_loss": [float(x) for x in result["test_loss"]],
        "seconds": float(result["seconds"]),
        "options": result["options"],
    }

    def write(tmp):
        with open(tmp, "w") as fh:
            json.dump(doc, fh, indent=1)
            fh.write("\n")
    _atomic_write(path, write)


def _progress_every(n_iter, parts):
    return max(1, n_iter // parts)


# --------------------------------------------------------------------------------------
# Decoder
# --------------------------------------------------------------------------------------


def load_decoder_data(path):
    """resp (n, N) float32 and stimuli (n,) float32 degrees from a resp/stimuli npz."""
    with np.load(path, allow_pickle=False) as z:
        if "resp" not in z.files:
            raise ValueError(f"{path}: no key 'resp' (a resp_train/resp_test file is for encode)")
        resp = np.asarray(z["resp"], dtype=np.float32)
        stimuli = np.asarray(z["stimuli"], dtype=np.float32).reshape(-1)
    if resp.ndim != 2 or resp.shape[0] != stimuli.shape[0]:
        raise ValueError(f"{path}: resp {resp.shape} and stimuli {stimuli.shape} disagree")
    return resp, stimuli


def load_split(path):
    with np.load(path, allow_pickle=False) as z:
        return (np.asarray(z["train_idx"], dtype=np.int64).reshape(-1),
                np.asarray(z["test_idx"], dtype=np.int64).reshape(-1))


def unit_targets(angles, period=360.0):
    """(n, 2) float32 [cos, sin] of 2 pi (angle mod P) / P, computed in float64."""
    phase = 2.0 * np.pi * np.remainder(np.asarray(angles, np.float64), period) / period
    return np.stack([np.cos(phase), np.sin(phase)], axis=1).astype(np.float32)


def run_decoder(resp, stimuli, train_idx, test_idx, model="classification", hidden=20,
                classes=20, iters=200, lr=0.1, l1=0.0, l2=0.0, seed=1, init_state=None,
                threads=None, verbose=True, extra_options=None, period=360.0):
    """Train a seed decoder from a seeded (or given) init; returns a dict with
    init_state, final_state, train_loss, test_loss, seconds, options.

    resp (n, N) float32, stimuli (n,) degrees, train_idx/test_idx int arrays.
    init_state: dict name -> array (overrides the seeded init) or a path to an npz.
    """
    if threads:
        torch.set_num_threads(int(threads))
    resp = np.asarray(resp, dtype=np.float32)
    stimuli = np.asarray(stimuli, dtype=np.float32).reshape(-1)
    train_idx = np.asarray(train_idx, dtype=np.int64)
    test_idx = np.asarray(test_idx, dtype=np.int64)
    n_neurons = resp.shape[1]

    x_train = torch.from_numpy(np.ascontiguousarray(resp[train_idx]))
    x_test = torch.from_numpy(np.ascontiguousarray(resp[test_idx]))
    torch.manual_seed(seed)
    if model == "regression":
        net = DeepNetReLU(n_neurons, hidden)
        base_loss = nn.MSELoss()
        # targets: a float32 column of angles in degrees, (n, 1)
        y_train = torch.from_numpy(np.ascontiguousarray(stimuli[train_idx]).reshape(-1, 1))
        y_test = torch.from_numpy(np.ascontiguousarray(stimuli[test_idx]).reshape(-1, 1))
        n_out = 1
    elif model == "circular":
        net = DeepNetReLU(n_neurons, hidden, 2)
        base_loss = nn.MSELoss()
        y_train = torch.from_numpy(unit_targets(stimuli[train_idx], period))
        y_test = torch.from_numpy(unit_targets(stimuli[test_idx], period))
        n_out = 2
    elif model == "classification":
        net = DeepNetSoftmax(n_neurons, hidden, classes)
        base_loss = nn.NLLLoss()
        y_train = torch.from_numpy(stimulus_class(stimuli[train_idx], classes))
        y_test = torch.from_numpy(stimulus_class(stimuli[test_idx], classes))
        n_out = classes
    else:
        raise ValueError(f"unknown decoder model {model!r}")

    init_source = "seed"
    if init_state is not None:
        if isinstance(init_state, (str, os.PathLike)):
            init_source = str(init_state)
            load_state_npz(init_state, net)
        else:
            init_source = "given"
            net.load_state_dict({k: torch.from_numpy(np.asarray(v, np.float32))
                                 for k, v in init_state.items()})
    init = state_to_numpy(net)

    def loss_of(out, target):
        return penalized(base_loss(out, target), net.in_layer.weight, l2, l1)

    optimizer = optim.SGD(net.parameters(), lr=lr)
    train_loss, test_loss = [], []
    every = _progress_every(iters, 5)
    t0 = time.perf_counter()
    for i in range(iters):
        loss = loss_of(net(x_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
        with torch.no_grad():
            test_loss.append(loss_of(net(x_test), y_test).item())
        if verbose and (i == 0 or (i + 1) % every == 0):
            print(f"iteration {i + 1}/{iters} | loss: {train_loss[-1]:.3f} | "
                  f"test_loss: {test_loss[-1]:.3f}", flush=True)
    seconds = time.perf_counter() - t0

    if verbose and model == "classification":
        with torch.no_grad():
            predicted = net(x_test).argmax(dim=1)
        frac = (predicted == y_test).double().mean().item()
        print(f">>> fraction correct = {frac:.3f}", flush=True)

    options = {
        "command": "decode",
        "model": model,
        "n_stimuli": int(resp.shape[0]),
        "n_neurons": int(n_neurons),
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
        "hidden": int(hidden),
        "classes": int(classes) if model == "classification" else None,
        "period": float(period),
        "outputs": int(n_out),
        "iters": int(iters),
        "lr": float(lr),
        "momentum": 0.0,
        "l1": float(l1),
        "l2": float(l2),
        "penalty_on": "in_layer.weight",
        "seed": int(seed),
        "init": init_source,
        "bin_width": 1,
        "threads": int(torch.get_num_threads()),
        "torch_version": torch.__version__,
        "dtype": "float32",
    }
    if extra_options:
        options.update(extra_options)
    return {"init_state": init, "final_state": state_to_numpy(net), "train_loss": train_loss,
            "test_loss": test_loss, "seconds": seconds, "options": options}


# --------------------------------------------------------------------------------------
# Encoder
# --------------------------------------------------------------------------------------


def load_encoder_data(path):
    """resp_train, resp_test (n, N) float32 and stimuli (n,) from a split npz."""
    with np.load(path, allow_pickle=False) as z:
        for key in ("resp_train", "resp_test", "stimuli"):
            if key not in z.files:
                raise ValueError(f"{path}: no key {key!r} (a resp/stimuli file is for decode)")
        resp_train = np.asarray(z["resp_train"], dtype=np.float32)
        resp_test = np.asarray(z["resp_test"], dtype=np.float32)
        stimuli = np.asarray(z["stimuli"], dtype=np.float32).reshape(-1)
    if resp_train.shape != resp_test.shape or resp_train.shape[0] != stimuli.shape[0]:
        raise ValueError(f"{path}: shapes {resp_train.shape}, {resp_test.shape}, "
                         f"{stimuli.shape} disagree")
    return resp_train, resp_test, stimuli


def run_encoder(resp_train, resp_test, stimuli, channels=6, kernel=7, iters=200, lr=2.0,
                momentum=0.9, l2=5e-4, l1=1e-6, filter_init="seed", seed=1, init_state=None,
                threads=None, verbose=True, extra_options=None):
    """Train ConvFC on gratings; returns a dict like run_decoder's."""
    if threads:
        torch.set_num_threads(int(threads))
    resp_train = np.asarray(resp_train, dtype=np.float32)
    resp_test = np.asarray(resp_test, dtype=np.float32)
    n_neurons = resp_train.shape[1]
    angles = encoder_angles(stimuli)
    x = torch.from_numpy(grating_stimuli(angles, res=0.025))    # (n, 1, 12, 16)
    y_train = torch.from_numpy(np.ascontiguousarray(resp_train))
    y_test = torch.from_numpy(np.ascontiguousarray(resp_test))

    torch.manual_seed(seed)
    if filter_init == "seed":
        bank = filters(channels, kernel)
    elif filter_init == "random":
        bank = None
    else:
        raise ValueError(f"unknown filter init {filter_init!r}")
    net = ConvFC(n_neurons, c_out=channels, K=kernel,
                 b=x.shape[2] * x.shape[3], init_filters=bank)

    init_source = "seed"
    if init_state is not None:
        if isinstance(init_state, (str, os.PathLike)):
            init_source = str(init_state)
            load_state_npz(init_state, net)
        else:
            init_source = "given"
            net.load_state_dict({k: torch.from_numpy(np.asarray(v, np.float32))
                                 for k, v in init_state.items()})
    init = state_to_numpy(net)

    def loss_of(pred, target):
        return penalized(nn.functional.mse_loss(pred, target), net.out_layer.weight, l2, l1)

    optimizer = optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    train_loss, test_loss = [], []
    every = _progress_every(iters, 10)
    t0 = time.perf_counter()
    for i in range(iters):
        loss = loss_of(net(x), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
        with torch.no_grad():
            test_loss.append(loss_of(net(x), y_test).item())
        if verbose and (i == 0 or (i + 1) % every == 0):
            print(f"iteration {i + 1}/{iters} | train loss: {train_loss[-1]:.4f} | "
                  f"test loss: {test_loss[-1]:.4f}", flush=True)
    seconds = time.perf_counter() - t0

    options = {
        "command": "encode",
        "n_stimuli": int(resp_train.shape[0]),
        "n_neurons": int(n_neurons),
        "channels": int(channels),
        "kernel": int(kernel),
        "image_shape": [int(x.shape[2]), int(x.shape[3])],
        "grating_res": 0.025,
        "grating_angles": "seed60" if resp_train.shape[0] == 60 else "stimuli",
        "filters": filter_init,
        "iters": int(iters),
        "lr": float(lr),
        "momentum": float(momentum),
        "l1": float(l1),
        "l2": float(l2),
        "penalty_on": "out_layer.weight",
        "out_weight_init_std": 0.01,
        "seed": int(seed),
        "init": init_source,
        "threads": int(torch.get_num_threads()),
        "torch_version": torch.__version__,
        "dtype": "float32",
    }
    if extra_options:
        options.update(extra_options)
    return {"init_state": init, "final_state": state_to_numpy(net), "train_loss": train_loss,
            "test_loss": test_loss, "seconds": seconds, "options": options}


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def write_outputs(result, args):
    if args.init_out:
        save_state_npz(args.init_out, result["init_state"])
    if args.final_out:
        save_state_npz(args.final_out, result["final_state"])
    if args.losses_out:
        save_losses_json(args.losses_out, result)
    bad = [i for i, v in enumerate(result["train_loss"]) if not np.isfinite(v)]
    if bad:
        print(f"warning: non-finite train loss from iteration {bad[0] + 1}", file=sys.stderr)
    print(f"trained {len(result['train_loss'])} iterations in {result['seconds']:.3f} s")


def _add_common(p):
    p.add_argument("--data", required=True, help="input .npz")
    p.add_argument("--iters", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--l1", type=float)
    p.add_argument("--l2", type=float)
    p.add_argument("--seed", type=int, default=1, help="torch.manual_seed before building the model")
    p.add_argument("--init-in", help="initial state_dict .npz (instead of the seeded init)")
    p.add_argument("--init-out", help="write the initial state_dict here (.npz)")
    p.add_argument("--final-out", help="write the final state_dict here (.npz)")
    p.add_argument("--losses-out", help="write train/test losses + options here (.json)")
    p.add_argument("--threads", type=int, help="torch.set_num_threads")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    d = sub.add_parser("decode", help="train a decoder (regression or classification)")
    _add_common(d)
    d.add_argument("--split", required=True, help=".npz with int train_idx, test_idx")
    d.add_argument("--model", choices=["regression", "classification", "circular"],
                   default="classification")
    d.add_argument("--period", type=float, default=360.0, help="circular: period in degrees")
    d.add_argument("--hidden", type=int, default=20)
    d.add_argument("--classes", type=int, default=20)
    d.set_defaults(iters=None, lr=None, l1=0.0, l2=0.0)

    e = sub.add_parser("encode", help="train the ConvFC encoder on gratings")
    _add_common(e)
    e.add_argument("--channels", type=int, default=6)
    e.add_argument("--kernel", type=int, default=7)
    e.add_argument("--momentum", type=float, default=0.9)
    e.add_argument("--filters", choices=["seed", "random"], default="seed")
    e.set_defaults(iters=200, lr=2.0, l1=1e-6, l2=5e-4)

    args = ap.parse_args(argv)
    if args.command == "decode":
        resp, stimuli = load_decoder_data(args.data)
        train_idx, test_idx = load_split(args.split)
        n = resp.shape[0]
        if (np.intersect1d(train_idx, test_idx).size or train_idx.min(initial=0) < 0
                or test_idx.min(initial=0) < 0 or train_idx.max(initial=0) >= n
                or test_idx.max(initial=0) >= n):
            ap.error(f"{args.split}: train_idx/test_idx must be disjoint and in [0, {n})")
        # the seed's defaults: regression 50 iterations at lr 1e-4; classification at lr 0.1
        iters = args.iters if args.iters is not None else (50 if args.model == "regression" else 1000)
        lr = args.lr if args.lr is not None else (1e-4 if args.model == "regression" else 0.1)
        result = run_decoder(resp, stimuli, train_idx, test_idx, model=args.model,
                             hidden=args.hidden, classes=args.classes, iters=iters, lr=lr,
                             l1=args.l1, l2=args.l2, seed=args.seed, init_state=args.init_in,
                             threads=args.threads, period=args.period,
                             extra_options={"data": args.data, "split": args.split})
    else:
        resp_train, resp_test, stimuli = load_encoder_data(args.data)
        result = run_encoder(resp_train, resp_test, stimuli, channels=args.channels,
                             kernel=args.kernel, iters=args.iters, lr=args.lr,
                             momentum=args.momentum, l2=args.l2, l1=args.l1,
                             filter_init=args.filters, seed=args.seed, init_state=args.init_in,
                             threads=args.threads, extra_options={"data": args.data})
    write_outputs(result, args)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, KeyError, OSError) as err:
        print(f"torch_reference: error: {err}", file=sys.stderr)
        sys.exit(2)
