"""The org picture: Mermaid and SVG of the organization and its stack graph, and the committed ones in docs/."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlplat import api, picture
from mlplat.cli import app
from mlplat.graph import stack_graph
from mlplat.picture import (BOX_HEIGHT, PAD_X, STRIPE, direct_dependencies, layout, render, stack_facts,
                            text_width, to_mermaid)

ROOT = Path(__file__).parents[1]
ENTERPRISE = ROOT / "examples" / "enterprise" / "mlplat.yaml"
MINIMAL = ROOT / "examples" / "minimal" / "mlplat.yaml"
SVG = "{http://www.w3.org/2000/svg}"
DOCS = {"svg": ROOT / "docs" / "org.svg", "mermaid": ROOT / "docs" / "org.mmd"}


@pytest.fixture(scope="module", params=["enterprise", "minimal"])
def org(request):
    return api.validate(ENTERPRISE if request.param == "enterprise" else MINIMAL)


@pytest.mark.parametrize("fmt", sorted(DOCS))
def test_the_pictures_in_docs_are_current(fmt: str) -> None:
    expected = render(api.validate(ENTERPRISE), fmt)
    assert DOCS[fmt].read_text(encoding="utf-8") == expected, (
        f"{DOCS[fmt].relative_to(ROOT)} is out of date with examples/enterprise: run `make pictures`")


def test_svg_is_well_formed_with_one_box_per_stack(org) -> None:
    graph = stack_graph(org)
    document = ET.fromstring(render(org, "svg").encode("utf-8"))
    assert document.tag == f"{SVG}svg"
    stacks = document.findall(f".//{SVG}g[@class='stack']")
    assert sorted(g.get("data-stack") for g in stacks) == sorted(n.name for n in graph.nodes)
    for g in stacks:
        assert len(g.findall(f"{SVG}rect")) == 2  # the box and its line-of-business stripe
        assert g.findtext(f"{SVG}title").startswith(g.get("data-stack"))
        assert [t.text for t in g.findall(f"{SVG}text")][0] in g.get("data-stack")
    arrows = document.findall(f".//{SVG}g[@class='dependencies']/{SVG}path")
    assert len(arrows) == sum(len(deps) for deps in direct_dependencies(graph).values())
    width, height = float(document.get("width")), float(document.get("height"))
    assert document.get("viewBox") == f"0 0 {document.get('width')} {document.get('height')}"
    assert 0 < width <= 2560 and 0 < height <= 1440, "a screen shows it whole"


def test_svg_is_the_same_for_the_same_organization(org) -> None:
    assert render(org, "svg") == render(org.model_copy(deep=True), "svg")


def test_svg_boxes_never_overlap_and_hold_their_text(org) -> None:
    plan = layout(org, stack_graph(org))
    boxes = list(plan.boxes.values())
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.y >= 0 and a.x + a.width <= plan.width and a.y + a.height <= plan.height
        assert a.height >= BOX_HEIGHT
        for text, size in a.lines:
            assert text_width(text, size) <= a.width - STRIPE - 2 * PAD_X, (a.stack, text)
        for b in boxes[i + 1:]:
            apart = (a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y)
            assert apart, (a.stack, b.stack)


def _curve(p0, p1, steps: int = 24):
    """Points of the cubic the SVG draws from p0 to p1 (horizontal tangents at both ends)."""
    (x0, y0), (x1, y1) = p0, p1
    middle = (x0 + x1) / 2
    for k in range(1, steps):
        t = k / steps
        u = 1 - t
        yield (u**3 * x0 + 3 * u * u * t * middle + 3 * u * t * t * middle + t**3 * x1,
               u**3 * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t**3 * y1)


def test_svg_arrows_go_around_the_boxes(org) -> None:
    plan = layout(org, stack_graph(org))
    for route in plan.routes:
        points = list(route.points)
        assert points[0][0] == plan.boxes[route.source].x + plan.boxes[route.source].width
        assert points[-1][0] == plan.boxes[route.target].x
        samples = []
        for i, (a, b) in enumerate(zip(points, points[1:])):
            if i % 2 == 0:
                samples += list(_curve(a, b))
            else:  # across a column, where the edge passes between its boxes
                assert a[1] == b[1]
                samples += [((a[0] * (10 - k) + b[0] * k) / 10, a[1]) for k in range(11)]
        for x, y in samples:
            for box in plan.boxes.values():
                inside = box.x + 0.5 < x < box.x + box.width - 0.5 and box.y + 0.5 < y < box.y + box.height - 0.5
                assert not inside, (route.source, route.target, box.stack, (x, y))


def test_direct_dependencies_keep_every_dependency_reachable(org) -> None:
    graph = stack_graph(org)
    direct = direct_dependencies(graph)

    def closure(deps: dict) -> dict:
        memo: dict = {}

        def reach(name):
            if name not in memo:
                memo[name] = set(deps[name]).union(*(reach(d) for d in deps[name]))
            return memo[name]
        return {name: reach(name) for name in deps}

    assert closure(direct) == closure({n.name: n.depends_on for n in graph.nodes})
    assert sum(map(len, direct.values())) < sum(len(n.depends_on) for n in graph.nodes)


NODE = re.compile(r'^\s*(?P<id>[A-Za-z][A-Za-z0-9_]*)\["(?P<label>[^"\[\]]*)"\]$')
EDGE = re.compile(r"^\s*(?P<a>[A-Za-z][A-Za-z0-9_]*) --> (?P<b>[A-Za-z][A-Za-z0-9_]*)$")
SUBGRAPH = re.compile(r'^\s*subgraph (?P<id>[A-Za-z][A-Za-z0-9_]*)\["(?P<label>[^"\[\]]*)"\]$')


def test_mermaid_has_one_node_per_stack_and_one_edge_per_dependency(org) -> None:
    graph = stack_graph(org)
    facts = stack_facts(org, graph)
    lines = to_mermaid(org, graph).splitlines()
    assert lines[0].startswith("%% ") and lines[1] == "flowchart LR"
    nodes, edges, open_subgraphs, node_ou = {}, [], [], {}
    for line in lines[2:]:
        if m := SUBGRAPH.match(line):
            open_subgraphs.append(m["label"])
        elif line.strip() == "end":
            open_subgraphs.pop()
        elif m := NODE.match(line):
            assert m["id"] not in nodes, "each node once"
            nodes[m["id"]] = m["label"]
            node_ou[m["id"]] = "/".join(open_subgraphs)
        elif m := EDGE.match(line):
            edges.append((m["a"], m["b"]))
        else:
            assert re.match(r"^  (classDef lob_\w+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},stroke-width:2px"
                            r"|class [\w,]+ lob_\w+)$", line), line
    assert open_subgraphs == []
    assert len(nodes) == len(graph.nodes)
    ids = {}
    for n in graph.nodes:
        (node_id,) = [i for i, label in nodes.items() if label.split("<br/>")[0] == facts[n.name].label]
        ids[n.name] = node_id
        assert node_ou[node_id] == (facts[n.name].ou or "root"), "inside the subgraphs of its OU path"
    expected = sorted((ids[dep], ids[n.name]) for n in graph.nodes for dep in n.depends_on)
    assert sorted(edges) == expected


def test_mermaid_within_mermaids_limits_draws_only_direct_dependencies_past_them(monkeypatch) -> None:
    org = api.validate(ENTERPRISE)
    graph = stack_graph(org)
    full = to_mermaid(org, graph)
    assert full.count(" --> ") == sum(len(n.depends_on) for n in graph.nodes) < picture.MERMAID_MAX_EDGES
    assert len(full) < picture.MERMAID_MAX_TEXT
    monkeypatch.setattr(picture, "MERMAID_MAX_EDGES", 100)
    reduced = to_mermaid(org, graph)
    assert reduced.count(" --> ") == sum(len(d) for d in direct_dependencies(graph).values())
    assert "only direct ones are drawn" in reduced.splitlines()[0]


def test_mermaid_labels_cannot_break_the_syntax() -> None:
    from mlplat.picture import _mermaid_ids, _mermaid_text

    assert _mermaid_text('a "b" <c> & d') == "a #quot;b#quot; #lt;c#gt; #amp; d"
    assert _mermaid_ids(["a-b", "a_b", "end"], "s_") == {"a-b": "s_a_b", "a_b": "s_a_b_2", "end": "s_end"}


def test_graph_writes_svg_and_mermaid_to_a_file_and_refuses_an_unknown_format(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "pictures" / "org.svg"
    result = runner.invoke(app, ["graph", str(MINIMAL), "--format", "svg", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == api.picture(MINIMAL, "svg")
    mermaid = runner.invoke(app, ["graph", str(MINIMAL), "-f", "mermaid"])
    assert mermaid.exit_code == 0 and mermaid.stdout == api.picture(MINIMAL, "mermaid")
    bad = runner.invoke(app, ["graph", str(MINIMAL), "--format", "png"])
    assert bad.exit_code == 2 and bad.stderr == "error: --format 'png': use text, json, dot, mermaid or svg\n"
    directory = runner.invoke(app, ["graph", str(MINIMAL), "--format", "svg", "--output", str(tmp_path)])
    assert directory.exit_code == 2 and "is a directory" in directory.stderr
