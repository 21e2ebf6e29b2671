"""Bounds on parsed input that rules walk: nesting depth, and how far YAML aliases expand."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

# Rules recurse over syntax trees; a file nested deeper than this is degraded, not analysed.
MAX_DEPTH = 100
# YAML aliases may repeat a node; a graph that expands beyond this many times its own size (plus
# some slack for small files) is a "billion laughs" bomb, not a manifest.
MAX_YAML_GROWTH = 10
YAML_SLACK = 10_000


def _yaml_children(node: yaml.Node) -> Sequence[yaml.Node]:
    import yaml  # only YAML files get here: the hook's Python-only reviews never import it

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def yaml_expanded_size(documents: Iterable[yaml.Node]) -> int | None:
    """Nodes in `documents` with every alias expanded, counted over the shared graph (linear in
    its distinct nodes); None when an alias refers to a node that contains it (a cycle)."""
    sizes: dict[int, int] = {}
    total = 0
    for root in documents:
        active: set[int] = set()
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, finished = stack.pop()
            key = id(node)
            if finished:
                active.discard(key)
                sizes[key] = 1 + sum(sizes[id(child)] for child in _yaml_children(node))
            elif key in active:
                return None
            elif key not in sizes:
                active.add(key)
                stack.append((node, True))
                stack.extend((child, False) for child in _yaml_children(node))
        total += sizes[id(root)]
    return total


def yaml_bomb(documents: Sequence[yaml.Node]) -> bool:
    """Do aliases make these documents cyclic or blow them up far beyond their written size?"""
    expanded = yaml_expanded_size(documents)
    if expanded is None:
        return True
    distinct: set[int] = set()
    stack = list(documents)
    while stack:
        node = stack.pop()
        if id(node) not in distinct:
            distinct.add(id(node))
            stack.extend(_yaml_children(node))
    return expanded > MAX_YAML_GROWTH * len(distinct) + YAML_SLACK


def python_deeper_than(tree: ast.AST, limit: int) -> bool:
    level: list[ast.AST] = [tree]
    for _ in range(limit):
        level = [child for node in level for child in ast.iter_child_nodes(node)]
        if not level:
            return False
    return True


def yaml_deeper_than(documents: Sequence[yaml.Node], limit: int) -> bool:
    level: list[yaml.Node] = list(documents)
    for _ in range(limit):
        level = [child for node in level for child in _yaml_children(node)]
        if not level:
            return False
    return True
