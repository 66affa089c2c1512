"""`portal-crawler ingest`: the one process that writes a distributed run into the archive.

It reads the run's stream in a consumer group created from the stream's start (entries pushed
before it started are kept), commits each batch, then adds the batch's counts and acknowledges
(and deletes) its entries: a writer killed before the acknowledgement leaves them pending, and
the next writer claims them. Archive writes are upserts by identity, so an entry applied twice
changes nothing (a failure already recorded for the run is not added again). When the crawl is
done (run.crawl_done) and the stream drained, it records the run once, with every worker's
stats merged, and removes the run's keys.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis

from ..alarms import degraded_fields
from ..archive.store import Archive
from ..crawl import EXIT_CODES, EXIT_INTERRUPTED, CrawlResult
from ..crawl_runs import SHUTDOWN, decide_outcome, run_figures
from ..items import FetchFailure, NotModified
from ..killpoints import SETTING as KILL_SETTING
from ..killpoints import maybe_kill
from .run import STREAM_GROUP, RunKeys, crawl_done, run_identity, worker_name

logger = logging.getLogger(__name__)

GONE = (404, 410)
# Stats of the workers that are not added up when merged.
LATEST = ("finish_time", "crawl/window", "finish_reason")
EARLIEST = ("start_time",)


@dataclass
class Batch:
    """What one read of the stream holds, in the archive pipeline's order of writing."""

    ids: list[bytes] = field(default_factory=list)
    articles: list[Any] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    not_modified: list[NotModified] = field(default_factory=list)

    def add(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        self.ids.append(entry_id)
        if not fields:  # deleted after a claim: nothing left to apply
            return
        kind, data = fields.get(b"kind"), fields.get(b"data")
        if kind is None or data is None:
            return
        payload = pickle.loads(data)
        if kind == b"article":
            article, page = payload
            self.articles.append(article)
            if page is not None:
                self.pages.append(page)
        elif kind == b"FetchFailure":
            self.failures.append(payload)
        elif kind == b"NotModified":
            self.not_modified.append(payload)


# In the run's spoiled set: an article failed that no sitemap was known to list, so no mark
# of this run can be trusted.
ALL_SPOILED = "*"


def spoiled_by(failures: list[FetchFailure]) -> set[str]:
    """Sitemaps whose marks must not be saved: read incompletely, or listing a failed article
    (the next run reads them again and archives the rest)."""
    spoiled: set[str] = set()
    for failure in failures:
        if failure.via:
            spoiled.add(failure.via)
        if failure.kind == "sitemap":
            spoiled.add(failure.url)
        elif failure.kind == "article" and not failure.via and not failure.denied:
            spoiled.add(ALL_SPOILED)
    return spoiled


def apply_batch(archive: Archive, run_id: int, batch: Batch) -> Counter[str]:
    """The archive pipeline's writes and counts (pipelines/archive.py), for one batch."""
    counts: Counter[str] = Counter()
    if batch.articles:
        counts.update(archive.save_articles(batch.articles))
    if batch.pages:
        archive.save_pages(batch.pages, run_id)
    for seen in batch.not_modified:
        if archive.mark_seen(seen.url, seen.fetched_at):
            counts["unchanged"] += 1
    new_failures = [f for f in batch.failures if not _recorded(archive, run_id, f)]
    for failure in new_failures:
        if failure.denied:
            counts["robots_denied"] += 1
        elif failure.status in GONE and archive.mark_withdrawn(failure.url, failure.at):
            counts["withdrawn"] += 1
        else:
            counts["failed"] += 1
            if failure.kind == "sitemap":
                counts["failed_sitemap"] += 1
    if new_failures:
        archive.save_failures(new_failures, run_id)
    return counts


def _recorded(archive: Archive, run_id: int, failure: FetchFailure) -> bool:
    return bool(list(archive.db.query(
        "select 1 from failures where run_id = ? and url = ? and reason = ? and at = ?",
        [run_id, failure.url, failure.reason, failure.at])))


def merge_stats(workers: list[dict[str, Any]]) -> dict[str, Any]:
    """Numbers added up; start the earliest, finish the latest; elapsed the longest worker's;
    any other value the first worker's."""
    merged: dict[str, Any] = {}
    for stats in workers:
        for key, value in stats.items():
            if key not in merged:
                merged[key] = value
            elif key in EARLIEST:
                merged[key] = min(merged[key], value)
            elif key in LATEST or key == "elapsed_time_seconds":
                merged[key] = max(merged[key], value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                merged[key] += value
    merged["distributed/workers"] = len(workers)
    return merged


class Writer:
    def __init__(self, client: redis.Redis, keys: RunKeys, archive: Archive,
                 batch_size: int = 200, block_ms: int = 500) -> None:
        self.client = client
        self.keys = keys
        self.archive = archive
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.consumer = worker_name()
        self.run_id: int | None = None
        self.result: CrawlResult | None = None

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.keys.stream, STREAM_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def ensure_run(self) -> int | None:
        """The run's crawl_runs row: the one a previous writer started, else a new one."""
        if self.run_id is not None:
            return self.run_id
        raw = self.client.hget(self.keys.meta, "run_id")
        if raw is not None:
            self.run_id = int(raw)
            self._publish()
            return self.run_id
        run = run_identity(self.client, self.keys)
        if run is None:  # no worker has joined yet
            return None
        settings = json.loads(self.client.hget(self.keys.meta, "settings") or "{}")
        self.run_id = self.archive.start_run(spider=run["spider"], job=self.keys.job,
                                             arguments=run["arguments"], settings=settings)
        self.client.hset(self.keys.meta, "run_id", self.run_id)
        self._publish()
        logger.info("archive %s: run %s started (distributed)", self.archive.path, self.run_id)
        return self.run_id

    def _publish(self) -> None:
        """The archive's state for the workers' incremental decisions, once per run."""
        from .state import PUBLISHED, publish

        if not self.client.hexists(self.keys.meta, PUBLISHED):
            count = publish(self.archive, self.client, self.keys)
            logger.info("published the state of %s archived articles for the workers", count)

    def _save_marks(self, closed: list[dict[str, Any]]) -> None:
        """The sitemap marks of an ok run, as one process saves them (crawl_runs.py)."""
        spoiled = {s.decode() for s in
                   self.client.smembers(self.keys.key("spoiled-sitemaps"))}
        if ALL_SPOILED in spoiled:
            return
        marks = {url: mark for worker in closed for url, mark in worker.get("marks", {}).items()
                 if url not in spoiled}
        if marks:
            self.archive.save_sitemap_marks(marks, self.run_id)

    def claim_pending(self) -> int:
        """Entries another writer read and never acknowledged: it died (the archive's lock
        says no other writer is alive), so they are this one's now."""
        claimed, cursor = 0, "0-0"
        while True:
            cursor, entries, *_ = self.client.xautoclaim(
                self.keys.stream, STREAM_GROUP, self.consumer, min_idle_time=0,
                start_id=cursor, count=self.batch_size)
            if entries:
                self.apply(entries)
                claimed += len(entries)
            if cursor in (b"0-0", "0-0"):
                return claimed

    def read(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        answer = self.client.xreadgroup(STREAM_GROUP, self.consumer, {self.keys.stream: ">"},
                                        count=self.batch_size, block=self.block_ms)
        return answer[0][1] if answer else []

    def apply(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        run_id = self.ensure_run()
        assert run_id is not None, "records before the run's identity"
        batch = Batch()
        for entry_id, fields in entries:
            batch.add(entry_id, fields)
        counts = apply_batch(self.archive, run_id, batch)
        # Committed, not yet acknowledged: the worst moment to die (tests kill here).
        maybe_kill(os.environ.get(KILL_SETTING), "ingest")
        pipe = self.client.pipeline(transaction=True)
        for name, n in counts.items():
            pipe.hincrby(self.keys.counts, name, n)
        spoiled = spoiled_by(batch.failures)
        if spoiled:
            pipe.sadd(self.keys.key("spoiled-sitemaps"), *spoiled)
        pipe.xack(self.keys.stream, STREAM_GROUP, *batch.ids)
        pipe.xdel(self.keys.stream, *batch.ids)
        pipe.execute()

    def drained(self) -> bool:
        if self.client.xlen(self.keys.stream):
            return False
        return self.client.xpending(self.keys.stream, STREAM_GROUP)["pending"] == 0

    def run(self, stopping: Callable[[], bool], idle_sleep: float = 0.2) -> int:
        """Ingest until the run ends (its exit code) or `stopping()` (130)."""
        self.ensure_group()
        self.claim_pending()
        while not stopping():
            if self.ensure_run() is None:
                time.sleep(idle_sleep)
                continue
            entries = self.read()
            if entries:
                self.apply(entries)
            elif self.drained() and crawl_done(self.client, self.keys):
                return self.finish()
        return EXIT_INTERRUPTED

    def finish(self, interrupted: bool = False) -> int:
        """One crawl_runs row for the whole run, then the run's keys go. `interrupted`: the
        run ends here unfinished (its private Redis goes with `crawl --workers`)."""
        assert self.run_id is not None
        closed = [json.loads(v) for v in self.client.hvals(self.keys.closed)]
        stats = merge_stats([c["stats"] for c in closed])
        counts: Counter[str] = Counter()
        for worker in closed:
            counts.update(worker["counts"])
        counts.update({k.decode(): int(v) for k, v in
                       self.client.hgetall(self.keys.counts).items()})
        reasons = [c["reason"] for c in closed]
        reason = SHUTDOWN if interrupted else next(
            (r for r in reasons if r not in ("finished", SHUTDOWN)), "finished")
        stats["finish_reason"] = reason
        outcome = decide_outcome(reason, stats, counts)
        figures = run_figures(stats)
        alarms: list[str] = []
        if outcome == "ok":
            history = [run_figures(json.loads(r["stats"] or "{}"))
                       for r in self.archive.recent_runs(self.keys.job, limit=50,
                                                         before=self.run_id)]
            alarms = degraded_fields(figures, history)
            if alarms:
                outcome = "degraded"
        if outcome == "ok" and not any(c.get("truncated") for c in closed):
            self._save_marks(closed)
        self.archive.finish_run(self.run_id, outcome=outcome, finish_reason=reason,
                                counts=dict(counts), coverage=figures.coverage,
                                yield_pct=figures.yield_pct, alarms=alarms, stats=stats)
        logger.info("archive %s: run %s %s %s", self.archive.path, self.run_id, outcome,
                    dict(counts))
        self.result = CrawlResult(outcome=outcome, finish_reason=reason, counts=counts,
                                  stats=stats)
        keys = self.keys.all_keys(self.client)
        if keys:
            self.client.delete(*keys)
        return self.result.exit_code if interrupted else EXIT_CODES.get(outcome, 1)
