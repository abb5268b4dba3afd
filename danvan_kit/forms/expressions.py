"""Safe expressions for form templates (constraints, relevance, calculations).

Analysts write small expressions in YAML, e.g. ``da_giai_quyet <= tong_so_vu``.
They must never reach Python's own evaluator, so the text is parsed with
``ast.parse(..., mode="eval")`` and the tree is checked against a whitelist
(literals, names, arithmetic, comparisons, and/or/not, ``x if c else y``,
list/tuple literals, calls of known functions by name) and then evaluated by
the small interpreter below.  Forbidden constructs raise ``ExpressionError``
(message in Vietnamese) at compile time.  Lower-case ``true``/``false`` are
booleans too; line breaks and ``#`` comments are allowed (YAML block text).

Empty fields are ``None``.  Arithmetic and ordering comparisons (``< <= > >=``,
``in``) with ``None`` give ``None``; ``==``/``!=`` compare normally; ``and``,
``or``, ``not`` and ``x if c else y`` treat ``None`` as false.  Runtime problems
(division by zero, wrong types, overflow, results beyond 1e15) also give
``None``.  Callers treat a constraint that evaluates to ``None`` as "not
checked" and a relevance that evaluates to ``None`` as "hidden".
"""
from __future__ import annotations

import ast
import io
import math
import operator
import re
import tokenize
import warnings
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, TypeGuard

from .dates import DATE_FUNCTIONS

__all__ = ["BUILTIN_FUNCTIONS", "Expression", "ExpressionError", "compile_expression"]

MAX_LENGTH = 2000          # characters of expression text
MAX_DEPTH = 50             # nesting of brackets and of AST nodes
MAX_STR_LITERAL = 1000
MAX_STR_RESULT = 10_000
MAX_ITEMS = 100            # list/tuple literal items
MAX_INT = 10 ** 15         # int literals must stay below this (15 digits)
MAX_POW_BASE, MAX_POW_EXP = 1e6, 10
MAX_REGEX, MAX_REGEX_INPUT = 200, 1000   # characters of a regex() pattern, and of the text it reads
# A quantified group that itself holds a quantifier, e.g. (a+)+ or (\w*)*: catastrophic backtracking.
_NESTED_QUANTIFIER = (r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_BOOL_NAMES = {"true": True, "false": False}
_CAUGHT = (ArithmeticError, TypeError, ValueError, LookupError, AttributeError)


class ExpressionError(ValueError):
    """Bad expression text (syntax or forbidden construct). str() is a Vietnamese message."""


# ---------------------------------------------------------------- helpers
def _is_num(x: Any) -> TypeGuard[int | float]:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num(x: Any) -> Any:
    """Clamp numeric results: complex, non-finite floats and ints beyond 1e15 become None."""
    if isinstance(x, complex) or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return None if isinstance(x, int) and not isinstance(x, bool) and abs(x) > MAX_INT else x


# ---------------------------------------------------------------- builtins
def _flat(args: tuple) -> list:
    """The arguments (or the items of one list argument) without empty fields."""
    items = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    return [a for a in items if a is not None]


def _fn_sum(*xs: Any) -> Any:
    items = _flat(xs)
    return sum(items) if all(map(_is_num, items)) else None


def _extreme(pick: Callable, xs: tuple) -> Any:
    items = _flat(xs)
    same = all(map(_is_num, items)) or all(isinstance(x, str) for x in items)
    return pick(items) if items and same else None


def _fn_round(x: Any, ndigits: Any = 0) -> Any:
    """Half away from zero (2.5 -> 3), as people round by hand; ndigits 0..6."""
    if not _is_num(x) or not isinstance(ndigits, int) or isinstance(ndigits, bool) \
            or not 0 <= ndigits <= 6:
        return None
    q = Decimal(str(x)).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    return int(q) if ndigits == 0 else float(q)


def _rows(rows: Any) -> list[Mapping]:
    """Rows of a repeated section: the dicts of a list (nothing for an empty field)."""
    return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, (list, tuple)) else []


def _convert(kind: type, x: Any) -> Any:
    """int()/float() giving None for empty fields and long text (failures are caught)."""
    if x is None or (isinstance(x, str) and len(x) > 50):
        return None
    return kind(x.strip() if isinstance(x, str) else x)


def _fn_contains(container: Any, item: Any) -> Any:
    both_text = isinstance(container, str) and isinstance(item, str)
    return item in container if both_text or isinstance(container, (list, tuple)) else None


def _fn_regex(text: Any, pattern: Any) -> Any:
    """True when `pattern` (checked when the template loads) is found in `text`; None for no text."""
    if not isinstance(text, str) or not isinstance(pattern, str) or len(text) > MAX_REGEX_INPUT:
        return None
    return re.search(pattern, text) is not None


BUILTIN_FUNCTIONS: Mapping[str, Callable] = MappingProxyType({
    "sum": _fn_sum,
    "min": lambda *xs: _extreme(min, xs),
    "max": lambda *xs: _extreme(max, xs),
    "abs": lambda x: abs(x) if _is_num(x) else None,
    "round": _fn_round,
    "count": lambda xs: 0 if xs is None else (len(xs) if isinstance(xs, (list, tuple)) else None),
    "len": lambda x: len(x) if isinstance(x, (str, list, tuple)) else None,
    "sum_of": lambda rows, field: sum(r.get(field) for r in _rows(rows) if _is_num(r.get(field))),
    "count_if": lambda rows, field, value: sum(1 for r in _rows(rows) if r.get(field) == value),
    "coalesce": lambda *xs: next((x for x in xs if x is not None), None),
    "int": lambda x: _convert(int, x),
    "float": lambda x: _convert(float, x),
    "today": lambda: date.today().isoformat(),
    "contains": _fn_contains,
    **DATE_FUNCTIONS,
    "regex": _fn_regex,
})
# (min, max) positional arguments; None = unlimited.
_ARITY = {"sum": (0, None), "min": (1, None), "max": (1, None), "abs": (1, 1), "round": (1, 2),
          "count": (1, 1), "len": (1, 1), "sum_of": (2, 2), "count_if": (3, 3),
          "coalesce": (1, None), "int": (1, 1), "float": (1, 1), "today": (0, 0),
          "year": (1, 1), "contains": (2, 2), "days_between": (2, 2), "add_days": (2, 2), "add_months": (2, 2),
          "months_between": (2, 2), "format_date": (1, 1), "regex": (2, 2)}

# ---------------------------------------------------------------- checking
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
          ast.Pow: operator.pow}
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_OP_SYMBOLS = {ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&",
               ast.BitOr: "|", ast.BitXor: "^", ast.Invert: "~"}
_FORBIDDEN: dict[type | tuple[type, ...], str] = {
    ast.Attribute: "không được dùng truy cập thuộc tính (a.b)",
    ast.Subscript: "không được dùng chỉ số hoặc cắt lát (a[0])",
    ast.Lambda: "không được dùng lambda",
    (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
        "không được dùng biểu thức duyệt (… for … in …)",
    ast.Starred: "không được dùng dấu * để trải danh sách",
    ast.JoinedStr: "không được dùng f-string (f'…')",
    ast.NamedExpr: "không được dùng phép gán (:=)",
    (ast.Await, ast.Yield, ast.YieldFrom): "không được dùng await/yield",
    ast.Dict: "không được dùng dict {khóa: giá trị}",
    ast.Set: "không được dùng tập hợp {…}",
}
_ALLOWED = (ast.Expression, ast.Constant, ast.Name, ast.BinOp, ast.UnaryOp, ast.BoolOp,
            ast.Compare, ast.IfExp, ast.List, ast.Tuple, ast.Call, ast.Load,
            ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _position(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if line > len(lines):                  # error reported after the end
        line, col = len(lines), len(lines[-1]) + 1
    return f"ở dòng {line}, cột {col}" if len(lines) > 1 else f"ở cột {col}"


def _scan_brackets(text: str) -> None:
    """Refuse deep or unbalanced bracket nesting before the parser sees it."""
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP and tok.string in ("(", "[", "{"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ExpressionError(f"biểu thức lồng nhau quá sâu (tối đa {MAX_DEPTH} tầng)")
            elif tok.type == tokenize.OP and tok.string in (")", "]", "}"):
                depth -= 1
                if depth < 0:
                    where = _position(text, tok.start[0], tok.start[1] + 1)
                    raise ExpressionError(f"lỗi cú pháp {where}: thừa dấu '{tok.string}'")
    except (tokenize.TokenError, SyntaxError):
        pass                                 # ast.parse reports these with a position


def _check_node(node: ast.AST, allowed_functions: set[str], extra: set[str]) -> None:
    """Check one node (children are checked by the caller's loop)."""
    for kind, message in _FORBIDDEN.items():
        if isinstance(node, kind):
            raise ExpressionError(message)
    if type(node) in _OP_SYMBOLS:
        raise ExpressionError(f"toán tử '{_OP_SYMBOLS[type(node)]}' không được phép")
    if not isinstance(node, _ALLOWED):
        raise ExpressionError(f"cấu trúc '{type(node).__name__}' không được phép trong biểu thức")
    if isinstance(node, ast.Constant):
        v = node.value
        if not (v is None or isinstance(v, (bool, int, float, str))):
            raise ExpressionError("không được dùng chuỗi bytes (b'…')" if isinstance(v, bytes)
                                  else f"giá trị {v!r} không được phép trong biểu thức")
        if isinstance(v, str) and len(v) > MAX_STR_LITERAL:
            raise ExpressionError(f"chuỗi ký tự quá dài (tối đa {MAX_STR_LITERAL} ký tự)")
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= MAX_INT:
            raise ExpressionError("số nguyên quá lớn (tối đa 15 chữ số)")
        if isinstance(v, float) and not math.isfinite(v):
            raise ExpressionError("số quá lớn")
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"không được dùng tên bắt đầu bằng '_' ({node.id!r})")
        if not node.id.isascii():
            raise ExpressionError(f"tên {node.id!r} chỉ được dùng chữ không dấu, chữ số và dấu _")
    elif isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) > MAX_ITEMS:
        raise ExpressionError(f"danh sách quá dài (tối đa {MAX_ITEMS} phần tử)")
    elif isinstance(node, ast.Compare):
        for cmp_op, right in zip(node.ops, node.comparators):
            if isinstance(cmp_op, (ast.Is, ast.IsNot)):
                raise ExpressionError("không được dùng 'is'; hãy dùng == hoặc !=")
            if isinstance(cmp_op, (ast.In, ast.NotIn)) and isinstance(right, ast.Constant):
                raise ExpressionError("toán tử 'in' cần một danh sách, ví dụ a in [1, 2]")
    elif isinstance(node, ast.Call):
        if node.keywords:
            raise ExpressionError("không được dùng tham số có tên (x=1) khi gọi hàm")
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(_FORBIDDEN[ast.Attribute] if isinstance(node.func, ast.Attribute)
                                  else "chỉ được gọi hàm bằng tên, ví dụ sum(a, b)")
        name = node.func.id
        if name.startswith("_"):
            raise ExpressionError(f"không được dùng tên bắt đầu bằng '_' ({name!r})")
        if name not in allowed_functions:
            raise ExpressionError(f"hàm {name!r} không được phép; các hàm dùng được: "
                                  + ", ".join(sorted(allowed_functions)))
        if name == "regex":
            _check_pattern(node.args[1] if len(node.args) == 2 else None)
        if name in _ARITY and name not in extra:
            lo, hi = _ARITY[name]
            if len(node.args) < lo or (hi is not None and len(node.args) > hi):
                want = f"{lo}" if lo == hi else f"từ {lo}" + (f" đến {hi}" if hi else " trở lên")
                raise ExpressionError(f"hàm {name!r} nhận {want} tham số, đang có {len(node.args)}")


def _check_pattern(node: ast.AST | None) -> None:
    """regex()'s pattern must be written in the template, short, valid and without nested quantifiers,
    so staff's typing can never make it run for long."""
    if node is None:
        return
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        raise ExpressionError("regex() cần mẫu viết sẵn trong ngoặc nháy, ví dụ regex(so_hieu, '^[0-9]+/BC-UBND$')")
    if len(node.value) > MAX_REGEX:
        raise ExpressionError(f"mẫu regex quá dài (tối đa {MAX_REGEX} ký tự)")
    if re.search(_NESTED_QUANTIFIER, node.value) or re.search(r"\\[1-9]", node.value):
        raise ExpressionError("mẫu regex có nhóm lặp lồng nhau hoặc tham chiếu ngược: có thể chạy rất lâu")
    try:
        re.search(node.value, "")  # compiles the pattern (and caches it) once, when the template loads
    except re.error as exc:
        where = f" (lỗi ở ký tự thứ {exc.pos + 1})" if exc.pos is not None else ""
        raise ExpressionError(f"mẫu regex không hợp lệ{where}") from None


def _check_literals(nodes: list[ast.AST]) -> None:
    """Fold literal-only parts (children before parents) and refuse abusive `**` and `*`."""
    known: dict[int, Any] = {}
    for node in nodes:
        if isinstance(node, ast.Constant):
            known[id(node)] = node.value
        elif isinstance(node, ast.UnaryOp) and id(node.operand) in known:
            known[id(node)] = _unary(node.op, known[id(node.operand)])
        elif isinstance(node, ast.BinOp):
            left, right = known.get(id(node.left)), known.get(id(node.right))
            if isinstance(node.op, ast.Mult) and (isinstance(left, str) or isinstance(right, str)):
                raise ExpressionError("không được nhân chuỗi ký tự")
            if isinstance(node.op, ast.Pow) and _is_num(left) and _is_num(right):
                if abs(right) > MAX_POW_EXP:
                    raise ExpressionError(f"số mũ quá lớn (tối đa {MAX_POW_EXP})")
                if abs(left) > MAX_POW_BASE:
                    raise ExpressionError("cơ số của phép ** quá lớn (tối đa 1 000 000)")
            if id(node.left) in known and id(node.right) in known:
                known[id(node)] = _binop(node.op, left, right)


# ---------------------------------------------------------------- evaluation
def _binop(op: ast.operator, a: Any, b: Any) -> Any:
    if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
        return a + b if len(a) + len(b) <= MAX_STR_RESULT else None
    if not (_is_num(a) and _is_num(b)):
        return None
    if isinstance(op, ast.Pow) and (abs(b) > MAX_POW_EXP or abs(a) > MAX_POW_BASE):
        return None
    try:
        return _num(_ARITH[type(op)](a, b))
    except (ArithmeticError, ValueError):
        return None


def _unary(op: ast.unaryop, v: Any) -> Any:
    if isinstance(op, ast.Not):
        return not v
    return (_num(-v) if isinstance(op, ast.USub) else v) if _is_num(v) else None


def _compare(op: ast.cmpop, a: Any, b: Any) -> bool | None:
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return (a == b) == isinstance(op, ast.Eq)
    if a is None or b is None:
        return None
    if isinstance(op, (ast.In, ast.NotIn)):
        return (a in b) == isinstance(op, ast.In) if isinstance(b, (list, tuple)) else None
    if (_is_num(a) and _is_num(b)) or (type(a) is type(b) and isinstance(a, (str, date))):
        return _ORDER[type(op)](a, b)
    return None


def _eval(node: ast.AST, values: Mapping[str, Any], funcs: Mapping[str, Callable]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _BOOL_NAMES[node.id] if node.id in _BOOL_NAMES else values.get(node.id)
    if isinstance(node, ast.BinOp):
        # Walk the left spine iteratively so long chains (a + b + c + ...) stay flat.
        spine = []
        while isinstance(node, ast.BinOp):
            spine.append(node)
            node = node.left
        result = _eval(node, values, funcs)
        for binop in reversed(spine):
            result = _binop(binop.op, result, _eval(binop.right, values, funcs))
        return result
    if isinstance(node, ast.UnaryOp):
        return _unary(node.op, _eval(node.operand, values, funcs))
    if isinstance(node, ast.BoolOp):
        want = isinstance(node.op, ast.Or)      # value that ends the evaluation early
        for sub in node.values:
            if bool(_eval(sub, values, funcs)) == want:
                return want
        return not want
    if isinstance(node, ast.Compare):
        left, unknown = _eval(node.left, values, funcs), False
        for op, sub in zip(node.ops, node.comparators):
            right = _eval(sub, values, funcs)
            ok, left = _compare(op, left, right), right
            if ok is False:
                return False
            unknown = unknown or ok is None
        return None if unknown else True
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, values, funcs) else node.orelse, values, funcs)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_eval(e, values, funcs) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)  # compile_expression accepts only calls of a plain name
        fn = funcs.get(node.func.id)
        if fn is None:
            raise ExpressionError(f"hàm {node.func.id!r} chưa được cung cấp khi tính biểu thức")
        args = [_eval(a, values, funcs) for a in node.args]
        try:
            return _num(fn(*args))
        except ExpressionError:
            raise
        except _CAUGHT:                      # runtime trouble inside a function -> None
            return None
    raise ExpressionError(f"cấu trúc '{type(node).__name__}' không được phép trong biểu thức")


# ---------------------------------------------------------------- public API
class Expression:
    """A checked expression; evaluate() interprets it against field values."""

    __slots__ = ("text", "names", "functions", "_tree")
    text: str
    names: frozenset[str]
    functions: frozenset[str]

    def __init__(self, text: str, tree: ast.Expression, names: frozenset[str],
                 functions: frozenset[str]) -> None:
        """Use compile_expression(); this constructor does not check the tree."""
        self.text, self._tree, self.names, self.functions = text, tree, names, functions

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    @property
    def tree(self) -> ast.Expression:
        """The checked syntax tree (read-only use: describing a constraint in words)."""
        return self._tree

    def evaluate(self, values: Mapping[str, Any],
                 functions: Mapping[str, Callable] | None = None) -> Any:
        funcs = {**BUILTIN_FUNCTIONS, **(functions or {})}
        try:
            return _eval(self._tree.body, values, funcs)
        except ExpressionError:
            raise
        except _CAUGHT:
            return None


def compile_expression(text: str, extra_functions: Iterable[str] = ()) -> Expression:
    """Parse and check `text`; raise ExpressionError (Vietnamese) if it is not allowed."""
    if not isinstance(text, str):
        raise ExpressionError("biểu thức phải là chuỗi ký tự")
    original = text
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ExpressionError("biểu thức trống")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"biểu thức quá dài ({len(text)} ký tự; tối đa {MAX_LENGTH})")
    _scan_brackets(text)
    try:
        # The wrapping brackets allow line breaks and comments in YAML block text;
        # "(" stands alone on line 1 so columns stay those of the original text.
        with warnings.catch_warnings():     # e.g. SyntaxWarning for "1if": no noise
            warnings.simplefilter("ignore")
            tree = ast.parse("(\n" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        where = _position(text, exc.lineno - 1, exc.offset or 1) if exc.lineno else ""
        raise ExpressionError(f"lỗi cú pháp {where}".strip()) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("lỗi cú pháp hoặc biểu thức quá phức tạp") from None
    if isinstance(tree.body, ast.Tuple) and tree.body.lineno == 1:   # our own brackets
        raise ExpressionError("biểu thức trống" if not tree.body.elts
                              else "lỗi cú pháp: dấu phẩy nằm ngoài ngoặc")
    extra = set(extra_functions)
    allowed = set(BUILTIN_FUNCTIONS) | extra
    names, functions, visited = set(), set(), []
    # Iterative walk with explicit depth; a BinOp's left operand keeps its parent's
    # depth so that long flat chains like a + b + c + ... are not "deep".
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"biểu thức lồng nhau quá sâu (tối đa {MAX_DEPTH} tầng)")
        _check_node(node, allowed, extra)
        visited.append(node)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)  # _check_node refused any other call
            functions.add(node.func.id)
            children: list[ast.AST] = list(node.args)
        else:
            children = list(ast.iter_child_nodes(node))
            if isinstance(node, ast.Name) and node.id not in _BOOL_NAMES:
                names.add(node.id)
        for child in children:       # operators and contexts are not nesting
            flat = not isinstance(child, ast.expr) or (
                isinstance(node, ast.BinOp) and child is node.left)
            stack.append((child, depth if flat else depth + 1))
    _check_literals(visited[::-1])
    return Expression(original, tree, frozenset(names), frozenset(functions))
