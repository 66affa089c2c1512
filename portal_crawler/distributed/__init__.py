"""One crawl over several processes or machines (docs/distributed.md).

Workers share scrapy-redis's scheduler queue and duplicate filter in Redis, under a key prefix
of their run; they push articles, raw pages and failures to a Redis Stream; `portal-crawler
ingest` is the one process that writes the SQLite archive.
"""
