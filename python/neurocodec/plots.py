"""The tutorial's figures as matplotlib functions; each returns its Figure.

matplotlib is imported when a function is called, not when neurocodec is imported.
"""
import numpy as np

from .analysis import circular_error, preferred_orientation, stimulus_order


def _plt():
    import matplotlib.pyplot as plt
    return plt


def plot_data(resp, stimuli, n_neurons=500):
    """Responses (stimuli sorted by angle) of the first neurons, as the tutorial's first figure."""
    plt = _plt()
    order = stimulus_order(stimuli)
    fig, ax = plt.subplots(figsize=(8, 4))
    im = ax.imshow(np.asarray(resp)[order, :n_neurons].T, aspect="auto", cmap="gray_r", vmin=-1, vmax=3,
                   extent=[0, len(order), n_neurons, 0])
    ax.set_xlabel("stimulus (sorted by angle)")
    ax.set_ylabel("neuron")
    fig.colorbar(im, ax=ax, label="z-scored response")
    return fig


def plot_losses(dec, ax=None):
    """Train (and test, when fitted with eval_set) loss per iteration."""
    plt = _plt()
    fig = ax.figure if ax is not None else plt.subplots(figsize=(5, 3.5))[0]
    ax = ax or fig.axes[0]
    ax.plot(dec.train_loss_, label="train")
    if getattr(dec, "test_loss_", None) is not None:
        ax.plot(dec.test_loss_, label="test")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.legend()
    return fig


def plot_weights(dec, resp, stimuli, ax=None):
    """in_layer.weight with neurons (columns) sorted by preferred orientation."""
    plt = _plt()
    _, order = preferred_orientation(resp, stimuli)
    w = dec.state_dict_["in_layer.weight"][:, order]
    fig = ax.figure if ax is not None else plt.subplots(figsize=(8, 3))[0]
    ax = ax or fig.axes[0]
    lim = np.percentile(np.abs(w), 99) or 1.0
    im = ax.imshow(w, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xlabel("neuron (sorted by preferred orientation)")
    ax.set_ylabel("hidden unit")
    fig.colorbar(im, ax=ax)
    return fig


def plot_hidden(dec, resp, stimuli, ax=None):
    """Hidden-unit activity per stimulus, stimuli sorted by angle."""
    plt = _plt()
    order = stimulus_order(stimuli)
    h = dec.hidden_activity(np.asarray(resp)[order])
    s = np.asarray(stimuli).reshape(-1)[order]
    fig = ax.figure if ax is not None else plt.subplots(figsize=(8, 3))[0]
    ax = ax or fig.axes[0]
    im = ax.imshow(h.T, aspect="auto", cmap="viridis", extent=[s[0], s[-1], h.shape[1], 0])
    ax.set_xlabel("stimulus orientation (deg)")
    ax.set_ylabel("hidden unit")
    fig.colorbar(im, ax=ax)
    return fig


def plot_decoding_errors(truth, decoded):
    """Decoded against true angle, and the histogram of circular errors."""
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(truth, decoded, ".", ms=4)
    a.plot([0, 360], [0, 360], "k--", lw=1)
    a.set_xlabel("true angle (deg)")
    a.set_ylabel("decoded angle (deg)")
    b.hist(circular_error(decoded, truth), bins=np.arange(-180, 181, 10))
    b.set_xlabel("decoding error (deg)")
    b.set_ylabel("stimuli")
    fig.tight_layout()
    return fig


def plot_filters(enc, initial=False):
    """The encoder's convolutional filters (trained, or the initial bank)."""
    plt = _plt()
    f = enc.conv_filters_init_ if initial else enc.conv_filters_
    fig, axes = plt.subplots(1, f.shape[0], figsize=(1.6 * f.shape[0], 1.8))
    for i, ax in enumerate(np.atleast_1d(axes)):
        lim = np.abs(f[i]).max() or 1.0
        ax.imshow(f[i], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_axis_off()
    return fig


def plot_encoder_fit(enc):
    """Per-neuron test correlation against the noise ceiling (needs fit with eval_set)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot(enc.noise_ceiling_, enc.test_corr_, ".", ms=2, alpha=0.4)
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlabel("noise ceiling")
    ax.set_ylabel("test correlation")
    return fig
