"""The part of Go's text/template that the export's Modelfile TEMPLATE uses, executed as Go does.

Actions: ``if``/``else if``/``else``/``end``, ``range $m := .Messages``, ``$m.Content``, a quoted
string, and the conditions ``not .Messages``, ``ne (index .Messages 0).Role "..."``, ``eq $m.Role
"..."``. Anything else is an error, so a template that leaves this subset fails the test rather
than rendering something Ollama would not.
"""

from __future__ import annotations

import json
import re
from typing import Any

ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def parse(template: str) -> list[Any]:
    """Nodes: text, ("print", expr), ("if", [(cond, body), ...], else_body), ("range", var, body)."""
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in ACTION.finditer(template):
        tokens.append(("text", template[position : match.start()]))
        tokens.append(("action", match.group(1).strip()))
        position = match.end()
    tokens.append(("text", template[position:]))
    nodes, rest = _block(tokens)
    if rest:
        raise ValueError(f"unexpected {rest[0]}")
    return nodes


def _block(tokens: list[tuple[str, str]]) -> tuple[list[Any], list[tuple[str, str]]]:
    nodes: list[Any] = []
    while tokens:
        kind, value = tokens[0]
        if kind == "text":
            nodes.append(value)
            tokens = tokens[1:]
        elif value == "end" or value == "else" or value.startswith("else if "):
            return nodes, tokens
        elif value.startswith("if "):
            branches, otherwise = [], []
            condition, tokens = value[3:], tokens[1:]
            while True:
                body, tokens = _block(tokens)
                branches.append((condition, body))
                closing = tokens[0][1]
                tokens = tokens[1:]
                if closing.startswith("else if "):
                    condition = closing[8:]
                    continue
                if closing == "else":
                    otherwise, tokens = _block(tokens)
                    assert tokens[0][1] == "end", tokens[0]
                    tokens = tokens[1:]
                break
            nodes.append(("if", branches, otherwise))
        elif match := re.fullmatch(r"range (\$\w+) := \.Messages", value):
            body, tokens = _block(tokens[1:])
            assert tokens[0][1] == "end", tokens[0]
            nodes.append(("range", match.group(1), body))
            tokens = tokens[1:]
        else:
            nodes.append(("print", value))
            tokens = tokens[1:]
    return nodes, tokens


def execute(template: str, messages: list[dict[str, str]]) -> str:
    return _run(parse(template), {"messages": messages})


def _run(nodes: list[Any], scope: dict[str, Any]) -> str:
    out = ""
    for node in nodes:
        if isinstance(node, str):
            out += node
        elif node[0] == "print":
            out += _value(node[1], scope)
        elif node[0] == "if":
            body = next((body for condition, body in node[1] if _condition(condition, scope)), node[2])
            out += _run(body, scope)
        else:
            for message in scope["messages"]:
                out += _run(node[2], {**scope, node[1]: message})
    return out


def _value(expression: str, scope: dict[str, Any]) -> str:
    if match := re.fullmatch(r"(\$\w+)\.(Role|Content)", expression):
        return scope[match.group(1)][match.group(2).lower()]
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', expression):
        return json.loads(expression)
    if expression == "(index .Messages 0).Role":
        return scope["messages"][0]["role"]
    raise ValueError(f"not in the subset: {expression}")


def _condition(condition: str, scope: dict[str, Any]) -> bool:
    if condition == "not .Messages":
        return not scope["messages"]
    if match := re.fullmatch(r"(eq|ne) (\(index \.Messages 0\)\.Role|\$\w+\.Role) (\"[^\"]*\")", condition):
        equal = _value(match.group(2), scope) == _value(match.group(3), scope)
        return equal if match.group(1) == "eq" else not equal
    raise ValueError(f"not in the subset: {condition}")
