"""Graph algorithms of a chain's structure, on plain ids (no database): the node tree and
the supply links between nodes."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping


def path(edges: Mapping[Hashable, Iterable[Hashable]], start: Hashable, goal: Hashable):
    """A shortest path start → … → goal along `edges` ({node: successors}), or None."""
    if start == goal:
        return [start]
    came_from = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in edges.get(node, ()):
            if successor in came_from:
                continue
            came_from[successor] = node
            if successor == goal:
                found = [goal]
                while found[-1] != start:
                    found.append(came_from[found[-1]])
                return found[::-1]
            queue.append(successor)
    return None


def cycle_closed_by(
    edges: Mapping[Hashable, Iterable[Hashable]], supplier: Hashable, customer: Hashable
):
    """The cycle a new edge supplier → customer would close, as [supplier, customer, …,
    supplier], or None when the graph stays acyclic."""
    back = path(edges, customer, supplier)
    return None if back is None else [supplier, *back]


def find_cycle(edges: Mapping[Hashable, Iterable[Hashable]]):
    """Some cycle of the graph as [a, b, …, a], or None (iterative depth-first search)."""
    state: dict[Hashable, int] = {}  # 1: on the current path, 2: done
    for root in list(edges):
        if root in state:
            continue
        stack = [(root, iter(edges.get(root, ())))]
        on_path = [root]
        state[root] = 1
        while stack:
            node, successors = stack[-1]
            for successor in successors:
                if state.get(successor) == 1:
                    return [*on_path[on_path.index(successor) :], successor]
                if successor not in state:
                    state[successor] = 1
                    on_path.append(successor)
                    stack.append((successor, iter(edges.get(successor, ()))))
                    break
            else:
                state[node] = 2
                on_path.pop()
                stack.pop()
    return None


def subtree(children: Mapping[Hashable, Iterable[Hashable]], root: Hashable) -> set:
    """The root and everything below it."""
    found, queue = {root}, deque([root])
    while queue:
        for child in children.get(queue.popleft(), ()):
            if child not in found:
                found.add(child)
                queue.append(child)
    return found
