"""Tests for the safe template expression language (danvan_kit.expressions)."""
from __future__ import annotations

import io
import time
import tokenize
from datetime import date
from pathlib import Path

import pytest

from danvan_kit.forms import expressions
from danvan_kit.forms.expressions import (
    BUILTIN_FUNCTIONS,
    Expression,
    ExpressionError,
    compile_expression,
)


def ev(text: str, values: dict | None = None, functions: dict | None = None, extra=()):
    return compile_expression(text, extra).evaluate(values or {}, functions)


# ------------------------------------------------------------------ language
def test_settled_cannot_exceed_received_is_expressible():
    expr = compile_expression("da_giai_quyet <= tong_so_vu")
    assert expr.evaluate({"da_giai_quyet": 3, "tong_so_vu": 5}) is True
    assert expr.evaluate({"da_giai_quyet": 6, "tong_so_vu": 5}) is False
    assert isinstance(expr, Expression) and expr.text == "da_giai_quyet <= tong_so_vu"


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("7 // 2", 3), ("7 % 3", 1),
    ("2 ** 10", 1024), ("-3 + +1", -2), ("1 + 2.5", 3.5), ("10 - 4 - 3", 3),
    ("2 ** -1", 0.5), ("'ab' + 'cd'", "abcd"),
])
def test_arithmetic_follows_usual_precedence(text, expected):
    assert ev(text) == expected


def test_division_by_zero_gives_none_instead_of_raising():
    assert ev("a / b", {"a": 1, "b": 0}) is None
    assert ev("a // 0 + 1", {"a": 1}) is None
    assert ev("a % 0", {"a": 1}) is None


def test_booleans_are_not_numbers_in_arithmetic():
    assert ev("a + 1", {"a": True}) is None
    assert ev("-a", {"a": True}) is None


def test_results_beyond_limits_become_none():
    assert ev("a * a", {"a": 10 ** 8}) is None            # 1e16 > 1e15
    assert ev("a * 10", {"a": 1e308}) is None             # inf
    assert ev("a ** 2", {"a": -8}) == 64
    assert ev("a ** 0.5", {"a": -8}) is None              # complex result
    assert ev("a ** b", {"a": 2, "b": 11}) is None        # exponent too large at runtime
    assert ev("a ** 2", {"a": 2_000_000}) is None         # base too large at runtime


def test_long_flat_sums_do_not_count_as_nesting():
    text = " + ".join(f"f{i}" for i in range(300))
    assert len(text) < 2000
    expr = compile_expression(text)
    assert expr.evaluate({f"f{i}": 1 for i in range(300)}) == 300
    assert len(expr.names) == 300


@pytest.mark.parametrize("text, expected", [
    ("1 < 2 < 3", True), ("1 < 3 < 2", False), ("3 >= 3 > 2 != 1", True),
    ("1 == 1.0", True), ("'a' < 'b'", True), ("2 <= 1", False), ("1 != 2", True),
])
def test_comparisons_and_chains(text, expected):
    assert ev(text) is expected


def test_ordering_comparison_between_incompatible_types_gives_none():
    assert ev("a < 1", {"a": "x"}) is None
    assert ev("a > 0", {"a": [1]}) is None


def test_dates_compare_in_order():
    assert ev("a < b", {"a": date(2024, 1, 1), "b": date(2024, 6, 1)}) is True


# ------------------------------------------------------------------ None handling
def test_empty_field_makes_arithmetic_and_ordering_none():
    assert ev("a + 1", {}) is None
    assert ev("a * 2 + 1", {"a": None}) is None
    assert ev("a < 3", {}) is None
    assert ev("0 <= a <= 10", {}) is None
    assert ev("-a", {}) is None


def test_chain_is_false_if_any_known_link_is_false_even_with_empty_field():
    assert ev("5 < 3 < a", {}) is False


def test_equality_with_empty_field_compares_normally():
    assert ev("a == 3", {}) is False
    assert ev("a != 3", {}) is True
    assert ev("a == None", {}) is True


def test_and_or_not_treat_none_as_false_and_return_bool():
    assert ev("a and true", {}) is False
    assert ev("a or b", {"b": 5}) is True
    assert ev("a or b", {}) is False
    assert ev("not a", {}) is True
    assert ev("not 0") is True
    assert ev("x > 0 and y > 0", {"x": 1, "y": 2}) is True


def test_and_short_circuits_before_unsupplied_function():
    # The right side would raise (function not supplied) if it were evaluated.
    expr = compile_expression("false and score_total() > 1", ["score_total"])
    assert expr.evaluate({}) is False


def test_lower_case_true_false_are_booleans_not_fields():
    expr = compile_expression("true and not false and True")
    assert expr.evaluate({"true": False}) is True
    assert expr.names == frozenset()


def test_membership_in_list_literal_and_list_value():
    assert ev("loai in ['a', 'b']", {"loai": "b"}) is True
    assert ev("loai not in ('a', 'b')", {"loai": "c"}) is True
    assert ev("'x' in chon", {"chon": ["x", "y"]}) is True
    assert ev("'x' in chon", {}) is None
    assert ev("loai in [1, 2]", {}) is None


def test_conditional_expression_picks_branch():
    assert ev("'cao' if diem >= 8 else 'thap'", {"diem": 9}) == "cao"
    assert ev("'cao' if diem >= 8 else 'thap'", {"diem": 2}) == "thap"
    assert ev("1 if diem >= 8 else 0", {}) == 0          # None condition -> else branch


def test_list_literals_evaluate_to_lists():
    assert ev("[1, a, 'x']", {"a": 2}) == [1, 2, "x"]
    assert ev("(1, 2)") == (1, 2)


def test_strings_concatenate_only_up_to_ten_thousand_chars():
    assert ev("a + b", {"a": "x" * 5000, "b": "y" * 5000}) == "x" * 5000 + "y" * 5000
    assert ev("a + b", {"a": "x" * 5000, "b": "y" * 5001}) is None
    assert ev("a + 1", {"a": "x"}) is None


def test_string_repetition_from_values_gives_none_quickly():
    start = time.perf_counter()
    assert ev("s * n", {"s": "a", "n": 10 ** 9}) is None
    assert time.perf_counter() - start < 0.5


def test_multiline_text_with_comments_is_accepted():
    expr = compile_expression("a > 0  # phải dương\n  and b < 3\n")
    assert expr.evaluate({"a": 1, "b": 2}) is True
    assert expr.evaluate({"a": 1, "b": 5}) is False


# ------------------------------------------------------------------ builtins
def test_builtin_function_table_is_read_only_and_complete():
    assert set(BUILTIN_FUNCTIONS) == {
        "sum", "min", "max", "abs", "round", "count", "len", "sum_of", "count_if",
        "coalesce", "int", "float", "today", "year", "contains", "days_between", "add_days", "add_months",
        "months_between", "format_date", "regex"}
    with pytest.raises(TypeError):
        BUILTIN_FUNCTIONS["open"] = open  # type: ignore[index]


def test_sum_accepts_arguments_or_one_list_and_ignores_empty_fields():
    assert ev("sum(a, b, c)", {"a": 1, "b": None, "c": 2.5}) == 3.5
    assert ev("sum(xs)", {"xs": [1, None, 2]}) == 3
    assert ev("sum()") == 0
    assert ev("sum(a)", {}) == 0
    assert ev("sum(a, 1)", {"a": "x"}) is None


def test_min_and_max_ignore_empty_fields():
    assert ev("min(a, b, 3)", {"a": 5, "b": None}) == 3
    assert ev("max(a, b, 3)", {"a": 5}) == 5
    assert ev("max(a, b)", {}) is None
    assert ev("min(xs)", {"xs": [4, 2, None]}) == 2
    assert ev("max(1, 'a')") is None


def test_abs_and_round_half_away_from_zero():
    assert ev("abs(-4)") == 4
    assert ev("abs(a)", {}) is None
    assert ev("round(2.5)") == 3 and isinstance(ev("round(2.5)"), int)
    assert ev("round(-2.5)") == -3
    assert ev("round(2.675, 2)") == 2.68
    assert ev("round(1.23456789, 6)") == 1.234568
    assert ev("round(1.5, 7)") is None
    assert ev("round(a, 1)", {}) is None


def test_count_and_len():
    assert ev("count(xs)", {"xs": [1, 2, 3]}) == 3
    assert ev("count(xs)", {}) == 0
    assert ev("len(s)", {"s": "xin chào"}) == 8
    assert ev("len(xs)", {"xs": [1, 2]}) == 2
    assert ev("len(s)", {}) is None


ROWS = [
    {"don_vi": "xa_a", "so_cuoc": 3, "loai": "truc_tiep"},
    {"don_vi": "xa_b", "so_cuoc": None, "loai": "truc_tiep"},
    {"don_vi": "xa_c", "so_cuoc": "khong ro", "loai": "truc_tuyen"},
    {"don_vi": "xa_d", "so_cuoc": 4.5, "loai": "truc_tuyen"},
]


def test_sum_of_adds_one_field_over_rows_ignoring_blanks_and_text():
    assert ev("sum_of(rows, 'so_cuoc')", {"rows": ROWS}) == 7.5
    assert ev("sum_of(rows, 'khong_co')", {"rows": ROWS}) == 0
    assert ev("sum_of(rows, 'so_cuoc')", {}) == 0


def test_count_if_counts_rows_with_a_value():
    assert ev("count_if(rows, 'loai', 'truc_tuyen')", {"rows": ROWS}) == 2
    assert ev("count_if(rows, 'so_cuoc', None)", {"rows": ROWS}) == 1
    assert ev("count_if(rows, 'loai', 'x')", {}) == 0


def test_coalesce_int_float():
    assert ev("coalesce(a, b, 0)", {"b": 7}) == 7
    assert ev("coalesce(a, b)", {}) is None
    assert ev("int(' 42 ')") == 42
    assert ev("int(3.9)") == 3
    assert ev("int('abc')") is None
    assert ev("int(a)", {}) is None
    assert ev("float('2.5')") == 2.5
    assert ev("float('nan')") is None
    assert ev("float('x')") is None
    assert ev("int(a) + int(b)", {"a": True, "b": False}) == 1   # explicit conversion of a checkbox
    assert ev("int(s)", {"s": "9" * 20}) is None                 # beyond 1e15


def test_date_functions():
    assert ev("today()") == date.today().isoformat()
    assert ev("year(d)", {"d": "2024-03-15"}) == 2024
    assert ev("year(d)", {"d": date(2023, 1, 2)}) == 2023
    assert ev("year(d)", {"d": "hôm qua"}) is None
    assert ev("year(d)", {}) is None
    assert ev("days_between('2024-01-01', '2024-03-01')") == 60
    assert ev("days_between(a, '2024-03-01')", {}) is None
    assert ev("days_between(today(), today())") == 0


def test_contains_works_on_lists_and_strings():
    assert ev("contains(xs, 'b')", {"xs": ["a", "b"]}) is True
    assert ev("contains(s, 'dân vận')", {"s": "công tác dân vận"}) is True
    assert ev("contains(s, 'x')", {"s": "abc"}) is False
    assert ev("contains(xs, 'a')", {}) is None


def test_builtin_called_with_wrong_number_of_arguments_is_refused():
    with pytest.raises(ExpressionError, match="round"):
        compile_expression("round(1, 2, 3)")
    with pytest.raises(ExpressionError, match="today"):
        compile_expression("today(1)")


# ------------------------------------------------------------------ caller functions
def test_extra_functions_supplied_by_caller_are_called():
    expr = compile_expression("score_total() >= 80 and classify(diem) == 'tot'",
                              ["score_total", "classify"])
    funcs = {"score_total": lambda: 85, "classify": lambda d: "tot" if d >= 8 else "kha"}
    assert expr.evaluate({"diem": 9}, funcs) is True
    assert expr.evaluate({"diem": 5}, funcs) is False
    assert expr.functions == frozenset({"score_total", "classify"})


def test_extra_function_failing_at_runtime_gives_none():
    expr = compile_expression("coalesce(section_score('A'), -1)", ["section_score"])
    assert expr.evaluate({}, {"section_score": lambda s: 1 / 0}) == -1


def test_extra_function_not_declared_is_refused_at_compile_time():
    with pytest.raises(ExpressionError, match="score_total"):
        compile_expression("score_total() > 1")


def test_declared_function_missing_at_evaluation_is_a_template_error():
    expr = compile_expression("score_total() > 1", ["score_total"])
    with pytest.raises(ExpressionError, match="score_total"):
        expr.evaluate({})


def test_caller_function_can_override_a_builtin():
    expr = compile_expression("sum(1, 2)")
    assert expr.evaluate({}, {"sum": lambda *xs: "khác"}) == "khác"


# ------------------------------------------------------------------ names
def test_names_and_functions_are_collected_separately():
    expr = compile_expression("sum(a, b) > max(c, 1) and d in [e] and coalesce(f, true)")
    assert expr.names == frozenset("abcdef")
    assert expr.functions == frozenset({"sum", "max", "coalesce"})


def test_null_is_an_ordinary_field_name_not_an_alias_of_none():
    expr = compile_expression("null == 1")
    assert expr.names == frozenset({"null"})
    assert expr.evaluate({"null": 1}) is True


def test_function_name_used_as_a_field_is_a_name():
    expr = compile_expression("count + 1")
    assert expr.names == frozenset({"count"}) and expr.functions == frozenset()
    assert expr.evaluate({"count": 2}) == 3


# ------------------------------------------------------------------ hostile input
HOSTILE = [
    ("__import__('os').system('ls')", "thuộc tính"),
    ("().__class__.__bases__[0].__subclasses__()", ""),
    ("open('/etc/passwd')", "hàm 'open' không được phép"),
    ("eval('1')", "hàm 'eval' không được phép"),
    ("exec('x=1')", "không được phép"),
    ("getattr(a, 'b')", "không được phép"),
    ("__import__('os')", "'_'"),
    ("(lambda: 1)()", ""),
    ("[x for x in range(10)]", "duyệt"),
    ("sum(x for x in a)", "duyệt"),
    ("9**9**9", "số mũ quá lớn"),
    ("10**100000", "số mũ quá lớn"),
    ("(10**6+1)**2", "cơ số"),
    ("-10**11", "số mũ quá lớn"),
    ("'a'*10**9", "nhân chuỗi"),
    ("a[0]", "chỉ số"),
    ("f'{a}'", "f-string"),
    ("(a:=1)", ":="),
    ("_secret", "'_'"),
    ("{1:2}", "dict"),
    ("{1, 2}", "tập hợp"),
    ("sum(x=1)", "tham số có tên"),
    ("sum(*a)", "dấu *"),
    ("sum(**a)", "tham số có tên"),
    ("b'abc'", "bytes"),
    ("1234567890123456", "15 chữ số"),
    ("1e999", "quá lớn"),
    ("1j", "không được phép"),
    ("a is None", "is"),
    ("1 << 10", "'<<'"),
    ("~a", "'~'"),
    ("a @ b", "'@'"),
    ("f(1)(2)", ""),
    ("'" + "x" * 1001 + "'", "chuỗi ký tự quá dài"),
    ("[" + ", ".join(["1"] * 101) + "]", "tối đa 100"),
    ("a in 'abc'", "danh sách"),
    ("số_cuộc > 1", "không dấu"),
    ("a, b", "dấu phẩy"),
    ("", "trống"),
    ("   # chỉ có chú thích", "trống"),
    ("await a", "await"),
    ("(yield a)", "yield"),
    ("...", "không được phép"),
]


@pytest.mark.parametrize("text, fragment", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_or_forbidden_input_is_refused(text, fragment):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert fragment in str(info.value)
    assert str(info.value)  # always a message for the analyst


def test_syntax_error_reports_column_in_vietnamese():
    with pytest.raises(ExpressionError, match="lỗi cú pháp ở cột 7"):
        compile_expression("a + b )")
    with pytest.raises(ExpressionError, match="lỗi cú pháp ở cột"):
        compile_expression("a + * 2")
    with pytest.raises(ExpressionError, match="lỗi cú pháp ở dòng 2"):
        compile_expression("a > 1\nand and b")


def test_null_byte_is_a_syntax_error():
    with pytest.raises(ExpressionError, match="lỗi cú pháp"):
        compile_expression("a\x00")


def test_overlong_text_is_refused():
    text = " + ".join(["a"] * 1667)     # ~5000 characters
    assert len(text) > 4990
    with pytest.raises(ExpressionError, match="quá dài"):
        compile_expression(text)


def test_thousand_nested_parentheses_are_refused_without_recursion_error():
    with pytest.raises(ExpressionError):
        compile_expression("(" * 1000 + "1" + ")" * 1000)


def test_deep_nesting_is_refused_even_when_the_length_limit_is_lifted(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_LENGTH", 10 ** 6)
    for text in ["(" * 1000 + "1" + ")" * 1000, "[" * 5000 + "]" * 5000,
                 "-" * 5000 + "1", "not " * 3000 + "a", "a**" * 3000 + "a",
                 "1 if a else " * 1000 + "2"]:
        with pytest.raises(ExpressionError) as info:
            compile_expression(text)
        assert "sâu" in str(info.value) or "phức tạp" in str(info.value), text[:20]


@pytest.mark.parametrize("text", ["(" * 51 + "1" + ")" * 51, "-" * 60 + "1", "not " * 60 + "a"])
def test_nesting_deeper_than_fifty_is_refused(text):
    with pytest.raises(ExpressionError, match="lồng nhau quá sâu"):
        compile_expression(text)


def test_nesting_of_fifty_brackets_inside_a_string_is_just_text():
    assert ev("'" + "(" * 60 + "'") == "(" * 60


def test_module_source_never_calls_eval_exec_or_compile():
    source = Path(expressions.__file__).read_text(encoding="utf-8")
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)]
    called = {a.string for a, b in zip(tokens, tokens[1:])
              if a.type == tokenize.NAME and b.string == "("}
    assert not called & {"eval", "exec", "compile", "__import__", "getattr", "setattr"}
    assert "ast.parse" in source


def test_date_arithmetic_and_dd_mm_yyyy_text():
    assert ev("add_days('2026-01-31', 30)") == "2026-03-02"
    assert ev("add_days('2026-03-02', -30)") == "2026-01-31"
    assert ev("add_months('2026-01-31', 1)") == "2026-02-28"
    assert ev("add_months('2024-01-31', 1)") == "2024-02-29"
    assert ev("add_months('2026-11-30', 14)") == "2028-01-30"
    assert ev("months_between('2026-01-15', '2026-03-14')") == 1
    assert ev("months_between('2026-01-15', '2026-03-15')") == 2
    assert ev("months_between('2026-03-15', '2026-01-16')") == -1
    assert ev("format_date('2026-04-28')") == "28/04/2026"
    assert ev("add_days(a, 3)", {}) is None and ev("format_date(a)", {}) is None
    assert ev("add_days('2026-01-01', 10 ** 9)") is None


def test_regex_finds_its_pattern_and_refuses_dangerous_or_computed_patterns():
    assert ev("regex('58/BC-UBND', '^[0-9]+/BC-UBND$')") is True
    assert ev("regex('58/BC', '^[0-9]+/BC-UBND$')") is False
    assert ev("regex(a, '^x$')", {}) is None
    assert ev("regex(a, '^x')", {"a": "x" * 5000}) is None           # too long to read: not checked
    for bad, why in [("regex(a, '(a+)+$')", "lồng nhau"), ("regex(a, b)", "viết sẵn"),
                     ("regex(a, '[')", "không hợp lệ"), ("regex(a, '(x*)*')", "lồng nhau"),
                     ("regex(a, '" + "x" * 201 + "')", "quá dài")]:
        with pytest.raises(ExpressionError, match=why):
            compile_expression(bad)
