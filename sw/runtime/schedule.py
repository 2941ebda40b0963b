"""Graph algorithms of the CPU executor's schedule: the strongly connected
components of the port graph and a deterministic topological order of
them."""
from __future__ import annotations

import heapq

__all__ = ["strongly_connected", "component_order"]


def strongly_connected(n: int, edges: list[set]) -> list[list[int]]:
    """Tarjan's algorithm (iterative); components in reverse topological order."""
    index = [None] * n
    low = [0] * n
    on_stack = [False] * n
    stack, comps, counter = [], [], 0
    for root in range(n):
        if index[root] is not None:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if index[w] is None:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, iter(sorted(edges[w]))))
                    advanced = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


def component_order(comps: list[list[int]], edges: list[set]) -> list[int]:
    """Kahn's algorithm on the condensation of the graph (`comps` from
    ``strongly_connected``): component indices in topological order, ties
    broken by the smallest vertex (discovery order)."""
    comp_of = {v: ci for ci, comp in enumerate(comps) for v in comp}
    cedges = [set() for _ in comps]
    indeg = [0] * len(comps)
    for v in range(len(edges)):
        for w in edges[v]:
            a, b = comp_of[v], comp_of[w]
            if a != b and b not in cedges[a]:
                cedges[a].add(b)
                indeg[b] += 1
    heap = [(min(c), ci) for ci, c in enumerate(comps) if indeg[ci] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, ci = heapq.heappop(heap)
        order.append(ci)
        for b in cedges[ci]:
            indeg[b] -= 1
            if indeg[b] == 0:
                heapq.heappush(heap, (min(comps[b]), b))
    return order
