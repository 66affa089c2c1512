"""Scrapy settings of the project: polite by default; the archive path and offline mode from
settings or environment, because scrapyd and cron run elsewhere."""

from __future__ import annotations

import os

from . import __version__
from .article import FIELD_NAMES

BOT_NAME = "portal_crawler"
SPIDER_MODULES = ["portal_crawler.spiders"]
NEWSPIDER_MODULE = "portal_crawler.spiders"
# shell, parse, check, fetch, view, bench: Scrapy's, but they never write the archive.
COMMANDS_MODULE = "portal_crawler.commands"

# An honest User-Agent with a way to reach whoever runs the crawl.
PORTAL_CRAWLER_CONTACT = os.environ.get(
    "PORTAL_CRAWLER_CONTACT", "https://github.com/portal-crawler/portal-crawler"
)
USER_AGENT = f"portal-crawler/{__version__} (news archive for research; +{PORTAL_CRAWLER_CONTACT})"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
COOKIES_ENABLED = False
# No consoles: a crawl starts no server of its own (telnet, remote control).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
# Feeds (`scrapy crawl vietnam_vn -O out.csv`) hold Articles only, with the contract's fields.
FEED_EXPORT_FIELDS = list(FIELD_NAMES)
FEED_EXPORTERS = {"csv": "portal_crawler.feeds.ArticleCsvItemExporter"}
# `scrapy check vietnam_vn`: contracts in the callbacks' docstrings.
SPIDER_CONTRACTS = {"portal_crawler.contracts.FilledContract": 3}
LOG_LEVEL = "INFO"

# Politeness is per portal: its spiders put every request in one download slot named after it.
DOWNLOAD_SLOTS = {
    "vietnam.vn": {"concurrency": 4, "delay": 0.5},
}

DOWNLOADER_MIDDLEWARES = {
    # Every request to a portal's host in the portal's slot (robots.txt's too): slots.py.
    "portal_crawler.slots.PortalSlotMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "portal_crawler.politeness.PoliteRetryMiddleware": 550,
    # Sees responses before RedirectMiddleware (600) does.
    # A damaged gzip body fails instead of being archived half (before HttpCompression, 590).
    "portal_crawler.bounds.IntactBodyMiddleware": 595,
    "portal_crawler.bounds.PortalBoundsMiddleware": 650,
}
# Backoff base (s), Retry-After cap (s), and the live site's temporary block: a burst of 403s
# pauses the portal, then the blocked requests are retried.
PORTAL_CRAWLER_RETRY_BACKOFF = 2.0
PORTAL_CRAWLER_RETRY_AFTER_MAX = 300.0
PORTAL_CRAWLER_BLOCK_STATUS = [403]
PORTAL_CRAWLER_BLOCK_BURST = 5
PORTAL_CRAWLER_BLOCK_WINDOW = 60.0
PORTAL_CRAWLER_BLOCK_PAUSE = 900.0
PORTAL_CRAWLER_BLOCK_RETRIES = 3

DOWNLOAD_HANDLERS = {
    # Offline mode (offline.py), and one slot per portal across the crawlers of a process.
    "http": "portal_crawler.slots.PacedDownloadHandler",
    "https": "portal_crawler.slots.PacedDownloadHandler",
    # Portals are fetched over HTTP(S) only: no other scheme can leave offline mode.
    "ftp": None,
    "s3": None,
    "file": None,
}

SPIDER_MIDDLEWARES = {
    "portal_crawler.incremental.ArticleGate": 50,
}
# Incremental by default: archived articles are revisited only when their sitemap says they
# changed or when published in the last PORTAL_CRAWLER_REVISIT_DAYS days (to catch edits).
PORTAL_CRAWLER_INCREMENTAL = True
PORTAL_CRAWLER_REVISIT_DAYS = 3

EXTENSIONS = {
    "portal_crawler.crawl_runs.CrawlRunRecorder": 100,
    # Off unless PORTAL_CRAWLER_PROGRESS (set by `portal-crawler crawl`).
    "portal_crawler.progress.Progress": 110,
}

ITEM_PIPELINES = {
    "portal_crawler.pipelines.normalize.NormalizePipeline": 100,
    "portal_crawler.pipelines.validate.ValidatePipeline": 200,
    "portal_crawler.pipelines.dedupe.DedupePipeline": 300,
    "portal_crawler.pipelines.archive.ArchivePipeline": 900,
}

# The archive: --db / this setting / $PORTAL_CRAWLER_DB / data/archive.db.
PORTAL_CRAWLER_DB = os.environ.get("PORTAL_CRAWLER_DB")
# Offline mode: "127.0.0.1:PORT" of the replica ($PORTAL_CRAWLER_REPLICA).
PORTAL_CRAWLER_REPLICA = os.environ.get("PORTAL_CRAWLER_REPLICA")
# A run fails when more than this share of its article pages failed.
PORTAL_CRAWLER_MAX_FAILED_SHARE = 0.05
# Progress on stderr (portal-crawler crawl sets it): seconds between plain lines when stderr
# is not a terminal.
PORTAL_CRAWLER_PROGRESS = False
PORTAL_CRAWLER_PROGRESS_INTERVAL = 30.0
# Items per write transaction.
PORTAL_CRAWLER_BATCH_SIZE = 50

# A distributed crawl (docs/distributed.md): the redis:// URL of the run's shared frontier
# makes this process a worker ($PORTAL_CRAWLER_FRONTIER); the writer (`portal-crawler ingest`)
# is the only process that opens the archive. Workers wait while the records stream holds more
# than PORTAL_CRAWLER_STREAM_BACKLOG entries.
PORTAL_CRAWLER_FRONTIER = os.environ.get("PORTAL_CRAWLER_FRONTIER")
PORTAL_CRAWLER_STREAM_BACKLOG = 10_000

# Off for Scrapy's debugging commands (portal_crawler/commands): no lock, no run recorded.
PORTAL_CRAWLER_WRITE_ARCHIVE = True

# Settings for the offline replica on loopback: no politeness delays needed there. Applied
# whenever PORTAL_CRAWLER_REPLICA is set, by the ReplicaProfile add-on.
ADDONS = {"portal_crawler.offline_profile.ReplicaProfile": 0,
          "portal_crawler.distributed.addon.Frontier": 10}
REPLICA_PROFILE = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_SLOTS": {"vietnam.vn": {"concurrency": 16, "delay": 0}},
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 1,
    "PORTAL_CRAWLER_RETRY_BACKOFF": 0.1,
    "PORTAL_CRAWLER_RETRY_AFTER_MAX": 2.0,
    "PORTAL_CRAWLER_BLOCK_PAUSE": 1.0,
}
