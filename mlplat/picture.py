"""The org picture: the organization (OUs, accounts, lines of business, teams, environments) and the
dependency graph of its stacks, as a Mermaid flowchart (for Markdown) and as an SVG drawn here.

Both read the resolved organization and the :class:`~mlplat.graph.StackGraph`; neither needs the CDK
engine or any program outside Python. The SVG is a layered drawing: one column per apply wave, left
to right, each stack a box filled with its OU's colour and striped with its line of business's; an
arrow for each direct dependency (one implied through another stack is left out, so that the picture
stays readable; ``mlplat graph --format text`` lists them all), routed between the boxes. The same
organization always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from mlplat.graph import StackGraph, stack_graph
from mlplat.resolve.model import Org

PICTURE_FORMATS = ("mermaid", "svg")


def render(org: Org, fmt: str) -> str:
    """The picture of ``org`` in ``fmt`` (one of :data:`PICTURE_FORMATS`)."""
    graph = stack_graph(org)
    return {"mermaid": to_mermaid, "svg": to_svg}[fmt](org, graph)


# ---------------------------------------------------------------------------------------------------
# What each stack is, in the organization's terms


@dataclass(frozen=True)
class StackFacts:
    name: str
    label: str  # the stack's name without the organization's prefix
    account: str
    ou: str | None  # None: the organization's root (management account)
    line_of_business: str
    team: str | None
    environment: str
    kind: str  # organization, tfc_bootstrap, management, core, team, data_domain

    @property
    def where(self) -> str:
        return self.ou or "root"

    @property
    def who(self) -> str:
        """Line of business and environment (a team's name starts its accounts' names)."""
        what = {"organization": "organization", "tfc_bootstrap": "workspaces"}.get(self.kind, self.environment)
        return f"{self.line_of_business} · {what}"


def stack_facts(org: Org, graph: StackGraph) -> dict[str, StackFacts]:
    prefix = f"{org.name}-"
    facts = {}
    for node in graph.nodes:
        account = org.account(node.account)
        stack = next(s for s in org.stacks if s.name == node.name)
        kind = account.kind if stack.kind == "account" else stack.kind
        facts[node.name] = StackFacts(
            name=node.name, label=node.name[len(prefix):] if node.name.startswith(prefix) else node.name,
            account=account.key, ou=account.ou if stack.kind == "account" else None,
            line_of_business=account.line_of_business, team=account.team, environment=account.environment,
            kind=kind,
        )
    return facts


def _ous_with_accounts(org: Org, facts: dict[str, StackFacts]) -> list[str]:
    """The OU paths that hold a stack's account, directly or below, in the organization's order."""
    used = {f.ou for f in facts.values() if f.ou}
    return [ou.path for ou in org.organizational_units
            if any(u == ou.path or u.startswith(ou.path + "/") for u in used)]


def direct_dependencies(graph: StackGraph) -> dict[str, tuple[str, ...]]:
    """Each stack's dependencies less those implied through another of them (the transitive reduction)."""
    deps = {n.name: set(n.depends_on) for n in graph.nodes}
    ancestors: dict[str, set[str]] = {}

    def above(name: str) -> set[str]:
        if name not in ancestors:
            ancestors[name] = set()
            for dep in deps[name]:
                ancestors[name] |= {dep} | above(dep)
        return ancestors[name]

    return {name: tuple(sorted(d for d in ds if not any(d in above(o) for o in ds if o != d)))
            for name, ds in deps.items()}


# ---------------------------------------------------------------------------------------------------
# Mermaid


def _mermaid_ids(names: Iterable[str], prefix: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name in names:
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, n = base, 2
        while candidate in ids.values():
            candidate, n = f"{base}_{n}", n + 1
        ids[name] = candidate
    return ids


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


# Mermaid's default limits (maxEdges, maxTextSize), which GitHub's Markdown renders with
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000


def to_mermaid(org: Org, graph: StackGraph) -> str:
    """A ``flowchart``: OUs as nested subgraphs holding their accounts' stacks (the organization and
    management stacks in ``root``), an edge per dependency, a colour per line of business.

    An organization whose dependencies pass Mermaid's default limits gets an edge per direct
    dependency only (those implied through another stack are left out), and says so."""
    text = _mermaid(org, graph, {n.name: n.depends_on for n in graph.nodes})
    edges = sum(len(n.depends_on) for n in graph.nodes)
    if edges < MERMAID_MAX_EDGES and len(text) < MERMAID_MAX_TEXT:
        return text
    return _mermaid(org, graph, direct_dependencies(graph), note=(
        f"; {edges} dependencies pass Mermaid's limits: only direct ones are drawn (mlplat graph --format text "
        "lists them all)"))


def _mermaid(org: Org, graph: StackGraph, dependencies: dict[str, tuple[str, ...]], note: str = "") -> str:
    facts = stack_facts(org, graph)
    node_ids = _mermaid_ids((n.name for n in graph.nodes), "s_")
    ous = _ous_with_accounts(org, facts)
    ou_ids = _mermaid_ids(["root", *ous], "ou_")
    names = {ou.path: ou.name for ou in org.organizational_units}
    lines = [f"%% {org.name}: {len(graph.nodes)} stacks in {len(graph.waves())} apply waves; "
             f"written by mlplat graph --format mermaid{note}", "flowchart LR"]

    def node(name: str, indent: str) -> str:
        f = facts[name]
        return f'{indent}{node_ids[name]}["{_mermaid_text(f.label)}<br/>{_mermaid_text(f.who)}"]'

    def subgraph(path: str | None, depth: int) -> None:
        indent = "  " * depth
        key = path or "root"
        lines.append(f'{indent}subgraph {ou_ids[key]}["{_mermaid_text(names.get(key, key))}"]')
        for child in (p for p in ous if path and p.rpartition("/")[0] == path):
            subgraph(child, depth + 1)
        lines.extend(node(n.name, indent + "  ") for n in graph.nodes if facts[n.name].ou == path)
        lines.append(f"{indent}end")

    subgraph(None, 1)
    for top in (p for p in ous if "/" not in p):
        subgraph(top, 1)
    for n in graph.nodes:
        lines.extend(f"  {node_ids[dep]} --> {node_ids[n.name]}" for dep in dependencies[n.name])
    lobs = _lines_of_business(org, facts)
    class_ids = _mermaid_ids(lobs, "lob_")
    for lob, colour in lobs.items():
        members = [node_ids[n.name] for n in graph.nodes if facts[n.name].line_of_business == lob]
        lines.append(f"  classDef {class_ids[lob]} fill:{_lighten(colour)},stroke:{colour},stroke-width:2px")
        lines.append(f"  class {','.join(members)} {class_ids[lob]}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------
# Colours

# (fill shades from dark to light, stroke) per OU family: the OUs under one parent share a hue
_OU_HUES = (
    (("#bfdbfe", "#dbeafe", "#eff6ff"), "#3b82f6"),  # blue
    (("#bbf7d0", "#dcfce7", "#f0fdf4"), "#22c55e"),  # green
    (("#fde68a", "#fef3c7", "#fffbeb"), "#d97706"),  # amber
    (("#ddd6fe", "#ede9fe", "#f5f3ff"), "#8b5cf6"),  # violet
    (("#fecdd3", "#ffe4e6", "#fff1f2"), "#f43f5e"),  # rose
    (("#a5f3fc", "#cffafe", "#ecfeff"), "#0891b2"),  # cyan
    (("#fed7aa", "#ffedd5", "#fff7ed"), "#ea580c"),  # orange
)
_ROOT_COLOURS = ("#f3f4f6", "#6b7280")
_LOB_COLOURS = ("#e11d48", "#0d9488", "#ca8a04", "#7c3aed", "#2563eb", "#c2410c", "#16a34a", "#db2777", "#4f46e5")
_PLATFORM_COLOUR = "#4b5563"


def _ou_colours(org: Org, facts: dict[str, StackFacts]) -> dict[str | None, tuple[str, str]]:
    """(fill, stroke) of each OU that holds an account, and of the root (key None)."""
    leaves = [ou for ou in _ous_with_accounts(org, facts) if any(f.ou == ou for f in facts.values())]
    families: dict[str, list[str]] = {}
    for ou in leaves:
        families.setdefault(ou.rpartition("/")[0] or ou, []).append(ou)
    colours: dict[str | None, tuple[str, str]] = {None: _ROOT_COLOURS}
    for i, members in enumerate(families.values()):
        shades, stroke = _OU_HUES[i % len(_OU_HUES)]
        picks = {1: (1,), 2: (0, 2)}.get(len(members), (0, 1, 2))
        for j, ou in enumerate(members):
            colours[ou] = (shades[picks[j % len(picks)]], stroke)
    return colours


def _lines_of_business(org: Org, facts: dict[str, StackFacts]) -> dict[str, str]:
    """The colour of each line of business: the teams' first, in spec order; the platform's grey."""
    with_teams = list(dict.fromkeys(team.line_of_business for team in org.teams))
    others = sorted({f.line_of_business for f in facts.values()} - set(with_teams))
    colours = {lob: _LOB_COLOURS[i % len(_LOB_COLOURS)] for i, lob in enumerate(with_teams)}
    colours.update({lob: _PLATFORM_COLOUR for lob in others})
    return colours


def _lighten(colour: str, amount: float = 0.85) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in (r, g, b))


# ---------------------------------------------------------------------------------------------------
# SVG: layout

CHAR_WIDTH = 0.61  # of a monospace font, in em (DejaVu Sans Mono and Menlo: 0.602; Consolas: 0.55)
MONO = "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace"
LABEL_SIZE, DETAIL_SIZE, TITLE_SIZE, NOTE_SIZE = 11.0, 9.5, 15.0, 10.5
PAD_X, STRIPE, LINE_GAP = 8.0, 5.0, 3.0
BOX_HEIGHT = 6 + LABEL_SIZE + LINE_GAP + DETAIL_SIZE + LINE_GAP + DETAIL_SIZE + 6
DUMMY_HEIGHT, SPACING, COLUMN_GAP, MARGIN, PORT_GAP = 6.0, 10.0, 36.0, 20.0, 6.0
WAVES_TOP = MARGIN + TITLE_SIZE + 22  # baseline of the wave labels, under the title
HEADER = WAVES_TOP + 14  # top of the drawing


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


@dataclass(frozen=True)
class Box:
    stack: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[tuple[str, float], ...]  # (text, font size), top to bottom


@dataclass(frozen=True)
class Route:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]  # leaving the source's right side ... reaching the target's left


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    routes: tuple[Route, ...]
    columns: tuple[float, ...]  # x of each wave's column
    legend_top: float


def _isotonic(values: list[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` (least squares; pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1] = [(blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count),
                          blocks[-1][1] + count]
    return [mean for mean, count in blocks for _ in range(int(count))]


@dataclass
class _Layers:
    """The stacks by apply wave, with a waypoint ``("~", source, target, wave)`` in each wave a
    dependency passes over, so that every link joins adjacent waves."""

    items: list[list]  # per wave: stack names and waypoints
    succ: dict  # item -> the items it links to in the next wave
    pred: dict  # item -> the items linking to it from the wave before
    chains: list[tuple[str, str, list]]  # (source, target, [source, waypoints..., target])

    def height(self, item) -> float:
        """A waypoint is thin; a box grows where many links meet it, so that their arrows stay apart."""
        if isinstance(item, tuple):
            return DUMMY_HEIGHT
        return max(BOX_HEIGHT, (max(len(self.pred.get(item, ())), len(self.succ.get(item, ()))) + 1) * PORT_GAP)


def _layers(org: Org, graph: StackGraph, facts: dict[str, StackFacts]) -> _Layers:
    waves = graph.waves()
    wave = {name: i for i, names in enumerate(waves) for name in names}
    direct = direct_dependencies(graph)
    layers = _Layers(items=[[] for _ in waves], succ={}, pred={}, chains=[])
    for name in (n.name for n in graph.nodes):
        layers.items[wave[name]].append(name)
    for target in sorted(direct):
        for source in direct[target]:
            chain = [source, *(("~", source, target, i) for i in range(wave[source] + 1, wave[target])), target]
            for item in chain[1:-1]:
                layers.items[item[3]].append(item)
            for a, b in zip(chain, chain[1:]):
                layers.succ.setdefault(a, []).append(b)
                layers.pred.setdefault(b, []).append(a)
            layers.chains.append((source, target, chain))
    ou_order = {ou.path: i for i, ou in enumerate(org.organizational_units)}

    def first_order(item) -> tuple:  # by OU, line of business and name; waypoints after the boxes
        if isinstance(item, tuple):
            return (1, item[1], item[2])
        f = facts[item]
        return (0, ou_order.get(f.ou or "", -1), f.line_of_business, item)

    for column in layers.items:
        column.sort(key=first_order)
    return layers


def _crossings(order: list[list], succ: dict) -> int:
    """Pairs of links that cross between adjacent waves (inversions, counted with a Fenwick tree)."""
    total = 0
    for upper, lower in zip(order, order[1:]):
        position = {item: i for i, item in enumerate(lower)}
        ends = [j for _, j in sorted((i, position[b]) for i, a in enumerate(upper) for b in succ.get(a, ()))]
        tree = [0] * (len(lower) + 1)
        for seen, end in enumerate(ends):
            k, at_most = end + 1, 0
            while k > 0:
                at_most, k = at_most + tree[k], k - (k & -k)
            total += seen - at_most  # earlier links that end below this one
            k = end + 1
            while k <= len(lower):
                tree[k], k = tree[k] + 1, k + (k & -k)
    return total


def _order(layers: _Layers, sweeps: int = 8) -> list[list]:
    """The order within each wave: barycenter sweeps down and up, keeping the one with fewest crossings."""
    order = [list(column) for column in layers.items]
    best, fewest = [list(c) for c in order], _crossings(order, layers.succ)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        links = layers.pred if down else layers.succ
        for i in range(1, len(order)) if down else range(len(order) - 2, -1, -1):
            position = {item: p for p, item in enumerate(order[i - 1] if down else order[i + 1])}
            current = {item: p for p, item in enumerate(order[i])}

            def barycenter(item, links=links, position=position, current=current) -> tuple:
                linked = [position[n] for n in links.get(item, ()) if n in position]
                return (sum(linked) / len(linked) if linked else current[item], current[item])

            order[i].sort(key=barycenter)
        crossings = _crossings(order, layers.succ)
        if crossings < fewest:
            best, fewest = [list(c) for c in order], crossings
    return best


def _place(order: list[list], layers: _Layers, sweeps: int = 12) -> dict:
    """The vertical center of each item: as near the mean of its linked items' as the order allows,
    never closer to its neighbours than SPACING; the drawing's top at HEADER."""
    height = layers.height
    center: dict = {}
    tallest = max(sum(height(i) + SPACING for i in column) - SPACING for column in order)
    for column in order:  # start: each wave stacked and centered
        offset = (tallest - (sum(height(i) + SPACING for i in column) - SPACING)) / 2
        for item in column:
            center[item] = offset + height(item) / 2
            offset += height(item) + SPACING
    for sweep in range(sweeps):
        for column in order if sweep % 2 == 0 else reversed(order):
            offsets, offset = [], 0.0
            for item in column:
                offsets.append(offset + height(item) / 2)
                offset += height(item) + SPACING
            wanted = []
            for item in column:
                linked = [center[n] for n in (*layers.pred.get(item, ()), *layers.succ.get(item, ()))]
                wanted.append(sum(linked) / len(linked) if linked else center[item])
            for item, base, o in zip(column, _isotonic([w - o for w, o in zip(wanted, offsets)]), offsets):
                center[item] = base + o
    top = min(center[column[0]] - height(column[0]) / 2 for column in order)
    return {item: round(y - top + HEADER, 1) for item, y in center.items()}


def layout(org: Org, graph: StackGraph) -> Layout:
    """Where each box and arrow of the SVG goes."""
    facts = stack_facts(org, graph)
    layers = _layers(org, graph, facts)
    order = _order(layers)
    center = _place(order, layers)
    box_width = math.ceil(max(max(text_width(f.label, LABEL_SIZE), text_width(f.where, DETAIL_SIZE),
                                  text_width(f.who, DETAIL_SIZE)) for f in facts.values()) + 2 * PAD_X + STRIPE)
    columns = tuple(MARGIN + i * (box_width + COLUMN_GAP) for i in range(len(order)))
    boxes = {}
    for x, column in zip(columns, order):
        for item in (i for i in column if not isinstance(i, tuple)):
            f, h = facts[item], layers.height(item)
            boxes[item] = Box(item, x, center[item] - h / 2, box_width, h,
                              ((f.label, LABEL_SIZE), (f.where, DETAIL_SIZE), (f.who, DETAIL_SIZE)))

    # ports: the arrows at a box's side spread along it, in the order of where they come from or go to
    ports: dict[tuple[str, str], dict] = {}
    for side, links in (("in", layers.pred), ("out", layers.succ)):
        for name, box in boxes.items():
            linked = sorted(links.get(name, ()), key=lambda n: (center[n], str(n)))
            ports[(name, side)] = {other: round(box.y + box.height * (k + 1) / (len(linked) + 1), 1)
                                   for k, other in enumerate(linked)}
    routes = []
    for source, target, chain in layers.chains:
        points = [(boxes[source].x + box_width, ports[(source, "out")][chain[1]])]
        for item in chain[1:-1]:
            points += [(columns[item[3]], center[item]), (columns[item[3]] + box_width, center[item])]
        points.append((boxes[target].x, ports[(target, "in")][chain[-2]]))
        routes.append(Route(source, target, tuple(points)))
    bottom = max(center[c[-1]] + layers.height(c[-1]) / 2 for c in order)
    return Layout(width=columns[-1] + box_width + MARGIN, height=bottom, boxes=boxes, routes=tuple(routes),
                  columns=columns, legend_top=bottom + 24)


# ---------------------------------------------------------------------------------------------------
# SVG: drawing


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path(points: tuple[tuple[float, float], ...]) -> str:
    """Cubic curves between columns, straight lines across the columns a long edge passes."""
    (x, y), rest = points[0], points[1:]
    parts = [f"M{_n(x)},{_n(y)}"]
    for i, (nx, ny) in enumerate(rest):
        if i % 2 == 0:  # from a column's right side to the next column's left side
            middle = (x + nx) / 2
            parts.append(f"C{_n(middle)},{_n(y)} {_n(middle)},{_n(ny)} {_n(nx)},{_n(ny)}")
        else:
            parts.append(f"L{_n(nx)},{_n(ny)}")
        x, y = nx, ny
    return " ".join(parts)


def _legend(items: list[tuple[str, str, str]], top: float, width: float, title: str) -> tuple[list[str], float]:
    """Swatches (fill, stroke, text) flowing left to right under ``title``; returns the SVG and the next top."""
    out = [f'<text x="{_n(MARGIN)}" y="{_n(top + NOTE_SIZE)}" font-size="{_n(NOTE_SIZE)}" font-weight="bold">'
           f"{escape(title)}</text>"]
    x, y = MARGIN, top + NOTE_SIZE + 8
    for fill, stroke, text in items:
        needed = 16 + text_width(text, NOTE_SIZE) + 18
        if x + needed > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + NOTE_SIZE + 8
        out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="12" height="{_n(NOTE_SIZE)}" rx="2" fill="{fill}" '
                   f'stroke="{stroke}"/>')
        out.append(f'<text x="{_n(x + 16)}" y="{_n(y + NOTE_SIZE - 1.5)}" font-size="{_n(NOTE_SIZE)}">'
                   f"{escape(text)}</text>")
        x += needed
    return out, y + NOTE_SIZE + 14


def to_svg(org: Org, graph: StackGraph) -> str:
    facts = stack_facts(org, graph)
    plan = layout(org, graph)
    ou_colours = _ou_colours(org, facts)
    lob_colours = _lines_of_business(org, facts)
    waves = graph.waves()
    deps = {n.name: n.depends_on for n in graph.nodes}
    body: list[str] = []

    title = (f"{org.name}: {len(graph.nodes)} stacks, {len(org.accounts)} accounts, "
             f"{len(waves)} apply waves (left to right)")
    body.append(f'<text x="{_n(MARGIN)}" y="{_n(MARGIN + TITLE_SIZE)}" font-size="{_n(TITLE_SIZE)}" '
                f'font-weight="bold">{escape(title)}</text>')
    for i, x in enumerate(plan.columns):
        body.append(f'<text x="{_n(x)}" y="{_n(WAVES_TOP)}" font-size="{_n(NOTE_SIZE)}" fill="#6b7280">'
                    f"wave {i + 1} ({len(waves[i])})</text>")

    body.append('<g class="dependencies" fill="none" stroke="#64748b" stroke-width="1.1" stroke-opacity="0.55">')
    for route in plan.routes:
        body.append(f'<path d="{_path(route.points)}" marker-end="url(#arrow)">'
                    f"<title>{escape(route.target)} after {escape(route.source)}</title></path>")
    body.append("</g>")

    body.append(f'<g class="stacks" font-family="{MONO}">')
    for name, box in plan.boxes.items():
        f = facts[name]
        fill, stroke = ou_colours[f.ou]
        after = ", ".join(deps[name]) or "nothing"
        tip = (f"{name}\naccount {f.account} in {f.where}\nline of business {f.line_of_business}"
               + (f", team {f.team}" if f.team else "") + f", {f.environment}\nafter {after}")
        body.append(f'<g class="stack" data-stack={quoteattr(name)}><title>{escape(tip)}</title>')
        body.append(f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" '
                    f'rx="4" fill="{fill}" stroke="{stroke}"/>')
        body.append(f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(STRIPE)}" height="{_n(box.height)}" '
                    f'fill="{lob_colours[f.line_of_business]}"/>')
        y = box.y + (box.height - BOX_HEIGHT) / 2 + 6  # the lines centered in a taller box
        for k, (text, size) in enumerate(box.lines):
            y += size
            weight = ' font-weight="bold"' if k == 0 else ' fill="#374151"'
            body.append(f'<text x="{_n(box.x + STRIPE + PAD_X)}" y="{_n(y - 1.5)}" font-size="{_n(size)}"{weight}>'
                        f"{escape(text)}</text>")
            y += LINE_GAP
        body.append("</g>")
    body.append("</g>")

    counts = {ou: sum(1 for f in facts.values() if f.ou == ou) for ou in ou_colours}
    ou_items = [(fill, stroke, f"{ou or 'root'} ({counts[ou]})") for ou, (fill, stroke) in ou_colours.items()]
    legend, top = _legend(ou_items, plan.legend_top, plan.width, "OUs (box colour; stacks in each)")
    body += legend
    team_names: dict[str, list[str]] = {}
    for team in org.teams:
        team_names.setdefault(team.line_of_business, []).append(team.name)
    lob_items = [(colour, colour, f"{lob}: " + (", ".join(team_names[lob]) if lob in team_names else
                                                "platform accounts")) for lob, colour in lob_colours.items()]
    legend, top = _legend(lob_items, top, plan.width, "Lines of business (stripe) and their teams")
    body += legend
    note = ("An arrow goes from a stack to one that reads its outputs and is applied after it; dependencies "
            "implied through another stack are not drawn (mlplat graph --format text lists them all).")
    body.append(f'<text x="{_n(MARGIN)}" y="{_n(top + NOTE_SIZE)}" font-size="{_n(NOTE_SIZE)}" fill="#374151">'
                f"{escape(note)}</text>")
    width = max(plan.width, MARGIN * 2 + text_width(note, NOTE_SIZE), MARGIN * 2 + text_width(title, TITLE_SIZE),
                *(MARGIN * 2 + 16 + text_width(text, NOTE_SIZE) for _, _, text in ou_items + lob_items))
    height = top + NOTE_SIZE + MARGIN
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {escape(org.name)}: drawn by mlplat graph (format svg); regenerate it rather than edit it -->",
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(math.ceil(width))}" height="{_n(math.ceil(height))}" '
        f'viewBox="0 0 {_n(math.ceil(width))} {_n(math.ceil(height))}" font-family="{MONO}" fill="#111827">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#64748b"/></marker></defs>',
        f'<rect width="{_n(math.ceil(width))}" height="{_n(math.ceil(height))}" fill="#ffffff"/>',
    ]
    return "\n".join(head + body + ["</svg>"]) + "\n"
