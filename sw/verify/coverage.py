"""Functional coverage of a cocotb bench: what the bench made the design do.

`Coverage` counts hits in named bins, grouped by category:

* ``packets in`` / ``packets out``: every flit the bench sent / received, by
  kind (SPIKE, WRITE, READ, READ_RESP, CTRL) — `Coverage.packet`;
* ``ctrl ops``: CTRL packets by op (STEP, DONE, STATUS_REQ, STATUS);
* ``memories``: WRITE / READ packets by memory (``WRITE SYNAPSE``, ...);
* ``back-pressure``: cycles a stream offered a flit that was refused, per
  stream (``host_in refused``: the design's input FIFO was full;
  ``tx held``: the bench held the design's output back);
* ``fifo full``: cycles a router input FIFO was full, per FIFO
  (`FabricSampler`, which looks inside the chip's Verilog);
* ``arbitration``: cycles two or more FIFO heads of one router wanted the
  same output (per router and output);
* ``error flags``: tile STATUS.FLAGS bits (`kilauea.hw.neurocore.core_memory
  .ErrorFlag`) and host-port status bits (HANG, REJECTED) seen in READ
  answers and STATUS packets.

A bench declares the bins it must reach with `expect` (e.g. that the core's
transmit stream was really held back); `missed` lists those never hit and
`summary` prints every category, count per bin, with ``MISSED`` bins last.
Reading it: a bin with a count says the bench drove the design there that
many times; a MISSED bin is a hole in the bench (a random seed that never
filled a FIFO, a kind of packet never sent), not a design bug.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from ..hw import packet
from ..hw.hostport import STATUS_HANG, STATUS_REJECTED
from ..hw.memory_map import Mem
from ..hw.neurocore.core_memory import ErrorFlag
from ..hw.router import Port, route_xy

__all__ = ["Coverage", "FabricSampler"]

PACKETS_IN, PACKETS_OUT = "packets in", "packets out"
CTRL_OPS, MEMORIES, BACK_PRESSURE = "ctrl ops", "memories", "back-pressure"
FIFO_FULL, ARBITRATION, ERROR_FLAGS = "fifo full", "arbitration", "error flags"


class Coverage:
    """Hit counts per (category, bin); see the module docstring."""

    def __init__(self, name: str = "bench"):
        self.name = name
        self.hits: dict[str, Counter] = defaultdict(Counter)
        self.expected: set[tuple[str, str]] = set()

    def hit(self, category: str, bin_: str, n: int = 1) -> None:
        if n:
            self.hits[category][bin_] += n

    def count(self, category: str, bin_: str) -> int:
        return self.hits.get(category, Counter()).get(bin_, 0)

    def expect(self, category: str, *bins: str) -> None:
        """Bins the bench must reach (listed by `missed` until hit)."""
        self.expected |= {(category, b) for b in bins}

    def missed(self) -> list[tuple[str, str]]:
        return sorted((c, b) for c, b in self.expected if not self.count(c, b))

    # -- samplers for what the drivers see --------------------------------------
    def packet(self, direction: str, word: int) -> None:
        """One flit sent (`direction` ``"in"``) or received (``"out"``)."""
        p = packet.decode(word)
        self.hit(PACKETS_IN if direction == "in" else PACKETS_OUT, p.KIND.name)
        if isinstance(p, packet.Ctrl):
            self.hit(CTRL_OPS, p.op.name)
        elif isinstance(p, (packet.Write, packet.Read)):
            try:
                mem = Mem(p.mem).name
            except ValueError:
                mem = f"mem {p.mem}"
            self.hit(MEMORIES, f"{p.KIND.name} {mem}")

    def flags(self, flags: int) -> None:
        """A tile's STATUS.FLAGS word (each set bit is an `ErrorFlag`)."""
        for f in ErrorFlag:
            if flags >> int(f) & 1:
                self.hit(ERROR_FLAGS, f.name)

    def host_status(self, word: int) -> None:
        """A host-port status word (`kilauea.hw.hostport.decode_status`)."""
        self.hit(ERROR_FLAGS, "HOST HANG", bool(word & STATUS_HANG))
        self.hit(ERROR_FLAGS, "HOST REJECTED", bool(word & STATUS_REJECTED))

    def streams(self, *streams) -> None:
        """Back-pressure totals of `StreamSource` (refused offers) and
        `StreamSink` (flits held back) objects, at the end of a bench."""
        for s in streams:
            n = getattr(s, "stalls", None)
            if n is None:
                self.hit(BACK_PRESSURE, f"{s.name} held", s.refused)
            else:
                self.hit(BACK_PRESSURE, f"{s.name} refused", n)

    # -- the report ---------------------------------------------------------------
    def summary(self) -> str:
        """Every category with its bins and counts; MISSED bins at the end."""
        lines = [f"functional coverage of {self.name}:"]
        for cat in sorted(self.hits):
            bins = self.hits[cat]
            body = ", ".join(f"{b} {n}" for b, n in sorted(bins.items()))
            lines.append(f"  {cat:<13} {body}")
        miss = self.missed()
        lines.append("  MISSED        " + (", ".join(f"{c}: {b}" for c, b in miss) if miss
                                          else "none (every expected bin was hit)"))
        return "\n".join(lines)


class FabricSampler:
    """Samples a NoC or chip Verilog's router FIFOs every cycle (call it
    from `CycleLoop.run`'s `after`): a FIFO at ``level == depth`` is a
    ``fifo full`` hit; two or more FIFO heads of one router routed to the
    same output (`kilauea.hw.router.route_xy`) are an ``arbitration`` hit.

    `routers` are (x, y, router instance handle); `of_mesh` finds them in a
    mesh instance (``dut.mesh`` in the chip and NoC tops) by their instance
    names (``router_X_Y``), and each router's FIFOs by theirs (``fifo_P``);
    `found` says how many FIFOs were found.

    A head that is not all 0/1 is left out (Icarus pitfall: Amaranth's
    ``always @*`` blocks run only on a change of their inputs, so a FIFO
    whose first flit is the all-zero word shows X at its head, while its
    slot already held 0; benches avoid the all-zero flit)."""

    def __init__(self, routers, depth: int, cov: Coverage):
        self.cov, self.depth = cov, depth
        self.routers = []
        for x, y, r in routers:
            fifos = []
            for p in Port:
                f = getattr(r, f"fifo_{p.name}", None)
                if f is not None:
                    fifos.append((p, f.level, f.r__valid, f.r__payload))
            self.routers.append((x, y, fifos))

    @classmethod
    def of_mesh(cls, mesh, mesh_w: int, mesh_h: int, depth: int, cov: Coverage) -> "FabricSampler":
        return cls([(x, y, getattr(mesh, f"router_{x}_{y}")) for y in range(mesh_h)
                    for x in range(mesh_w)], depth, cov)

    @property
    def found(self) -> int:
        return sum(len(f) for _, _, f in self.routers)

    def __call__(self) -> None:
        for x, y, fifos in self.routers:
            heads = []
            for p, level, valid, payload in fifos:
                if int(level.value) >= self.depth:
                    self.cov.hit(FIFO_FULL, f"router ({x},{y}) {p.name}")
                if int(valid.value) and payload.value.is_resolvable:
                    heads.append(int(payload.value))
            if len(heads) > 1:
                outs = Counter(route_xy(x, y, *_dst(w)) for w in heads)
                for o, n in outs.items():
                    if n > 1:
                        self.cov.hit(ARBITRATION, f"router ({x},{y}) -> {o.name}")


def _dst(word: int) -> tuple[int, int, bool]:
    d = packet.decode(word).dst
    return d.x, d.y, d.host
