"""YAML read with positions, so that every rubric problem can name its line.

ruamel.yaml speaks YAML 1.2: ``NO`` stays a string and ``2017-07-31`` is not a date
unless asked for, which spares rubric authors the YAML 1.1 surprises.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

__all__ = ["YamlDocument", "YamlSyntaxError", "parse_yaml"]

Loc = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def _plain(node: Any) -> Any:
    """ruamel's commented containers and scalar subclasses -> plain Python values."""
    if isinstance(node, (CommentedMap, dict)):
        return {(_plain(k) if not isinstance(k, str) else str(k)): _plain(v) for k, v in node.items()}
    if isinstance(node, (CommentedSeq, list)):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


class YamlDocument:
    """A parsed YAML document: plain data plus a way back to line numbers."""

    def __init__(self, root: Any):
        self.root = root
        self.data = _plain(root)

    def line(self, loc: Loc) -> int | None:
        """1-based line of the value at ``loc`` (or of the closest enclosing node)."""
        node = self.root
        best = self._start_line(node)
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                best = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                best = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        return best

    @staticmethod
    def _start_line(node: Any) -> int | None:
        lc = getattr(node, "lc", None)
        return lc.line + 1 if lc is not None and lc.line is not None else None

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
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "YAML 语法错误"
        raise YamlSyntaxError(f"YAML 语法错误:{problem}", line) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"YAML 语法错误:{exc}", None) from None
    return YamlDocument(root)
