"""What workers need of the archive for an incremental crawl, published by the writer in Redis
(workers never open the archive): each archived article's page state (known URL, ETag /
Last-Modified, fetch and publication times, sitemap <lastmod>) and the sitemap marks."""

from __future__ import annotations

import json

import redis

from ..archive.store import Archive, PageState
from ..identity import article_id, canonical_url
from .run import RunKeys

PUBLISHED = "state_published"
STATES = "page-states"
MARKS = "sitemap-marks"


def publish(archive: Archive, client: redis.Redis, keys: RunKeys, chunk: int = 5000) -> int:
    """Every archived article's state, under its article id and the URL it was fetched at."""
    rows = archive.db.execute(
        "select p.id, p.request_url, p.headers, p.fetched_at, a.published_utc, "
        "p.sitemap_lastmod from pages p join articles a on a.id = p.id where p.status = 200")
    published = 0
    pipe = client.pipeline(transaction=False)
    for id_, request_url, headers, fetched_at, published_utc, lastmod in rows:
        first = {k.lower(): v[0] for k, v in json.loads(headers or "{}").items() if v}
        state = json.dumps([fetched_at, published_utc, first.get("etag"),
                            first.get("last-modified"), lastmod])
        pipe.hset(keys.key(STATES), mapping={id_: state, request_url or id_: state})
        published += 1
        if published % chunk == 0:
            pipe.execute()
    marks = archive.sitemap_marks()
    if marks:
        pipe.hset(keys.key(MARKS), mapping=marks)
    pipe.hset(keys.meta, PUBLISHED, published)
    pipe.execute()
    return published


class PublishedState:
    """The two questions ArticleGate asks the archive, answered from Redis."""

    def __init__(self, client: redis.Redis, keys: RunKeys) -> None:
        self.client = client
        self.keys = keys

    def page_state(self, url: str) -> PageState | None:
        try:
            key = article_id(canonical_url(url))
        except ValueError:
            key = url
        raw = self.client.hget(self.keys.key(STATES), key) or self.client.hget(
            self.keys.key(STATES), url)
        if raw is None:
            return None
        fetched_at, published_utc, etag, last_modified, lastmod = json.loads(raw)
        return PageState(fetched_at=fetched_at, published_utc=published_utc, etag=etag,
                         last_modified=last_modified, sitemap_lastmod=lastmod)

    def sitemap_marks(self) -> dict[str, str]:
        return {k.decode(): v.decode()
                for k, v in self.client.hgetall(self.keys.key(MARKS)).items()}
