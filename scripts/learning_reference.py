"""Write the lava-nc 0.10 reference results of kilauea's plastic networks.

Run with lava-nc's Python (lava-nc installs only on Python 3.10)::

    /path/to/lava-venv/bin/python scripts/learning_reference.py [NAME ...]

For each network of ``tests/sw/learning_models/nets/networks.py`` (all by default)
it runs lava-nc's fixed-point (bit-approximate) models and writes
``tests/sw/learning_models/data/<name>.npz``: the weights, tags and traces after every
chunk of steps and the post-synaptic spikes of every step, with the lava-nc version
and the seed. ``tests/sw/learning_models/test_reference.py`` runs the same networks on
kilauea and requires the same numbers, bit for bit.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1] / "tests" / "sw" / "learning_models"
NETWORKS = HERE / "nets" / "networks.py"
DATA = HERE / "data"
SEED = 2026


def load_networks():
    """The networks module, registered in ``sys.modules`` (lava-nc finds a Process's
    models in the module that defines it)."""
    spec = importlib.util.spec_from_file_location("learning_networks", NETWORKS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="networks to run (default: all)")
    args = parser.parse_args(argv)
    nets = load_networks()
    if nets.PREFIX != "lava":
        parser.error("run this with lava-nc's Python: it imports kilauea here")
    from importlib.metadata import version
    lava_version = version("lava-nc")
    DATA.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(nets.NETWORKS):
        result = nets.run(name, seed=SEED)
        np.savez_compressed(DATA / f"{name}.npz", lava_nc=np.array(lava_version),
                            seed=np.array(SEED), **result)
        print(f"{name}: {result['spikes'].sum()} post spikes, weights "
              f"{result['weights'].shape} -> {DATA / (name + '.npz')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
