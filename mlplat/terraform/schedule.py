"""Running work over a dependency graph: each node as soon as what it waits for is done.

Not wave by wave: a node starts the moment its last prerequisite finishes, up to ``parallelism``
nodes at once, the ones heading the longest chains first (so the end of the run is not one long
chain running alone). A node whose work *blocks* (a failed stack) takes every node waiting on it,
directly or through others, out of the run: they never start and are reported with the nodes that
blocked them. Every other node still runs to the end.
"""

from __future__ import annotations

import functools
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

Result = TypeVar("Result")


@dataclass
class Schedule(Generic[Result]):
    """What happened: the results of the nodes that ran, the nodes blocked (with the failed nodes
    upstream of each), and the nodes never started because the run was interrupted."""

    results: dict[str, Result] = field(default_factory=dict)
    blocked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_started: list[str] = field(default_factory=list)
    interrupted: bool = False


def _chain_lengths(graph: dict[str, tuple[str, ...]], users: dict[str, list[str]]) -> dict[str, int]:
    @functools.cache
    def length(node: str) -> int:
        return 1 + max((length(u) for u in users[node]), default=0)

    return {node: length(node) for node in graph}


def run_graph(
    graph: dict[str, tuple[str, ...]],
    work: Callable[[str], Result],
    *,
    parallelism: int,
    blocks: Callable[[Result], bool],
    on_blocked: Callable[[str, tuple[str, ...]], None] | None = None,
    on_interrupt: Callable[[], None] | None = None,
) -> Schedule[Result]:
    """Run ``work(node)`` for every node of ``graph`` (node -> the nodes it waits for, all in
    ``graph``) once those are done and did not block.

    ``on_blocked(node, by)`` is called as soon as a node is known to be blocked. On
    KeyboardInterrupt, ``on_interrupt`` is called (to stop the running work), the running nodes
    are waited for, and the nodes not started are listed in ``not_started``.
    """
    users: dict[str, list[str]] = {node: [] for node in graph}
    for node, prerequisites in graph.items():
        for prerequisite in prerequisites:
            users[prerequisite].append(node)
    chain = _chain_lengths(graph, users)
    waiting = {node: set(prerequisites) for node, prerequisites in graph.items()}
    ready = [node for node, prerequisites in waiting.items() if not prerequisites]
    outcome: Schedule[Result] = Schedule()
    blocked: set[str] = set()
    failed: list[str] = []

    def block_users_of(node: str) -> None:
        pending = list(users[node])
        while pending:
            user = pending.pop()
            if user in blocked or user in outcome.results:
                continue
            blocked.add(user)
            pending.extend(users[user])
            if on_blocked is not None:
                on_blocked(user, (node,))

    running: dict[Future[Result], str] = {}
    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="mlplat-stack") as pool:
        try:
            while ready or running:
                ready.sort(key=lambda n: (-chain[n], n))
                while ready and len(running) < parallelism:
                    node = ready.pop(0)
                    running[pool.submit(work, node)] = node
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: running[f]):
                    node = running.pop(future)
                    result = future.result()
                    outcome.results[node] = result
                    if blocks(result):
                        failed.append(node)
                        block_users_of(node)
                        continue
                    for user in users[node]:
                        waiting[user].discard(node)
                        if not waiting[user] and user not in blocked:
                            ready.append(user)
        except KeyboardInterrupt:
            outcome.interrupted = True
            if on_interrupt is not None:
                on_interrupt()
            for future, node in running.items():
                outcome.results[node] = future.result()
            outcome.not_started = sorted(set(graph) - set(outcome.results) - blocked)

    upstream = {node: set(prerequisites) for node, prerequisites in graph.items()}
    for node in blocked:
        seen: set[str] = set()
        pending = list(upstream[node])
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(upstream[current])
        outcome.blocked[node] = tuple(sorted(seen.intersection(failed)))
    return outcome
