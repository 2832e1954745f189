"""YAML read with positions, so that every rubric problem can name its line.

libyaml (through PyYAML's C parser) builds the node tree, and this module turns plain scalars
into values by YAML 1.2's core schema itself: ``NO`` stays a string and ``2017-07-31`` is not
a date, which spares rubric authors the YAML 1.1 surprises. Building the values here also
bounds what a hostile file can cost (SPEC extension 1b): nesting deeper than
:data:`MAX_DEPTH` and aliases that expand past :data:`MAX_NODES` nodes are refused before
anything is expanded, and a node that contains itself is refused instead of recursing forever.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from scoring.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlDocument", "YamlSyntaxError", "parse_yaml"]

Loc = tuple[str | int, ...]

MAX_DEPTH = MAX_YAML_DEPTH  # the limits live with every other reader's, in scoring.limits
MAX_NODES = MAX_YAML_NODES
_PLAIN = "!plain"  # a plain (unquoted, untagged) scalar, resolved here by the YAML 1.2 core schema
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class _Loader(yaml.CSafeLoader):
    """libyaml's parser with every plain scalar left for the core schema below."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


def _core_scalar(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT_RE.fullmatch(text):
        return int(text)
    if re.fullmatch(r"0o[0-7]+", text):
        return int(text[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 16)
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    special = _SPECIAL_FLOATS.get(text.lower())
    return special if special is not None else text


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == _PLAIN:
        return _core_scalar(node.value)
    if node.tag in (_INT, _FLOAT, _BOOL, _NULL):
        value = _core_scalar(node.value)
        if node.tag == _FLOAT and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    return node.value  # quoted, !!str, or a tag this format has no use for


class _TooBig(Exception):
    pass


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document has once every alias is expanded, counted without expanding them.

    Each distinct node is visited once (aliases share the node object), so a 486-byte alias bomb
    is measured, not built. Nesting and self-reference are caught on the way.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlSyntaxError("YAML 别名引用了包含它自身的节点(循环引用),无法展开", _line(node))
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(f"YAML 嵌套超过 {MAX_DEPTH} 层;指标体系不需要这么深的结构", _line(node))
        active.add(key)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v, depth + 1) for v in node.value)
        else:
            total = 1
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)  # capped: a bomb's count would only grow
        return sizes[key]

    return size(root, 0)


def _build(node: yaml.Node, memo: dict[int, Any]) -> Any:
    """Plain Python values; an aliased node is built once and shared."""
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, yaml.ScalarNode):
        value = _scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = [_build(v, memo) for v in node.value]
    else:
        value = {}
        for k, v in node.value:
            name = _build(k, memo)
            if isinstance(name, (dict, list)):
                raise YamlSyntaxError("YAML 键必须是简单值,不能是列表或映射", _line(k))
            if name in value:
                raise YamlSyntaxError(f"YAML 键重复:{name}(同一映射中每个键只能出现一次)", _line(k))
            value[name] = _build(v, memo)
    memo[key] = value
    return value


class YamlDocument:
    """A parsed YAML document: plain data plus a way back to line numbers."""

    def __init__(self, root: yaml.Node | None):
        self.root = root
        self.data = None if root is None else _build(root, {})

    def line(self, loc: Loc) -> int | None:
        """1-based line of the value at ``loc`` (or of the closest enclosing node)."""
        node = self.root
        if node is None:
            return None
        best = _line(node)
        for key in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and _scalar(k) == key:
                        best, child = _line(k), v
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                child = node.value[key]
                best = _line(child)
            if child is None:
                break
            node = child
        return best

    def path(self, loc: Loc) -> str:
        """A readable path: list items are named by their ``id`` where they have one."""
        out = ""
        node: Any = self.data
        for key in loc:
            if isinstance(key, int):
                label = str(key)
                if isinstance(node, list) and 0 <= key < len(node):
                    item = node[key]
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        label = item["id"]
                    node = item
                else:
                    node = None
                out += f"[{label}]"
            else:
                out += f".{key}" if out else str(key)
                node = node.get(key) if isinstance(node, dict) else None
        return out or "(根)"


def parse_yaml(text: str) -> YamlDocument:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "YAML 语法错误"
        raise YamlSyntaxError(f"YAML 语法错误:{problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML 语法错误:{exc}", None) from None
    except RecursionError:
        raise YamlSyntaxError(f"YAML 嵌套过深(超过 {MAX_DEPTH} 层)", None) from None
    if root is not None and _expanded_size(root) > MAX_NODES:
        raise YamlSyntaxError(
            f"YAML 别名展开后超过 {MAX_NODES:,} 个节点(可能是恶意构造的文件);请直接写出内容,少用别名", _line(root)
        )
    return YamlDocument(root)
