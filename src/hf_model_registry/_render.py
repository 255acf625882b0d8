"""What the command line prints about results: refresh summaries, rankings, the registry.

Plain lines for pipes and logs, rich tables for a terminal, JSON for scripts. Every cell is
escaped with ``printable``: reasons, ids and tags quote the Hub. Front-end code only; the
library below never prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import printable

if TYPE_CHECKING:
    from ._refresh import RefreshReport
    from ._selection import Ranking

__all__ = [
    "ranking_json",
    "ranking_lines",
    "ranking_table",
    "registry_table",
    "summary_lines",
]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_lines(report: RefreshReport) -> list[str]:
    """A readable summary: counts, each changed default, each failure."""
    counts = {
        "updated": len(report.names("updated")),
        "unchanged": len(report.names("unchanged")),
        "no candidates": len(report.names("no-candidates")),
        "skipped": len(report.names("skipped", "pinned")),
    }
    # Zero counts say nothing, except failures: "0 failed" is what a script checks.
    outcomes = [f"{n} {label}" for label, n in counts.items() if n]
    outcomes.append(f"{len(report.failed)} failed")
    trouble = [
        f"{n} {label}"
        for label, n in (("rate-limited", report.rate_limited), ("retried", report.retries))
        if n
    ]
    total = sum(counts.values()) + len(report.failed)
    lines = [
        f"{_count(total, 'architecture')} in {report.seconds:.1f} s, "
        f"{_count(report.requests, 'request')}"
        + (f" ({', '.join(trouble)})" if trouble else "")
        + ": "
        + ", ".join(outcomes),
    ]
    changed = [o for o in report.changed if o.old_default is not None]
    added = [o.model_type for o in report.changed if o.old_default is None]
    if changed:
        lines.append("changed defaults:")
        for outcome in changed:
            lines.append(f"  {outcome.model_type}: {outcome.old_default} -> {outcome.new_default}")
    if added:
        shown = ", ".join(added[:8]) + (f", ... ({len(added) - 8} more)" if len(added) > 8 else "")
        lines.append(f"new entries: {len(added)} ({shown})")
    if report.failed:
        lines.append("failed (previous entries kept):")
        for name, reason in report.failed.items():
            lines.append(f"  {name}: {reason}")
    if report.written and report.registry is not None:
        lines.append(f"wrote {report.registry}")
    elif report.registry is not None:
        lines.append(f"{report.registry} unchanged")
    return [printable(line) for line in lines]  # reasons quote the Hub's text


def _size(params: int | None) -> str:
    if params is None:
        return "?"
    from ._selection import human_size

    return human_size(params)


def ranking_lines(ranking: Ranking) -> list[str]:
    """The ranked table for ``explain``: the chosen one marked with ``*``."""
    arch = ranking.architecture
    rows = [
        (
            "*" if j.verdict == "chosen" else " ",
            "" if j.rank is None else str(j.rank),
            j.candidate.id,
            f"{j.candidate.downloads:,}",
            _size(j.params),
            str(j.verdict) if j.tier is None else f"{j.verdict} ({j.tier})",
            j.reason,
        )
        for j in ranking.judgements
    ]
    header = ("", "#", "model", "downloads", "params", "verdict (tier)", "reason")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(6)]
    lines = [f"{arch.name} (Hub tag {arch.hub_type}, {arch.category})"]
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) if i != 3 else row[i].rjust(widths[i]) for i in range(6)]
        lines.append("  ".join(cells) + "  " + row[6])
    chosen = ranking.chosen.id if ranking.chosen else "none"
    lines.append(f"default: {chosen}: {ranking.reason}")
    if ranking.test_model is not None:
        lines.append(f"test model: {ranking.test_model.id} (random weights, for fast tests)")
    return [printable(line) for line in lines]  # reasons quote the Hub's tags


def ranking_table(ranking: Ranking) -> Any:
    """``explain`` for a terminal: a rich table, reasons wrapped, the chosen row highlighted."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    arch = ranking.architecture
    table = Table(
        title=Text(printable(f"{arch.name} (Hub tag {arch.hub_type}, {arch.category})")),
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
    )
    # Everything but the reason on one line: the reason takes the rest of the width.
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("model", overflow="fold")
    table.add_column("downloads", justify="right", no_wrap=True)
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("verdict (tier)", no_wrap=True)
    table.add_column("reason", overflow="fold", ratio=1)
    for j in ranking.judgements:
        verdict = str(j.verdict) if j.tier is None else f"{j.verdict} ({j.tier})"
        cells = (
            "" if j.rank is None else str(j.rank),
            j.candidate.id,
            f"{j.candidate.downloads:,}",
            _size(j.params),
            verdict,
            j.reason,
        )
        # Text, not markup: ids and reasons quote the Hub, which may send "[bold]".
        table.add_row(
            *(Text(printable(c)) for c in cells),
            style="bold green" if j.verdict == "chosen" else None,
        )
    return table


def registry_table(data: dict[str, Any], describe: Any) -> Any:
    """``show`` for a terminal: one row per entry under a header; ``describe`` gives its notes."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("model type", no_wrap=True)
    table.add_column("default model", overflow="fold")
    table.add_column("updated", no_wrap=True, min_width=25)
    table.add_column("notes", overflow="fold", ratio=1)
    for name in sorted(data):
        entry = data[name]
        cells = (name, str(entry["default_model"]), str(entry.get("updated_at", "")))
        # Text, not markup: a registry file may come from anywhere.
        table.add_row(
            *(Text(printable(c)) for c in cells),
            Text(printable(describe(entry)), style="dim"),
            style="bold" if entry.get("pinned") else None,
        )
    return table


def ranking_json(ranking: Ranking) -> dict[str, Any]:
    """The ranking as JSON for ``explain --json``."""
    return {
        "model_type": ranking.architecture.name,
        "hub_type": ranking.architecture.hub_type,
        "chosen": ranking.chosen.id if ranking.chosen else None,
        "reason": ranking.reason,
        "documented_checkpoint": ranking.architecture.checkpoint,
        "test_model": ranking.test_model.id if ranking.test_model else None,
        "candidates": [
            {
                "id": j.candidate.id,
                "downloads": j.candidate.downloads,
                "parameters": j.params,
                "parameters_source": j.params_source,
                "verdict": str(j.verdict),
                "tier": None if j.tier is None else str(j.tier),
                "rank": j.rank,
                "reason": j.reason,
            }
            for j in ranking.judgements
        ],
    }
