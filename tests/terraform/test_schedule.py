"""The graph scheduler on its own: order, parallelism, failure isolation (no Terraform)."""

from __future__ import annotations

import threading

from mlplat.terraform.schedule import run_graph

# net and org are roots; shared needs both; dev and prod need shared; tools needs only org
GRAPH = {"net": (), "org": (), "shared": ("net", "org"), "dev": ("shared",), "prod": ("shared", "net"), "tools": ("org",)}


class Recorder:
    def __init__(self, fail: set[str] = frozenset(), gate: dict[str, threading.Event] | None = None) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []
        self.fail = fail
        self.gate = gate or {}
        self.running = 0
        self.widest = 0

    def __call__(self, node: str) -> str:
        with self.lock:
            self.log.append(("start", node))
            self.running += 1
            self.widest = max(self.widest, self.running)
        if node in self.gate:
            assert self.gate[node].wait(10)
        with self.lock:
            self.running -= 1
            self.log.append(("end", node))
        return "failed" if node in self.fail else "ok"


def test_every_node_starts_after_what_it_waits_for() -> None:
    work = Recorder()
    outcome = run_graph(GRAPH, work, parallelism=3, blocks=lambda r: r == "failed")
    assert outcome.results == {n: "ok" for n in GRAPH} and outcome.blocked == {}
    ended = [n for kind, n in work.log if kind == "end"]
    for node, prerequisites in GRAPH.items():
        start = work.log.index(("start", node))
        assert all(work.log.index(("end", p)) < start for p in prerequisites), node
    assert sorted(ended) == sorted(GRAPH)


def test_one_at_a_time_follows_the_longest_chains_first_then_names() -> None:
    work = Recorder()
    run_graph(GRAPH, work, parallelism=1, blocks=lambda r: False)
    assert [n for kind, n in work.log if kind == "start"] == ["net", "org", "shared", "dev", "prod", "tools"]
    assert work.widest == 1


def test_a_node_starts_as_soon_as_its_own_prerequisites_are_done_not_after_the_whole_wave() -> None:
    # slow is held until after-quick runs: wave by wave, after-quick would wait for slow forever.
    release = threading.Event()
    work = Recorder(gate={"slow": release})

    def step(node: str) -> str:
        if node == "after-quick":
            release.set()
        return work(node)

    run_graph({"slow": (), "quick": (), "after-quick": ("quick",)}, step, parallelism=2, blocks=lambda r: False)
    assert work.log.index(("start", "after-quick")) < work.log.index(("end", "slow"))


def test_fails_a_node_and_blocks_exactly_what_depends_on_it_transitively() -> None:
    work = Recorder(fail={"shared"})
    seen: list[tuple[str, tuple[str, ...]]] = []
    outcome = run_graph(GRAPH, work, parallelism=2, blocks=lambda r: r == "failed",
                        on_blocked=lambda node, by: seen.append((node, by)))
    assert outcome.results == {"net": "ok", "org": "ok", "shared": "failed", "tools": "ok"}
    assert outcome.blocked == {"dev": ("shared",), "prod": ("shared",)}
    assert sorted(seen) == [("dev", ("shared",)), ("prod", ("shared",))]
    assert ("start", "dev") not in work.log


def test_fails_two_roots_and_names_both_as_blocking_a_common_dependent() -> None:
    outcome = run_graph(GRAPH, Recorder(fail={"net", "org"}), parallelism=2, blocks=lambda r: r == "failed")
    assert set(outcome.results) == {"net", "org"}
    assert outcome.blocked == {"shared": ("net", "org"), "dev": ("net", "org"), "prod": ("net", "org"),
                               "tools": ("org",)}


def test_never_runs_more_than_the_parallelism() -> None:
    wide = {f"n{i}": () for i in range(8)}
    work = Recorder()
    run_graph(wide, work, parallelism=3, blocks=lambda r: False)
    assert work.widest <= 3 and len([1 for kind, _ in work.log if kind == "end"]) == 8
