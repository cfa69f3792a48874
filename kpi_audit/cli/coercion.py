"""Option values coerced only when there is a value to coerce.

typer builds a pydantic ``TypeAdapter`` for every parameter it processes, even one left
at its default, and importing pydantic for that is most of a ``kpi-audit check --help``
(the root group's options are processed before the command's ``--help`` is seen). Here
each parameter starts with a stand-in that passes a missing value (``None``) and a
default that already has its annotated type (``verbose=0``) straight through, and builds
typer's own coercion the first time a real value arrives, so validation (``--wait -1``,
``--period`` choices, paths) is exactly typer's. Relies on typer's
``_TyperParameter._runtime_param`` (typer is pinned to < 0.30 in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from typer._click import Context, Parameter
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import _TyperParameter


@dataclass(frozen=True)
class _DeferredCoercion(RuntimeParam):
    """typer's coercion for one parameter, built on the first value that needs it."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        annotation = self.descriptor.annotation
        if (
            isinstance(annotation, type)
            and type(value) is annotation
            and value == param.default
            and not self.descriptor.is_ranged
        ):
            return value
        real = build_runtime_param(self.descriptor)
        param._runtime_param = real
        return real._coerce_value(value, param=param, ctx=ctx)


def defer_coercion(params: Iterable[Parameter]) -> None:
    """Give each typer parameter in ``params`` a coercion built on first use."""
    for param in params:
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            desc = param.type_descriptor
            param._runtime_param = _DeferredCoercion(
                parameter_info=desc.parameter_info, annotation=desc.annotation, descriptor=desc
            )
