"""Plain Vietnamese for a constraint written without a message, from the expression's shape.

A constraint made of comparisons (`so_da_giai_quyet <= so_tiep_nhan`, `0 < x < 10`,
`loai in ['a', 'b']`), joined by `and`/`or`, of field names, numbers, text, `+ - * /`,
`sum()`, `len()` and `today()` reads as a sentence naming fields by their labels:
"không được lớn hơn «Số đơn tiếp nhận»". Anything else (`not`, `if … else`, regex(),
other functions) cannot be said plainly: `describe_constraint` gives None and the
loader then requires a `constraint_message`, so staff never see an expression.
"""
from __future__ import annotations

import ast
from typing import Mapping

from .expressions import ExpressionError, compile_expression
from .numbers import format_number
from .scoring import FORM_FUNCTIONS

__all__ = ["describe_constraint"]

_OPS = {ast.Lt: "phải nhỏ hơn", ast.LtE: "không được lớn hơn", ast.Gt: "phải lớn hơn",
        ast.GtE: "không được nhỏ hơn", ast.Eq: "phải bằng", ast.NotEq: "phải khác"}
_FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Eq: ast.Eq,
         ast.NotEq: ast.NotEq}
_ARITH = {ast.Add: "cộng", ast.Sub: "trừ", ast.Mult: "nhân", ast.Div: "chia cho"}


class _Unsaid(Exception):
    """The shape has no plain sentence."""


def _operand(node: ast.AST, subject: str, labels: Mapping[str, str]) -> str:
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return "Có" if node.id == "true" else "Không"
        return "giá trị này" if node.id == subject else f"«{labels.get(node.id, node.id)}»"
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return "Có" if value else "Không"
        if isinstance(value, (int, float)):
            return format_number(value)
        if isinstance(value, str):
            return f"«{value}»"
        raise _Unsaid
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return "âm " + _operand(node.operand, subject, labels)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return (f"{_operand(node.left, subject, labels)} {_ARITH[type(node.op)]} "
                f"{_operand(node.right, subject, labels)}")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_operand(a, subject, labels) for a in node.args]
        if node.func.id == "sum" and args:
            return "tổng " + ", ".join(args)
        if node.func.id == "len" and len(args) == 1:
            return f"độ dài của {args[0]}"
        if node.func.id == "today" and not args:
            return "ngày hôm nay"
    raise _Unsaid


def _compare(node: ast.Compare, subject: str, labels: Mapping[str, str]) -> str:
    parts = []
    left = node.left
    for op, right in zip(node.ops, node.comparators):
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.List, ast.Tuple)):
                raise _Unsaid
            items = ", ".join(_operand(e, subject, labels) for e in right.elts)
            verb = "phải là một trong" if isinstance(op, ast.In) else "không được là"
            who = _operand(left, subject, labels)
            parts.append(f"{verb}: {items}" if who == "giá trị này" else f"{who} {verb}: {items}")
        elif type(op) in _OPS:
            kind: type[ast.cmpop] = type(op)
            a, b = left, right
            if isinstance(b, ast.Name) and b.id == subject and not (isinstance(a, ast.Name) and a.id == subject):
                a, b, kind = b, a, _FLIP[kind]
            who = _operand(a, subject, labels)
            what = f"{_OPS[kind]} {_operand(b, subject, labels)}"
            parts.append(what if who == "giá trị này" else f"{who} {what}")
        else:
            raise _Unsaid
        left = right
    return " và ".join(parts)


def _say(node: ast.AST, subject: str, labels: Mapping[str, str]) -> str:
    if isinstance(node, ast.Compare):
        return _compare(node, subject, labels)
    if isinstance(node, ast.BoolOp):
        joiner = "; " if isinstance(node.op, ast.And) else " hoặc "
        return joiner.join(_say(v, subject, labels) for v in node.values)
    raise _Unsaid


def describe_constraint(text: str, subject: str, labels: Mapping[str, str]) -> str | None:
    """A plain sentence for constraint `text` on field `subject` (labels name the others), or None."""
    try:
        tree = compile_expression(text, extra_functions=FORM_FUNCTIONS).tree
        return _say(tree.body, subject, labels)
    except (_Unsaid, ExpressionError):
        return None
