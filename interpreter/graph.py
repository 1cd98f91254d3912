"""Graph checks at save time: dangling edges, cycles and unreachable nodes."""

from collections import deque

from interpreter.definition import TRIGGER, Edge
from interpreter.errors import Problems


def check_graph(ids: list[str], edges: list[Edge], entry: list[str], problems: Problems) -> None:
    known = set(ids)
    for index, edge in enumerate(edges):
        if edge.source != TRIGGER and edge.source not in known:
            problems.add(f"edges[{index}].source", edge.target, f"dangling edge: no node {edge.source!r}")
        if edge.target not in known:
            problems.add(f"edges[{index}].target", edge.source, f"dangling edge: no node {edge.target!r}")
    inner = [e for e in edges if e.source in known and e.target in known]
    cycle = _node_on_cycle(ids, inner)
    if cycle is not None:
        problems.add("edges", cycle, f"cycle through node {cycle!r}")
        return
    reached = _reachable([e for e in entry if e in known], inner)
    for index, node in enumerate(ids):
        if node not in reached:
            problems.add(f"nodes[{index}]", node, f"node {node!r} is unreachable from the trigger")


def _node_on_cycle(ids: list[str], edges: list[Edge]) -> str | None:
    """Kahn's algorithm: a node never freed of incoming edges lies on (or behind) a cycle."""
    incoming = {node: 0 for node in ids}
    for edge in edges:
        incoming[edge.target] += 1
    ready = deque(node for node in ids if incoming[node] == 0)
    while ready:
        node = ready.popleft()
        for edge in edges:
            if edge.source == node:
                incoming[edge.target] -= 1
                if incoming[edge.target] == 0:
                    ready.append(edge.target)
    stuck = [node for node in ids if incoming[node] > 0]
    if not stuck:
        return None
    # Prefer a node whose parent is stuck too: it is on the cycle, not merely behind it.
    return next((n for n in stuck if any(e.target == n and e.source in stuck for e in edges)), stuck[0])


def _reachable(entry: list[str], edges: list[Edge]) -> set[str]:
    seen, queue = set(entry), deque(entry)
    while queue:
        node = queue.popleft()
        for edge in edges:
            if edge.source == node and edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return seen
