"""A distributed run's keys in Redis and its lifecycle: who joined, who is alive, what is leased.

Every key of a run starts with `portal-crawler:<job>` (the job's name: spider and options other
than the window, as in crawl_runs). The run's identity (spider, arguments, resolved window) is
written by its first worker; a worker whose identity differs is refused. The keys stay until
the writer has recorded the run; nothing flushes them while another worker runs.

A worker holds the requests it popped as leases (a hash per worker) while its heartbeat key
lives; when the heartbeat has expired (killed, machine gone), any worker or the writer puts
those requests back in the queue. Queue members are the serialized requests, so two processes
recovering the same lease add one member, not two.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

KEY_ROOT = "portal-crawler"
# A worker that has not renewed its heartbeat for this long is dead (seconds).
HEARTBEAT_TTL = 5.0
# A Redis restarting (or a network blip) stalls a process instead of failing it: commands are
# retried for about a minute before the error surfaces.
RETRIES = 60
STREAM_GROUP = "writers"


class FrontierError(ValueError):
    """A --frontier that is not a redis:// URL."""


class RunMismatch(RuntimeError):
    """This worker's arguments are not those of the run in progress under the same job."""


def connect(url: str, retries: int = RETRIES) -> redis.Redis:
    """A client for `redis://HOST:PORT/DB` (or rediss://, unix://); FrontierError if not one."""
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        raise FrontierError(f"--frontier {url!r} is not a redis://HOST:PORT/DB URL")
    try:
        return redis.Redis.from_url(
            url, socket_timeout=30, socket_connect_timeout=5,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError])
    except ValueError as exc:
        raise FrontierError(f"--frontier {url!r}: {exc}") from None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class RunKeys:
    job: str

    @property
    def prefix(self) -> str:
        return f"{KEY_ROOT}:{self.job}"

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def queue(self) -> str:
        return self.key("requests")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    @property
    def articles(self) -> str:
        """Canonical article ids requested in this run (one fetch per article)."""
        return self.key("articles")

    @property
    def listed(self) -> str:
        """Article ids listed by a sitemap of the window (undated ones are archived)."""
        return self.key("listed")

    @property
    def meta(self) -> str:
        return self.key("meta")

    @property
    def stream(self) -> str:
        return self.key("records")

    @property
    def workers(self) -> str:
        return self.key("workers")

    @property
    def closed(self) -> str:
        """Worker name -> its final stats (JSON), written when it closed."""
        return self.key("closed")

    @property
    def counts(self) -> str:
        """The run's counts (new, updated, failed...), added to by the writer after commits."""
        return self.key("counts")

    @property
    def lease_ids(self) -> str:
        return self.key("lease-ids")

    def leased(self, worker: str) -> str:
        return self.key(f"leased:{worker}")

    def alive(self, worker: str) -> str:
        return self.key(f"alive:{worker}")

    def rate(self, slot: str) -> str:
        return self.key(f"rate:{slot}")

    def all_keys(self, client: redis.Redis) -> list[bytes]:
        return list(client.scan_iter(match=f"{self.prefix}:*", count=1000))


# The crawl's arguments as `portal-crawler crawl` names them (a spider may record more).
ARGUMENT_NAMES = ("lang", "since", "until", "max_articles", "follow_related", "site",
                  "timezone")


def identity(spider: str, arguments: dict[str, Any], clock: str | None) -> dict[str, Any]:
    """What every worker of one run must agree on: the spider, its arguments, and the window
    they mean by this worker's clock (the default window is "yesterday and today")."""
    from ..clock import now
    from ..crawl import portal_of
    from ..discovery.arguments import ArgumentError, CrawlArguments

    given = {k: str(arguments[k]) for k in ARGUMENT_NAMES
             if arguments.get(k) not in (None, "")}
    window = None
    try:
        portal = portal_of(spider)
        if portal is not None:
            parsed = CrawlArguments.parse(portal, clock=now(clock), **{
                k: given.get(k) for k in ("lang", "since", "until", "max_articles",
                                          "follow_related")})
            window = f"{parsed.since}..{parsed.until}"
    except ArgumentError:
        pass
    return {"spider": spider, "window": window, "arguments": given}


def join_run(client: redis.Redis, keys: RunKeys, ours: dict[str, Any],
             settings: dict[str, Any]) -> None:
    """Write the run's identity if it has none yet; RunMismatch when it differs from ours."""
    encoded = json.dumps(ours, sort_keys=True)
    client.hsetnx(keys.meta, "identity", encoded)
    client.hsetnx(keys.meta, "settings", json.dumps(settings, sort_keys=True, default=str))
    theirs = client.hget(keys.meta, "identity")
    if theirs is not None and theirs.decode() != encoded:
        run = json.loads(theirs)
        differences = [f"{name} {run.get(name)!r} (this worker: {ours.get(name)!r})"
                       for name in ("spider", "window", "arguments")
                       if run.get(name) != ours.get(name)]
        raise RunMismatch(f"the run of job {keys.job!r} in progress at this frontier has "
                          + "; ".join(differences))


def run_identity(client: redis.Redis, keys: RunKeys) -> dict[str, Any] | None:
    raw = client.hget(keys.meta, "identity")
    return json.loads(raw) if raw else None


def heartbeat(client: redis.Redis, keys: RunKeys, worker: str) -> None:
    pipe = client.pipeline()
    pipe.sadd(keys.workers, worker)
    pipe.set(keys.alive(worker), b"1", px=int(HEARTBEAT_TTL * 1000))
    pipe.execute()


def requeue(client: redis.Redis, keys: RunKeys, worker: str,
            keep: frozenset[bytes] = frozenset()) -> int:
    """Put a worker's leased requests back in the queue, except the leases in `keep`."""
    leases = {lease: value for lease, value in client.hgetall(keys.leased(worker)).items()
              if lease not in keep}
    if not leases:
        return 0
    pipe = client.pipeline(transaction=True)
    for value in leases.values():
        score, _, data = value.partition(b"|")
        pipe.zadd(keys.queue, {data: float(score)})
    pipe.hdel(keys.leased(worker), *leases)
    pipe.execute()
    return len(leases)


def recover_dead(client: redis.Redis, keys: RunKeys) -> int:
    """Put the leased requests of every worker without a heartbeat back in the queue."""
    return sum(requeue(client, keys, raw.decode()) for raw in client.smembers(keys.workers)
               if not client.exists(keys.alive(raw.decode())))


def in_flight(client: redis.Redis, keys: RunKeys) -> int:
    """Requests leased by any worker, alive or dead (a dead one's come back first)."""
    return sum(client.hlen(keys.leased(raw.decode())) for raw in client.smembers(keys.workers))


def alive_workers(client: redis.Redis, keys: RunKeys) -> list[str]:
    return [raw.decode() for raw in client.smembers(keys.workers)
            if client.exists(keys.alive(raw.decode()))]


def crawl_done(client: redis.Redis, keys: RunKeys) -> bool:
    """Nothing queued, nothing leased, no worker alive, and one worker closed normally."""
    recover_dead(client, keys)
    return (client.zcard(keys.queue) == 0 and in_flight(client, keys) == 0
            and not alive_workers(client, keys) and client.hlen(keys.closed) > 0)
