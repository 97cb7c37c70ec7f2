"""Reading a chart's SVG (metrics.charts) in tests: the point symbols and the centre, limit
and target lines, by the layer names the spec gives them (Vega marks each layer's group with
the class `<name>_marks`). Every position is in the plot's own coordinates: the points, lines
and rules share one transform, so their y pixels compare directly."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-0-9.e]+),([-0-9.e]+)\)")
NUMBER = re.compile(r"-?[0-9.]+(?:e-?[0-9]+)?")


@dataclass(frozen=True)
class Symbol:
    x: float
    y: float
    fill: str
    label: str


def _groups(root: ET.Element, name: str) -> list[ET.Element]:
    return [
        group
        for group in root.iter(f"{SVG}g")
        if f"{name}_marks" in (group.get("class") or "").split()
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own renderer's output


def symbols(svg: str, layer: str = "points") -> list[Symbol]:
    """The point symbols of a layer, in drawing order (the order of the periods)."""
    found = []
    for group in _groups(parse(svg), layer):
        for path in group.iter(f"{SVG}path"):
            match = TRANSLATE.search(path.get("transform") or "")
            assert match, path.attrib
            found.append(
                Symbol(
                    x=float(match.group(1)),
                    y=float(match.group(2)),
                    fill=path.get("fill") or "",
                    label=path.get("aria-label") or "",
                )
            )
    return found


def line_ys(svg: str, layer: str) -> list[list[float]]:
    """The y pixels of each path of a line layer (one path per segment)."""
    paths = []
    for group in _groups(parse(svg), layer):
        for path in group.iter(f"{SVG}path"):
            numbers = [float(n) for n in NUMBER.findall(path.get("d") or "")]
            paths.append(numbers[1::2])  # "M x,y L x,y …": every second number is a y
    return paths


def rule_ys(svg: str, layer: str) -> list[float]:
    """The y pixels of a rule layer's horizontal rules."""
    ys = []
    for group in _groups(parse(svg), layer):
        for line in group.iter(f"{SVG}line"):
            match = TRANSLATE.search(line.get("transform") or "")
            assert match, line.attrib
            ys.append(float(match.group(2)))
    return ys


def scale(points: list[Symbol], values: list[float]) -> tuple[float, float]:
    """The y axis's linear scale (pixels = a·value + b), fitted through the two points whose
    values lie furthest apart."""
    low = min(range(len(values)), key=values.__getitem__)
    high = max(range(len(values)), key=values.__getitem__)
    a = (points[high].y - points[low].y) / (values[high] - values[low])
    return a, points[low].y - a * values[low]
