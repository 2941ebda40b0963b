"""cocotb bench: the 2x2 NoC with its host port (Verilog from
`kilauea.hw.export --part noc`), built from `kilauea.verify`.

Python models the four cores on the tile slots: they take flits with random
backpressure, keep a word memory (WRITE / READ answered with READ_RESP),
send random spikes to tiles and to the host, and on CTRL STEP(t) record
step_seen = t, stay busy a random time and send a burst of spikes. The host
drives spikes, writes and reads through the host port while everything runs,
then steps. Checked: every spike exactly once, at the right place, in order
per (source, destination), and every read answered with the last written
word, in order per tile (`InOrderScoreboard`); DONE(t) only after every
host-bound spike of step t, with every core idle. Coverage: packet kinds, the
host port's back-pressure, FIFO-full and arbitration events in the routers.
"""
import os

import cocotb

from kilauea.hw import packet
from kilauea.hw.packet import HOST, Ctrl, CtrlOp, Dest, Read, ReadResp, Spike, Write
from kilauea.verify import Coverage, Expected, InOrderScoreboard
from kilauea.verify.coverage import ARBITRATION, FIFO_FULL, FabricSampler
from kilauea.verify.streams import BackPressure, CycleLoop, StreamSink, StreamSource, bench_rng

W, H = 2, 2
TILES = [(x, y) for y in range(H) for x in range(W)]
HOST_SID = 0xFFFF
DEPTH = 2


class Spikes:
    """Spikes made for the scoreboard: axon = source id, payload = sequence
    number, checked in order per (source, destination)."""

    def __init__(self, sb: InOrderScoreboard, cov: Coverage):
        self.sb, self.cov = sb, cov
        self.seq = {}

    def make(self, sid: int, dst: Dest) -> int:
        n = self.seq.get(sid, 1)        # from 1: never the all-zero flit
        self.seq[sid] = n + 1
        word = Spike(dst=dst, axon=sid, payload=n).encode()
        self.sb.expect(str(dst), Expected(str(sid), word))
        self.cov.packet("in", word)
        return word


def sid(x, y):
    return y * 16 + x


class Core:
    def __init__(self, dut, x, y, rng, sb, loop):
        self.x, self.y = x, y
        self.rng, self.sb = rng, sb
        pre = f"tiles__{x}__{y}"
        self.tx = StreamSource(dut, f"{pre}__tx")
        self.rx = StreamSink(dut, f"{pre}__rx", self.take, ready_fn=BackPressure(rng, 0.8, 4))
        self.idle = getattr(dut, f"{pre}__idle")
        self.step_sig = getattr(dut, f"{pre}__step_seen")
        self.mem = {}
        self.busy = 0
        self.emit = 0
        self.step_seen = 0
        loop.add(self.tx, self.rx)

    def take(self, word):
        p = packet.decode(word)
        if isinstance(p, Spike):
            self.sb.sb.got(str(Dest(self.x, self.y)), word)
        elif isinstance(p, Write):
            self.mem[p.mem, p.addr] = p.data
        elif isinstance(p, Read):
            self.busy = max(self.busy, 2)
            self.tx.queue.append(ReadResp(p.reply, data=self.mem.get((p.mem, p.addr), 0),
                                          tag=p.tag, src_x=self.x, src_y=self.y).encode())
            self.sb.cov.packet("in", self.tx.queue[-1])
        elif isinstance(p, Ctrl) and p.op == CtrlOp.STEP:
            self.step_seen = p.arg
            # a neuron phase, then the fan-out: the core turns idle as soon as
            # its last spike enters the mesh, while that spike is still in flight
            self.busy = self.rng.randrange(1, 30)
            self.emit = self.rng.randrange(4)
        else:
            self.sb.sb.error(f"tile ({self.x},{self.y}) got unexpected {p}")

    def random_dest(self):
        if self.rng.random() < 0.3:
            return HOST
        return Dest(*self.rng.choice(TILES))

    def drive(self):
        if self.busy:
            self.busy -= 1
            if not self.busy:
                for _ in range(self.emit):
                    self.tx.queue.append(self.sb.make(sid(self.x, self.y), self.random_dest()))
                self.emit = 0
        self.idle.value = int(not self.busy and not self.tx.queue)
        self.step_sig.value = self.step_seen


@cocotb.test()
async def mesh_host_port_traffic_and_steps(dut):
    rng = bench_rng()
    n_ops = int(os.environ.get("NOC_FLITS", "150"))
    loop = CycleLoop(dut)
    cov = Coverage("NoC bench")
    cov.expect(FIFO_FULL, "router (0,0) W")
    sb = Spikes(InOrderScoreboard("NoC scoreboard"), cov)
    cores = [Core(dut, x, y, rng, sb, loop) for x, y in TILES]
    host = StreamSource(dut, "host_in")
    model = {xy: {} for xy in TILES}           # what each read must return
    dones = []
    busy_at_done = []

    def host_take(word):
        p = packet.decode(word)
        cov.packet("out", word)
        if isinstance(p, Ctrl) and p.op == CtrlOp.DONE:
            # the barrier: nothing of this step may still be on its way
            if sb.sb.pending():
                busy_at_done.append(f"DONE({p.arg}) with {sb.sb.pending()} flits in flight")
            for c in cores:
                if c.tx.queue or c.busy or c.step_seen != p.arg:
                    busy_at_done.append(f"DONE({p.arg}) while tile ({c.x},{c.y}) busy")
            dones.append(p.arg)
        else:
            sb.sb.got("host", word)

    out = StreamSink(dut, "host_out", host_take, ready_fn=BackPressure(rng, 0.7, 4))
    loop.add(host, out)
    fabric = FabricSampler.of_mesh(dut.mesh, W, H, DEPTH, cov)

    # -- phase 1: host spikes, writes and reads; tiles talk to each other ------
    tag = 0
    for _ in range(n_ops):
        r = rng.random()
        x, y = rng.choice(TILES)
        if r < 0.4:
            host.queue.append(sb.make(HOST_SID, Dest(x, y)))
            continue
        mem, addr = rng.randrange(16), rng.randrange(8)
        if r < 0.7:
            data = rng.getrandbits(32)
            model[x, y][mem, addr] = data
            host.queue.append(Write(Dest(x, y), mem=mem, addr=addr, data=data).encode())
        else:
            want = ReadResp(HOST, data=model[x, y].get((mem, addr), 0), tag=tag, src_x=x, src_y=y)
            sb.sb.expect("host", Expected(f"({x},{y})", want.encode()))
            host.queue.append(Read(Dest(x, y), mem=mem, addr=addr, tag=tag).encode())
            tag = (tag + 1) % 256
        cov.packet("in", host.queue[-1])
    for c in cores:
        for _ in range(n_ops // 2):
            c.tx.queue.append(sb.make(sid(c.x, c.y), c.random_dest()))

    max_out = []

    def before():
        for c in cores:
            c.drive()

    def after():
        max_out.append(int(dut.status.value) >> 8 & 0xFF)
        fabric()

    await loop.reset()
    n = await loop.run(40 * n_ops, before=before, after=after,
                       until=lambda: not sb.sb.pending() and not host.queue)
    sb.sb.check()
    assert 0 < max(max_out) <= 4, max(max_out)          # the build caps host reads at 4
    dut._log.info(f"phase 1: {sb.sb.expected} flits, {tag} reads in {n} cycles")

    # -- phase 2: steps; the host waits for DONE before the next one -----------
    for t in range(1, 9):
        for _ in range(rng.randrange(6)):
            host.queue.append(sb.make(HOST_SID, Dest(*rng.choice(TILES))))
        host.queue.append(Ctrl(HOST, CtrlOp.STEP, arg=t).encode())
        cov.packet("in", host.queue[-1])
        await loop.run(3000, before=before, after=fabric, until=lambda: len(dones) == t)
        assert dones == list(range(1, t + 1)), f"step {t}: DONE not received ({dones})"
        assert not busy_at_done, busy_at_done[:5]
    sb.sb.check()
    violations = [v for k in [out] + [c.rx for c in cores] for v in k.violations]
    assert not violations, violations[:5]
    cov.streams(host, out, *(c.tx for c in cores), *(c.rx for c in cores))
    dut._log.info(cov.summary())
    assert not cov.missed(), f"coverage holes: {cov.missed()}"
    assert sum(cov.hits[ARBITRATION].values()) > 0, "no arbitration conflict: traffic too thin"
