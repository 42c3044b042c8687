"""The model summary: one row per layer as built (output shape, weights, multiply-adds per
image) and the totals, the same for both backends because it is computed from the description.
Shown by `digitpad summary`, Model > Model summary and the layer editor."""

from __future__ import annotations

from typing import Any

from digitpad.network.layers import Layer
from digitpad.network.plan import plan, totals


def rows(layers: tuple[Layer, ...] | list[Layer]) -> dict[str, Any]:
    """`{"layers": [{"layer", "output_shape", "params", "flops", "implied"}, ...], "params",
    "flops"}`; flops are multiply-adds per image (dense and conv layers do all of them)."""
    steps = plan(layers)
    params, flops = totals(steps)
    return {
        "layers": [
            {
                "layer": s.name,
                "output_shape": list(s.output_shape),
                "params": s.params,
                "flops": s.flops,
                "implied": s.implied,
            }
            for s in steps
        ],
        "params": params,
        "flops": flops,
    }


def as_text(layers: tuple[Layer, ...] | list[Layer]) -> str:
    """The summary as an aligned table for a terminal."""
    summary = rows(layers)
    lines = [f"{'layer':<34} {'output shape':<14} {'weights':>10} {'multiply-adds':>14}"]
    lines.append("-" * len(lines[0]))
    for row in summary["layers"]:
        shape = "x".join(str(n) for n in row["output_shape"])
        name = row["layer"] + (" *" if row["implied"] and not row["params"] else "")
        lines.append(f"{name:<34} {shape:<14} {row['params']:>10,} {row['flops']:>14,}")
    lines.append("-" * len(lines[0]))
    lines.append(f"{'total':<34} {'':<14} {summary['params']:>10,} {summary['flops']:>14,}")
    if any(r["implied"] and not r["params"] for r in summary["layers"]):
        lines.append("* added by digitpad: a dense layer takes a flat input")
    return "\n".join(lines)
