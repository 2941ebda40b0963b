"""Garbage-packet injection for bench/fuzz.py: random malformed packets put
into the chip RTL (the compiled engine, or pysim where it cannot run) between
steps and among a step's own flits, at random cycles, through the engines'
public `inject` / `step_injecting` (docs/engines.md, "Fault injection").

A packet is **harmful** when the injected run differs from the same run
without it: a host-bound spike of any step, or any memory word of any tile
after an injection or at the end (STATUS and COUNTERS aside: error flags and
traffic counts are meant to change). Each harmful packet (found alone: the
run is repeated with each packet of a network by itself) is written under
`--out` as ``inject-<seed>-<k>.json`` (the network, the packet, where and
when it was sent), which ``bench/fuzz.py --repro`` reruns.

Garbage is what the chip's rules say must change nothing: packets the host
port refuses (kinds 5..7, a tile off the mesh, a READ whose answer does not
go to the host, CTRL other than STATUS_REQ to a tile, anything but STEP /
STATUS_REQ / the cycle-bound WRITE to the host port), packets a tile flags
and drops (unknown memory, address past a memory, WRITE to a read-only word,
a READ_RESP, an axon past the axon table), and packets that have no effect
(READ and STATUS_REQ answered to the host, a spike to an axon with no
synapses, with any payload and step field). A well-formed WRITE or a spike
to a live axon is input, not garbage (a spike with another step field is
input for another step: the chip does not check it), and is never drawn.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import typing as ty

import numpy as np

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import compartment_memory as ncm
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.params import ChipParams

CATEGORIES = ("bad kind", "off mesh", "to host", "ctrl to tile", "status request",
              "read reply to a tile", "bad memory", "address past memory",
              "write to read-only", "stray read", "stray answer", "axon past table",
              "idle axon", "random word")
NOT_COMPARED = (Mem.STATUS, Mem.COUNTERS)


@dataclasses.dataclass(frozen=True)
class Shot:
    """One injected packet: `flit` (64 bits), its `category`, the step `t`
    it goes with, `during` (False: before step t, between steps; True: among
    step t's flits after the first `position` of them), `delay` idle edges
    before it."""
    flit: int
    category: str
    t: int
    during: bool
    position: int
    delay: int


def mem_depths(params: ChipParams) -> dict[Mem, int]:
    """Words of every memory of a tile."""
    d = dict(cm.mem_words(params))
    n = ncm.memory_depths(params)
    d.update({Mem.STATE: n["state"], Mem.PARAM: n["param"], Mem.PROFILE: n["profile"],
              Mem.UCODE: n["ucode"]})
    return d


def live_axons(images, tile) -> np.ndarray:
    """Axons of `tile` with synapses (count > 0) in the compiled images."""
    words = np.asarray(images.get(tile, {}).get(Mem.AXON, np.zeros(0)), dtype=np.int64)
    if not words.size:
        return np.zeros(0, np.int64)
    return np.flatnonzero(cm.unpack_axon(words)["count"] > 0)


def _f(kind, x=0, y=0, host=0, **body) -> int:
    """A flit from raw field values (no checks beyond the field widths)."""
    kind_name = {0: "spike", 1: "write", 2: "read", 3: "read_resp", 4: "ctrl"}.get(kind)
    word = kind | (x << 3) | (y << 7) | (host << 11)
    for name, value in body.items():
        off, width, _ = packet.field_span("body", kind_name, *name.split("__"))
        word |= (int(value) & ((1 << width) - 1)) << off
    return word


def _access(rng, params: ChipParams) -> tuple[int, dict]:
    """A WRITE or READ (answer to the host) at a random memory and address:
    (kind, body fields)."""
    r = lambda n: int(rng.integers(0, n))     # noqa: E731
    if rng.random() < 0.5:
        return 1, dict(mem=r(16), addr=r(1 << 16), data=r(1 << 32))
    return 2, dict(mem=r(16), addr=r(1 << 16), tag=0, reply__host=1)


def _draw(rng, cat: str, params: ChipParams, live: dict) -> ty.Optional[int]:
    """A flit of category `cat` (None when the chip shape leaves none)."""
    w, h, r = params.mesh_w, params.mesh_h, lambda n: int(rng.integers(0, n))
    x, y = r(w), r(h)
    depths = mem_depths(params)
    mem = Mem(int(rng.choice([m.value for m in depths])))
    if cat == "bad kind":
        return int(rng.integers(5, 8)) | (r(1 << 61) << 3)
    if cat == "off mesh":
        x, y = (r(16 - w) + w, r(16)) if w < 16 and rng.random() < 0.5 else (r(16), r(16 - h) + h)
        if y < h and x < w:
            return None
        kind, body = _access(rng, params) if rng.random() < 0.6 else (
            0, dict(axon=r(1 << 16), payload=r(1 << 24)))
        return _f(kind, x, y, **body)
    if cat == "to host":
        k = int(rng.choice([0, 3, 4, 1]))
        if k == 4:
            return _f(4, host=1, op=int(rng.choice([1, 3] + list(range(4, 16)))), arg=r(1 << 32))
        if k == 1:
            return _f(1, host=1, mem=r(16), addr=1 + r((1 << 16) - 1), data=r(1 << 32))
        return _f(k, r(16), r(16), 1, axon=r(1 << 16)) if k == 0 else _f(3, host=1, data=r(1 << 32))
    if cat == "ctrl to tile":
        return _f(4, x, y, op=int(rng.choice([0, 1, 3] + list(range(4, 16)))), arg=r(1 << 32))
    if cat == "status request":
        return _f(4, x, y, host=int(rng.integers(0, 2)), op=2)
    if cat == "read reply to a tile":
        return _f(2, x, y, mem=mem.value, addr=r(depths[mem]), reply__x=r(w), reply__y=r(h))
    if cat == "bad memory":
        kind, body = _access(rng, params)
        return _f(kind, x, y, **dict(body, mem=r(16 - len(Mem)) + len(Mem)))
    if cat == "address past memory":
        if depths[mem] >= 1 << 16:
            return None
        kind, body = _access(rng, params)
        return _f(kind, x, y, **dict(body, mem=mem.value,
                                     addr=depths[mem] + r((1 << 16) - depths[mem])))
    if cat == "write to read-only":
        ro = [(Mem.COUNTERS, r(len(cm.Counter))), (Mem.CONFIG, int(cm.Config.TILE))]
        m, a = ro[r(2)]
        return _f(1, x, y, mem=m.value, addr=a, data=r(1 << 32))
    if cat == "stray read":
        return _f(2, x, y, mem=mem.value, addr=r(depths[mem]), tag=0, reply__host=1)
    if cat == "stray answer":
        return _f(3, x, y, data=r(1 << 32), tag=r(256), src_x=r(16), src_y=r(16))
    if cat == "axon past table":
        if params.n_axons >= 1 << 16:
            return None
        return _f(0, x, y, axon=params.n_axons + r((1 << 16) - params.n_axons),
                  payload=r(1 << 24), step=r(256))
    if cat == "idle axon":
        idle = np.setdiff1d(np.arange(params.n_axons), live.get((x, y), []))
        return _f(0, x, y, axon=int(rng.choice(idle)), payload=r(1 << 24), step=r(256))
    word = r(1 << 63) | (r(2) << 63)               # random word
    return word if is_garbage(word, params, live) else None


def is_garbage(word: int, params: ChipParams, live: dict) -> bool:
    """`word` is one the chip must refuse, flag or answer without a change
    (the module's rules); False for input that may change the chip."""
    kind, x, y, host = word & 7, (word >> 3) & 15, (word >> 7) & 15, (word >> 11) & 1
    if kind > 4:
        return True
    if host:
        if kind == 4:
            return packet.decode_field(np.uint64(word), "body", "ctrl", "op") != 0
        return not (kind == 1 and packet.decode_field(np.uint64(word), "body", "write", "addr") == 0
                    and packet.decode_field(np.uint64(word), "body", "write", "mem") == 0)
    if x >= params.mesh_w or y >= params.mesh_h:
        return True
    if kind == 0:
        axon = int(packet.decode_field(np.uint64(word), "body", "spike", "axon"))
        return axon not in set(np.asarray(live.get((x, y), [])).tolist())
    if kind == 1:
        mem = int(packet.decode_field(np.uint64(word), "body", "write", "mem"))
        addr = int(packet.decode_field(np.uint64(word), "body", "write", "addr"))
        depths = mem_depths(params)
        if mem not in [m.value for m in depths] or addr >= depths[Mem(mem)]:
            return True
        return Mem(mem) in (Mem.COUNTERS, Mem.STATUS) or (Mem(mem) == Mem.CONFIG
                                                          and addr == int(cm.Config.TILE))
    return True        # READ (answered or refused), READ_RESP (flagged), CTRL (refused or answered)


def draw_shots(rng, params: ChipParams, images, steps: int, n: int) -> list[Shot]:
    """`n` random garbage packets at random steps, places and delays."""
    live = {t: live_axons(images, t) for t in params.tiles()}
    shots = []
    while len(shots) < n:
        cat = str(rng.choice(CATEGORIES))
        flit = _draw(rng, cat, params, live)
        if flit is None:
            continue
        shots.append(Shot(int(flit), cat, int(rng.integers(1, steps + 1)),
                          bool(rng.random() < 0.5), int(rng.integers(0, 64)),
                          int(rng.integers(0, 200)) if rng.random() < 0.7 else 0))
    return sorted(shots, key=lambda s: (s.t, s.during))


# ------------------------------------------------------------ running
@dataclasses.dataclass
class Trace:
    """A run on the RTL: host-bound spikes per step (sorted (axon, payload)),
    memory snapshots (before and after the steps in `snap_steps`), every flit the chip
    answered to injected packets, and each tile's STATUS.FLAGS at the end."""
    spikes: list
    snaps: list
    answers: list
    flags: list


def compared(params: ChipParams, images, shots: ty.Sequence[Shot]) -> dict:
    """The memory words a snapshot reads, per (tile, memory): every word of
    the network's images, the accumulators of every slot and group of the
    tile's compartments, and every word an injected packet's address reaches
    in any memory of its tile (the address modulo the memory's depth)."""
    depths = mem_depths(params)
    out = {}
    for tile in params.tiles():
        imgs = images.get(tile, {})
        hits = [int(packet.decode_field(np.uint64(s.flit), "body", "write", "addr"))
                for s in shots if s.flit & 7 in (1, 2) and not s.flit >> 11 & 1
                and ((s.flit >> 3) & 15, (s.flit >> 7) & 15) == tile]
        n_comp = int(np.asarray(imgs.get(Mem.CONFIG, [0]))[0]) if Mem.CONFIG in imgs else 0
        for mem, depth in depths.items():
            if mem in NOT_COMPARED:
                continue
            a = [np.arange(min(len(np.asarray(imgs.get(mem, []))), depth)),
                 np.array(hits, np.int64) % depth]
            if mem == Mem.ACCUM and n_comp:
                s_, r_ = np.meshgrid(np.arange(params.n_delay_slots), np.arange(params.acc_rows))
                a.append(np.ravel(cm.acc_addr(params, s_, r_)))
            if mem == Mem.CONFIG:
                a.append(np.arange(depth))
            out[tile, mem] = np.unique(np.concatenate(a).astype(np.int64))
    return out


def snapshot(eng, where: dict) -> dict:
    """The words `where` names (READ packets)."""
    return {key: eng.read_words(key[0], key[1], a) for key, a in where.items() if a.size}


def run_rtl(cn, engine: str, steps: int, host_values, shots: ty.Sequence[Shot], where: dict,
            snap_steps: ty.Collection[int]) -> Trace:
    """Run compiled network `cn` on a fresh RTL engine with `shots` injected;
    snapshots of `where` before (after the step's between-step injections)
    and after each step of `snap_steps`."""
    from kilauea.sim.engines import make_engine
    eng = make_engine(engine, cn.params, max_cycles=100_000)
    try:
        eng.load_images(cn.images)
        tr = Trace([], [], [], [])
        for t in range(1, steps + 1):
            mine = [s for s in shots if s.t == t]
            for s in (s for s in mine if not s.during):
                tr.answers.extend(eng.inject([s.flit], delay=s.delay).tolist())
            if t in snap_steps:
                tr.snaps.append(snapshot(eng, where))
            flits = [hi.flits(t, host_values(hi, t)) for hi in cn.inputs]
            inputs = np.concatenate(flits) if flits else None
            during = [s for s in mine if s.during]
            if during:
                n_own = (0 if inputs is None else len(inputs)) + 1
                res, ans = eng.step_injecting(t, inputs, [s.flit for s in during],
                                              min(during[0].position, n_own), during[0].delay)
                tr.answers.extend(ans.tolist())
            else:
                res = eng.step(t, inputs)
            tr.spikes.append(sorted(zip(res.host_axon.tolist(), res.host_payload.tolist())))
            if t in snap_steps:
                tr.snaps.append(snapshot(eng, where))
        tr.flags = eng.read_status(cn.params.tiles())[:, 0].tolist()
        return tr
    finally:
        eng.close()


def flag_names(flags: ty.Iterable[int]) -> list[str]:
    """Names of the ErrorFlag bits set in any of `flags`."""
    acc = 0
    for f in flags:
        acc |= int(f)
    return [e.name for e in cm.ErrorFlag if acc >> e.value & 1]


def harm(clean: Trace, dirty: Trace) -> ty.Optional[str]:
    """How `dirty` differs from `clean` (None: it does not)."""
    for t, (a, b) in enumerate(zip(clean.spikes, dirty.spikes), 1):
        if a != b:
            return f"host-bound spikes of step {t} differ: {a[:4]} vs {b[:4]}"
    if packet.Kind.SPIKE.value in [int(f) & 7 for f in dirty.answers]:
        return "a spike came back to the host outside a step"
    for sa, sb in zip(clean.snaps, dirty.snaps):
        for key, words in sa.items():
            d = np.flatnonzero(words != sb[key])
            if d.size:
                (x, y), mem = key
                return (f"tile ({x},{y}) {mem.name}: word #{int(d[0])} of the compared ones "
                        f"{int(words[d[0]])} vs {int(sb[key][d[0]])} ({d.size} differ)")
    return None


@dataclasses.dataclass(frozen=True)
class InjectResult:
    """One network's injection: packets sent, harmful ones, coverage keys."""
    injected: int
    harmful: int
    coverage: tuple


def inject_check(cn, engine: str, steps: int, host_values, rng, n_max: int,
                 net_json: str, out: ty.Optional[pathlib.Path]) -> InjectResult:
    """Inject 1..n_max garbage packets into one network's run; compare with
    the clean run; find each harmful packet alone and write its reproduction."""
    shots = draw_shots(rng, cn.params, cn.images, steps, int(rng.integers(1, n_max + 1)))
    where = compared(cn.params, cn.images, shots)
    snap_steps = {s.t for s in shots} | {steps}
    clean = run_rtl(cn, engine, steps, host_values, [], where, snap_steps)
    dirty = run_rtl(cn, engine, steps, host_values, shots, where, snap_steps)
    cov = [f"inject {s.category}{' (during a step)' if s.during else ''}" for s in shots]
    cov += [f"inject raised flag {f}" for f in flag_names(dirty.flags)]
    cov += [f"inject answered with {packet.Kind(f & 7).name}"
            + (" STATUS" if f & 7 == 4 and _ctrl_op(f) == packet.CtrlOp.STATUS.value else "")
            for f in dirty.answers if f & 7 <= 4]
    why = harm(clean, dirty)
    harmful = 0
    if why is not None:
        alone = [(s, harm(clean, run_rtl(cn, engine, steps, host_values, [s], where, snap_steps)))
                 for s in shots]
        found = [(s, w) for s, w in alone if w is not None] or [(shots[0], why + " (together)")]
        for k, (s, w) in enumerate(found):
            harmful += 1
            print(f"  HARMFUL packet {hex(s.flit)} ({s.category}) at step {s.t}: {w}", flush=True)
            if out is not None:
                write_inject_repro(out, net_json, s, engine, w, k)
    return InjectResult(len(shots), harmful, tuple(cov))


def _ctrl_op(f: int) -> int:
    return int(packet.decode_field(np.uint64(f), "body", "ctrl", "op"))


def write_inject_repro(folder: pathlib.Path, net_json: str, shot: Shot, engine: str,
                       why: str, k: int) -> pathlib.Path:
    """A reproduction of one harmful packet (network + packet + where/when)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"inject-{json.loads(net_json)['seed']}-{k}.json"
    path.write_text(json.dumps({"engine": engine, "inject": dataclasses.asdict(shot),
                                "flit_hex": hex(shot.flit), "difference": why,
                                "net": json.loads(net_json)}, indent=1))
    return path


def rerun_inject(cn, engine: str, steps: int, host_values, shot: Shot) -> ty.Optional[str]:
    """Rerun a reproduction: the difference one packet makes (None: none)."""
    where = compared(cn.params, cn.images, [shot])
    snap = {shot.t, steps}
    return harm(run_rtl(cn, engine, steps, host_values, [], where, snap),
                run_rtl(cn, engine, steps, host_values, [shot], where, snap))
