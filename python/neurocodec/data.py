"""The tutorial's data: its two file formats, and the built-in simulated population."""
import os

from . import _core


def load(path):
    """Reads either tutorial file format with the CLI's checks and messages.

    Returns {"resp", "stimuli"} (W3D4_stringer_oribinned1.npz) or {"resp_train", "resp_test",
    "stimuli"} (W3D4_stringer_oribinned6_split.npz): float32 arrays, angles in degrees.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    return _core.load(path)


def simulate(neurons=23589, trials=4320, seed=1, bin_width=None, split=False, single_trials=False):
    """The built-in simulated V1 population in the tutorial's formats.

    split=False: {"resp" (n_bins, neurons), "stimuli"}, binned into `bin_width`-degree bins
    (default 1, the tutorial's 360 bins). split=True: {"resp_train", "resp_test", "stimuli"},
    two disjoint halves of the trials binned into `bin_width` (default 6: 60 bins).
    single_trials=True: {"resp" (trials, neurons), "stimuli"}, the trials before binning (each
    neuron z-scored across them), as `neurocodec simulate --single-trials` writes them; the
    input of discrimination_threshold. The defaults are the data the CLI uses when given no
    --data.
    """
    return _core.simulate(int(neurons), int(trials), int(seed), None if bin_width is None else float(bin_width),
                          bool(split), bool(single_trials))
