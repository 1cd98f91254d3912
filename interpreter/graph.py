"""Graph checks at save time: dangling edges, cycles and unreachable nodes.

Linear in nodes + edges (adjacency lists built once), so the largest graph the node limit
allows is checked in milliseconds (docs/limits.md).
"""

from collections import deque
from collections.abc import Sequence

from interpreter.definition import TRIGGER, Edge
from interpreter.errors import Problems


def check_graph(
    ids: list[str], edges: list[Edge], entry: list[str], problems: Problems, *, jumps: Sequence[Edge] = ()
) -> None:
    """``jumps``: a node's ``on_error`` target is reached from it, though by no edge."""
    known = set(ids)
    for index, edge in enumerate(edges):
        if edge.source != TRIGGER and edge.source not in known:
            problems.add(f"edges[{index}].source", edge.target, f"dangling edge: no node {edge.source!r}")
        if edge.target not in known:
            problems.add(f"edges[{index}].target", edge.source, f"dangling edge: no node {edge.target!r}")
    children: dict[str, list[str]] = {node: [] for node in ids}
    parents: dict[str, list[str]] = {node: [] for node in ids}
    for edge in edges:
        if edge.source in known and edge.target in known:
            children[edge.source].append(edge.target)
            parents[edge.target].append(edge.source)
    cycle = _node_on_cycle(ids, children, parents)
    if cycle is not None:
        problems.add("edges", cycle, f"cycle through node {cycle!r}")
        return
    for jump in jumps:
        if jump.source in known and jump.target in known:
            children[jump.source].append(jump.target)
    reached = _reachable([e for e in entry if e in known], children)
    for index, node in enumerate(ids):
        if node not in reached:
            problems.add(f"nodes[{index}]", node, f"node {node!r} is unreachable from the trigger")


def _node_on_cycle(
    ids: list[str], children: dict[str, list[str]], parents: dict[str, list[str]]
) -> str | None:
    """Kahn's algorithm: a node never freed of incoming edges lies on (or behind) a cycle."""
    incoming = {node: len(parents[node]) for node in ids}
    ready = deque(node for node in ids if incoming[node] == 0)
    while ready:
        for child in children[ready.popleft()]:
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    stuck = [node for node in ids if incoming[node] > 0]
    if not stuck:
        return None
    # Prefer a node whose parent is stuck too: it is on the cycle, not merely behind it.
    stuck_set = set(stuck)
    return next((n for n in stuck if any(p in stuck_set for p in parents[n])), stuck[0])


def _reachable(entry: list[str], children: dict[str, list[str]]) -> set[str]:
    seen, queue = set(entry), deque(entry)
    while queue:
        for child in children[queue.popleft()]:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen
