"""Writes applier_reference.npz: lava-nc 0.10's own rule appliers (float and
bit-approximate) on seeded random connection states, for the rules in RULES.
test_applier_reference.py holds kilauea.learning to these numbers, without lava-nc.

Run once with lava-nc 0.10 installed (its Python 3.10 venv):
    python tests/sw/learning/reference/make_applier_reference.py
"""
import pathlib

import numpy as np
from lava.magma.core.learning.learning_rule_applier import (LearningRuleApplierBitApprox,
                                                            LearningRuleApplierFloat)
from lava.magma.core.learning.product_series import ProductSeries
from lava.magma.core.learning.symbolic_equation import SymbolicEquation

RULES = [
    "x0*(-1)*2^-1*y1 + y0*1*2^1*x1",
    "x0*w*d*t*y1*y2 - y0*(x1-3)*(t+2)*2^4",
    "u3*(w+2^-1)*y3*7*2^-3 + y0*sgn(t-5)*d",
    "y0*t*w*x2*2^8*7",
    "x0*2^-7*y1*y2*y3 - 3*2^-2*y0*(5-x2)",
    "2^-2*x0*y1 - 2^-2*y0*x1 + u0*sgn(w+4)*2^-3",
    "-u0*t*2^-1 + x0*(y1+2^-2)*6 - y0*x0*x1*x2",
    "y0*(d+100)*(w-100)*(t+7*2^4)*4",
]
TRACES = ("x1", "x2", "y1", "y2", "y3")
FIXED_TRIALS, FLOAT_TRIALS = 6, 3


def _uniform(rng, lo, hi, shape):
    """Floats on a 1/64 grid (compress well; still exercise the float rounding)."""
    return np.round(rng.uniform(lo, hi, shape) * 64) / 64


def draw_state(rng, shape, fixed):
    n_post, n_pre = shape
    state = dict(x0=rng.random((1, n_pre)) < 0.6, y0=rng.random((n_post, 1)) < 0.6,
                 u=np.array(int(rng.integers(0, 2))))
    for name in ("weights", "tag_2", "tag_1"):
        state[name] = (rng.integers(-600, 601, shape) if fixed
                       else _uniform(rng, -300, 300, shape))
    for t in TRACES:
        for dep in ("x0", "y0", "u"):
            state[f"{t}_{dep}"] = (rng.integers(0, 128, shape) if fixed
                                   else _uniform(rng, 0, 128, shape))
    return state


def main():
    """Each trial: (kind, rule index, n_post, n_pre) in `trials`; every state array
    and the init and result arrays, flattened, concatenated per key in trial order."""
    rng = np.random.default_rng(20261207)
    trials, columns = [], {}
    for r, rule in enumerate(RULES):
        series = ProductSeries(SymbolicEquation("dw", rule))
        # lava-nc's float applier cannot read a dependency as a later factor (y0*x0)
        float_trials = 0 if any(f.state_var in ("x0", "y0") for p in series.products
                                for f in p.factors) else FLOAT_TRIALS
        for kind, count in (("fixed", FIXED_TRIALS), ("float", float_trials)):
            for _ in range(count):
                shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
                state = draw_state(rng, shape, kind == "fixed")
                args = {key: (int(v) if key == "u" else v) for key, v in state.items()}
                if kind == "fixed":
                    init = args["weights"] << 7
                    result = LearningRuleApplierBitApprox(series).apply(init, shape=shape,
                                                                        **args)
                else:
                    init = args["weights"]
                    result = LearningRuleApplierFloat(series).apply(init, np=np, **args)
                trials.append((kind == "float", r, *shape))
                state.update(init=init, result=np.broadcast_to(result, shape))
                for key, value in state.items():
                    columns.setdefault(f"{kind}/{key}", []).append(
                        np.asarray(value, dtype=float if kind == "float" else np.int64).ravel())
    out = {key: np.concatenate(parts) for key, parts in columns.items()}
    out.update(rules=np.array(RULES), trials=np.array(trials, dtype=np.int64))
    path = pathlib.Path(__file__).with_name("applier_reference.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({len(trials)} trials)")


if __name__ == "__main__":
    main()
