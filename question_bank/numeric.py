"""Evaluate our parsed sympy trees at a point with mpmath, never sympy's evalf."""

from __future__ import annotations

import threading

import mpmath
import sympy

_MAX_MAGNITUDE = 4000  # binary exponent; beyond it a point is useless for comparison
_MAX_ARGUMENT = 10**6  # exp/sin/cos/tan of more than this is not worth computing
_local = threading.local()


class Unusable(Exception):
    """The expression cannot be evaluated usefully at this point."""


def context(dps: int) -> mpmath.MPContext:
    """Return this thread's mpmath context at `dps` digits (mp.dps is global state)."""
    contexts = getattr(_local, "contexts", None)
    if contexts is None:
        contexts = _local.contexts = {}
    if dps not in contexts:
        ctx = mpmath.MPContext()
        ctx.dps = dps
        contexts[dps] = ctx
    return contexts[dps]


def evaluate(expr: sympy.Expr, point: dict[sympy.Symbol, object], dps: int = 50):
    """Return the complex value of expr at point, or raise Unusable.

    Example:
        >>> x = sympy.Symbol("x")
        >>> complex(evaluate(x**2 + 1, {x: 3}))
        (10+0j)
    """
    ctx = context(dps)
    values = {sym: ctx.mpf(v) if not isinstance(v, ctx.mpf) else v for sym, v in point.items()}
    try:
        return _Evaluator(ctx, values).value(expr)
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError) as error:
        raise Unusable(str(error)) from None


class _Evaluator:
    def __init__(self, ctx: mpmath.MPContext, point: dict) -> None:
        self.ctx = ctx
        self.point = point
        self.memo: dict[sympy.Basic, object] = {}

    def value(self, expr: sympy.Basic):
        if expr in self.memo:
            return self.memo[expr]
        result = self._compute(expr)
        if not self.ctx.isfinite(result) or self.ctx.mag(result) > _MAX_MAGNITUDE:
            raise Unusable("too large")
        self.memo[expr] = result
        return result

    def _compute(self, expr: sympy.Basic):
        ctx = self.ctx
        if expr.is_Rational:
            return ctx.mpf(int(expr.p)) / int(expr.q)
        if expr.is_Symbol:
            if expr not in self.point:
                raise Unusable(f"no value for {expr}")
            return self.point[expr]
        if expr.is_Add:
            return ctx.fsum(self.value(a) for a in expr.args)
        if expr.is_Mul:
            return ctx.fprod(self.value(a) for a in expr.args)
        if expr.is_Pow:
            return self._power(expr)
        constant = _CONSTANTS.get(expr)
        if constant is not None:
            return getattr(ctx, constant)
        name = _FUNCTIONS.get(type(expr))
        if name is None or len(expr.args) != 1:
            raise Unusable(f"cannot evaluate {type(expr).__name__}")
        argument = self.value(expr.args[0])
        if name in ("exp", "sin", "cos", "tan") and abs(argument) > _MAX_ARGUMENT:
            raise Unusable("argument too large")
        if name == "log" and argument == 0:
            raise Unusable("log(0)")
        return getattr(ctx, name)(argument)

    def _power(self, expr: sympy.Pow):
        base = self.value(expr.base)
        exponent = expr.exp
        if exponent.is_Integer:
            if base == 0 and exponent < 0:
                raise Unusable("division by zero")
            return self.ctx.power(base, int(exponent))
        value = self.value(exponent)
        if base == 0:
            raise Unusable("zero base")
        # Principal branch, like sympy: exp(e*log(b)); refuse a huge result first.
        if abs(value) * abs(self.ctx.log(base)) > 3 * _MAX_MAGNITUDE:
            raise Unusable("too large")
        return self.ctx.power(base, value)


_CONSTANTS = {sympy.pi: "pi", sympy.E: "e", sympy.I: "j"}
_FUNCTIONS = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.tan: "tan",
    sympy.Abs: "fabs",
}
