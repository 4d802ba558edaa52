import os
import shutil

import numpy as np
import pytest

import neurocodec as nc


@pytest.fixture(scope="session")
def small():
    """A small simulated population: 360 one-degree bins of 200 neurons."""
    d = nc.simulate(neurons=200, trials=1440, seed=3)
    return d["resp"], d["stimuli"]


@pytest.fixture(scope="session")
def small_split(small):
    resp, stim = small
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(stim))
    tr, te = np.sort(perm[:216]), np.sort(perm[216:])
    return resp[tr], stim[tr], resp[te], stim[te], tr, te


@pytest.fixture(scope="session")
def cli():
    """The CLI built next to the module (ctest sets NEUROCODEC_CLI)."""
    path = os.environ.get("NEUROCODEC_CLI")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "neurocodec")
    if not os.path.exists(path):
        pytest.skip("the neurocodec CLI is not built (set NEUROCODEC_CLI)")
    return path
