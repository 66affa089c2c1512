"""Layout-change alarms: portals change markup without warning and parsers then fail quietly.

A run is `degraded` when a field's coverage, or its articles-per-fetched-page yield, falls more
than `drop` points below the median of the job's last ok runs. Pure, so it is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median


@dataclass(frozen=True)
class RunFigures:
    """What one run measured: per-field coverage and yield, in percent; articles archived."""

    coverage: dict[str, float] = field(default_factory=dict)
    yield_pct: float | None = None
    archived: int = 0


YIELD = "articles per fetched page"


def degraded_fields(current: RunFigures, history: list[RunFigures], *, min_runs: int = 3,
                    min_articles: int = 50, drop: float = 20.0) -> list[str]:
    """Fields (and the yield) more than `drop` points under the median of `history`, the job's
    last ok runs (newest first, at most 5 used); judged only with enough runs and articles.
    A baseline run needs `min_articles` too: a quiet window's ok run measured nothing."""
    recent = [run for run in history if run.archived >= min_articles][:5]
    if len(recent) < min_runs or current.archived < min_articles:
        return []
    alarms = []
    for name in sorted({k for run in recent for k in run.coverage}):
        baseline = median(run.coverage.get(name, 0.0) for run in recent)
        if baseline - current.coverage.get(name, 0.0) > drop:
            alarms.append(name)
    yields = [run.yield_pct for run in recent if run.yield_pct is not None]
    if yields and current.yield_pct is not None and median(yields) - current.yield_pct > drop:
        alarms.append(YIELD)
    return alarms
