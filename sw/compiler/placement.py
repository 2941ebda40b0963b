"""Placement pass: assign logical cores to mesh tiles.

Objective: the hop-weighted spike traffic

    cost = sum_{i,j} traffic[i, j] * hops(tile(i), tile(j))
         + sum_i host_traffic[i] * hops(tile(i), host)

where `traffic[i, j]` is the expected number of spike packets per step from
logical core i to logical core j (one packet per fan-out entry per spike; the
compiler estimates it from fan-out counts), `host_traffic[i]` the packets
between core i and the host port (both directions), and `hops` the Manhattan
distance that XY routing travels. The host port sits at tile (0, 0).

Algorithm: three starting placements (greedy constructive: cores in order
of total traffic, each on the free tile cheapest against those already
placed; row-major; snake order, which keeps consecutive cores — the pieces
of one split population — on neighbouring tiles), each refined by
pairwise-swap descent (moves to free tiles included); the best is then
improved by seeded simulated annealing over swaps and a final descent.
Deterministic: one network always gets one placement.
"""
from __future__ import annotations

import numpy as np

__all__ = ["placement_cost", "row_major", "snake", "place"]

HOST_TILE = (0, 0)


def _hops(tiles: np.ndarray) -> np.ndarray:
    """Manhattan distances between all pairs of tiles: tiles is (n, 2)."""
    return np.abs(tiles[:, None, :] - tiles[None, :, :]).sum(axis=2)


def placement_cost(tiles: list[tuple[int, int]], traffic: np.ndarray,
                   host_traffic: np.ndarray | None = None) -> float:
    """Hop-weighted traffic of the placement `tiles` (tile of each logical core)."""
    t = np.asarray(tiles, dtype=np.int64).reshape(-1, 2)
    cost = float((np.asarray(traffic, dtype=np.float64) * _hops(t)).sum())
    if host_traffic is not None:
        cost += float((np.asarray(host_traffic, dtype=np.float64)
                       * np.abs(t - np.asarray(HOST_TILE)).sum(axis=1)).sum())
    return cost


def row_major(n_cores: int, mesh_w: int, mesh_h: int) -> list[tuple[int, int]]:
    """The naive placement: logical core k on tile (k mod W, k div W)."""
    if n_cores > mesh_w * mesh_h:
        raise ValueError(f"{n_cores} cores do not fit a {mesh_w} x {mesh_h} mesh")
    return [(k % mesh_w, k // mesh_w) for k in range(n_cores)]


def snake(n_cores: int, mesh_w: int, mesh_h: int) -> list[tuple[int, int]]:
    """Boustrophedon order: consecutive logical cores (the pieces of one split
    population are consecutive) always sit on neighbouring tiles."""
    if n_cores > mesh_w * mesh_h:
        raise ValueError(f"{n_cores} cores do not fit a {mesh_w} x {mesh_h} mesh")
    out = []
    for k in range(n_cores):
        y, x = divmod(k, mesh_w)
        out.append((x if y % 2 == 0 else mesh_w - 1 - x, y))
    return out


class _Problem:
    """Precomputed distances and traffic for one placement problem."""

    def __init__(self, traffic: np.ndarray, host: np.ndarray, mesh_w: int, mesh_h: int):
        self.n = traffic.shape[0]
        self.sym = traffic + traffic.T                  # hops are symmetric
        np.fill_diagonal(self.sym, 0.0)                 # traffic inside a core costs no hops
        self.host = host
        self.tiles = np.array([(x, y) for y in range(mesh_h) for x in range(mesh_w)], dtype=np.int64)
        self.n_tiles = len(self.tiles)
        self.hops = _hops(self.tiles).astype(np.float64)
        self.host_hops = np.abs(self.tiles - np.asarray(HOST_TILE)).sum(axis=1).astype(np.float64)
        self.index = {tuple(int(v) for v in t): i for i, t in enumerate(self.tiles)}

    def cost(self, slot: np.ndarray) -> float:
        return float((self.sym * self.hops[np.ix_(slot, slot)]).sum() / 2
                     + self.host @ self.host_hops[slot])

    def swap_delta(self, slot: np.ndarray, occupant: np.ndarray, a: int, b: int) -> float:
        """Change of cost if the occupants of tiles a and b trade places."""
        ca, cb = occupant[a], occupant[b]
        d = 0.0
        if ca >= 0:
            d += (self.hops[b, slot] - self.hops[a, slot]) @ self.sym[ca] \
                + self.host[ca] * (self.host_hops[b] - self.host_hops[a])
        if cb >= 0:
            d += (self.hops[a, slot] - self.hops[b, slot]) @ self.sym[cb] \
                + self.host[cb] * (self.host_hops[a] - self.host_hops[b])
        if ca >= 0 and cb >= 0:
            # each term above moved its core as if the other stayed put, and so
            # counted the ca-cb link as shrinking by hops[a, b]; its length does
            # not change, so give both back
            d += 2 * self.sym[ca, cb] * self.hops[a, b]
        return float(d)

    def swap_deltas(self, slot: np.ndarray, occupant: np.ndarray, a: int,
                    bs: np.ndarray) -> np.ndarray:
        """`swap_delta(slot, occupant, a, b)` for every b in `bs` at once (the
        same values: traffic and hops are integers, so the sums are exact)."""
        ca, cb = occupant[a], occupant[bs]
        d = np.zeros(len(bs))
        rows = self.hops[bs][:, slot]                   # [len(bs), n]
        if ca >= 0:
            d += (rows - self.hops[a, slot]) @ self.sym[ca] \
                + self.host[ca] * (self.host_hops[bs] - self.host_hops[a])
        m = cb >= 0
        if m.any():
            c = cb[m]
            d[m] += ((self.hops[a, slot] - rows[m]) * self.sym[c]).sum(axis=1) \
                + self.host[c] * (self.host_hops[a] - self.host_hops[bs[m]])
            if ca >= 0:
                d[m] += 2 * self.sym[ca, c] * self.hops[a, bs[m]]
        return d

    def greedy(self) -> np.ndarray:
        """Cores in order of total traffic, each on the free tile that is
        cheapest against the cores already placed."""
        order = np.argsort(-(self.sym.sum(axis=1) + self.host), kind="stable")
        slot = np.full(self.n, -1, dtype=np.int64)
        free = np.ones(self.n_tiles, dtype=bool)
        for core in order:
            placed = slot >= 0
            c = self.host[core] * self.host_hops
            if placed.any():
                c = c + self.hops[:, slot[placed]] @ self.sym[core, placed]
            elif self.host[core] == 0:
                centre = self.tiles.mean(axis=0)
                c = np.abs(self.tiles - centre).sum(axis=1)
            c = np.where(free, c, np.inf)
            best = int(np.argmin(c))
            slot[core] = best
            free[best] = False
        return slot

    def _occupant(self, slot: np.ndarray) -> np.ndarray:
        occupant = np.full(self.n_tiles, -1, dtype=np.int64)
        occupant[slot] = np.arange(self.n)
        return occupant

    def _apply(self, slot, occupant, a, b) -> None:
        ca, cb = occupant[a], occupant[b]
        if ca >= 0:
            slot[ca] = b
        if cb >= 0:
            slot[cb] = a
        occupant[a], occupant[b] = cb, ca

    def descend(self, slot: np.ndarray, max_rounds: int = 50) -> np.ndarray:
        """Pairwise-swap local search (moves to free tiles included) until no
        swap improves the cost."""
        slot = slot.copy()
        occupant = self._occupant(slot)
        for _ in range(max_rounds):
            improved = False
            for a in range(self.n_tiles):
                b = a                   # tiles a+1.. in order, first improving swap taken
                while b + 1 < self.n_tiles:
                    bs = np.arange(b + 1, self.n_tiles)
                    if occupant[a] < 0:
                        bs = bs[occupant[bs] >= 0]
                        if not len(bs):
                            break
                    better = np.flatnonzero(self.swap_deltas(slot, occupant, a, bs) < -1e-9)
                    if not len(better):
                        break
                    b = int(bs[better[0]])
                    self._apply(slot, occupant, a, b)
                    improved = True
            if not improved:
                break
        return slot

    def anneal(self, slot: np.ndarray, moves: int, seed: int = 0) -> np.ndarray:
        """Simulated annealing over random swaps (seeded: deterministic)."""
        rng = np.random.default_rng(seed)
        slot = slot.copy()
        occupant = self._occupant(slot)
        cost = self.cost(slot)
        best, best_cost = slot.copy(), cost
        scale = max(float(self.sym.max(initial=0.0)), float(self.host.max(initial=0.0)), 1e-9)
        temps = scale * np.geomspace(2.0, 0.01, moves)
        pairs = rng.integers(0, self.n_tiles, (moves, 2))
        coins = rng.random(moves)
        for t, (a, b), coin in zip(temps, pairs, coins):
            if a == b or (occupant[a] < 0 and occupant[b] < 0):
                continue
            d = self.swap_delta(slot, occupant, int(a), int(b))
            if d < 0 or coin < np.exp(-d / t):
                self._apply(slot, occupant, int(a), int(b))
                cost += d
                if cost < best_cost - 1e-9:
                    best, best_cost = slot.copy(), cost
        return best


def place(traffic: np.ndarray, mesh_w: int, mesh_h: int,
          host_traffic: np.ndarray | None = None, anneal_moves: int | None = None) -> list[tuple[int, int]]:
    """Tiles for `n` logical cores (traffic is n x n) on a W x H mesh that
    reduce the hop-weighted traffic. Returns one (x, y) per logical core.

    Candidates: the greedy placement, row-major and snake order, each refined
    by swap descent; the best is then annealed and descended once more. The
    result is never worse than row-major or snake order."""
    traffic = np.asarray(traffic, dtype=np.float64)
    n = traffic.shape[0]
    n_tiles = mesh_w * mesh_h
    if n > n_tiles:
        raise ValueError(f"the network needs {n} cores but the {mesh_w} x {mesh_h} mesh has "
                         f"{n_tiles} (short by {n - n_tiles})")
    if n == 0:
        return []
    host = np.zeros(n) if host_traffic is None else np.asarray(host_traffic, dtype=np.float64)
    prob = _Problem(traffic, host, mesh_w, mesh_h)
    starts = [prob.greedy(),
              np.array([prob.index[t] for t in row_major(n, mesh_w, mesh_h)]),
              np.array([prob.index[t] for t in snake(n, mesh_w, mesh_h)])]
    refined = [prob.descend(s) for s in starts]
    best = min(refined, key=prob.cost)
    if n > 1 and n_tiles > 2:
        moves = anneal_moves if anneal_moves is not None else 400 * n_tiles
        annealed = prob.descend(prob.anneal(best, moves))
        if prob.cost(annealed) < prob.cost(best) - 1e-9:
            best = annealed
    return [tuple(int(v) for v in prob.tiles[s]) for s in best]
