"""Security checks that can be tests: only the portal's hosts are fetched whatever sitemaps,
listings and redirects say; offline mode refuses anything else even with the other guards
removed; the servers the project starts bind 127.0.0.1; user input reaches SQL as parameters."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from conftest import cli
from test_crawl_e2e import rows
from test_reliability_faults import FAULT_SETTINGS, article_paths, assert_sound, failures

from portal_crawler.crawl import project_settings
from portal_crawler.portals import VIETNAM_VN
from portal_crawler.replica import faults as F
from portal_crawler.replica.faults import Fault, FaultPlan
from portal_crawler.replica.server import ReplicaServer

EVIL = "evil.example.org"


def _add_to_urlset(resource):
    entry = f"<url><loc>https://{EVIL}/sitemap-entry</loc></url></urlset>".encode()
    return replace(resource, body=resource.body.replace(b"</urlset>", entry))


def _add_to_listing(resource):
    link = f'<a class="v-link-title" href="https://{EVIL}/listing-link">x</a></body>'.encode()
    return replace(resource, body=resource.body.replace(b"</body>", link))


def hostile_plan(site) -> FaultPlan:
    """Off-portal URLs in every daily sitemap and listing page, and an article that redirects
    off the portal."""
    paths = sorted({path for _, path in site})
    plan: dict[str, Fault] = {}
    for path in paths:
        if "/sitemap-post/" in path:
            plan[path] = Fault(transform=_add_to_urlset, kind="offsite_entry")
        elif path.startswith("/category/"):
            plan[path] = Fault(transform=_add_to_listing, kind="offsite_link")
    plan[sorted(article_paths())[0]] = F.offsite_redirect(f"https://{EVIL}/moved")
    return FaultPlan(plan)


def crawl_stats(db) -> dict:
    return json.loads(rows(db, "select stats from crawl_runs order by id desc limit 1")[0]["stats"])


def test_only_portal_hosts_are_fetched_whatever_pages_say(site, window, tmp_path):
    db = tmp_path / "a.db"
    plan = hostile_plan(site)
    with ReplicaServer(site, faults=plan) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), *window, "--follow-related", "1", *FAULT_SETTINGS)
        requests = server.requests
    log = result.stdout + result.stderr
    assert "Traceback" not in log and "Unhandled error" not in log, log[-3000:]
    assert all(count for count in plan.served.values())
    assert {host for _, host, _ in requests} <= VIETNAM_VN.hosts
    stats = crawl_stats(db)
    # Nothing even tried to leave: the spider and the bounds stopped it before the socket.
    assert stats.get("offline/blocked_requests", 0) == 0
    assert stats.get("bounds/offsite_redirects") == 1
    assert stats.get("offsite/skipped_urls", 0) >= 2  # the sitemap entry and the listing link
    assert EVIL not in json.dumps([r["url"] for r in rows(db, "select url from articles")])
    redirected = sorted(article_paths())[0]
    assert "OffsiteRedirect" in failures(db)[redirected][0]["reason"]
    assert_sound(db)


def test_offline_mode_refuses_what_gets_past_the_other_guards(site, window, tmp_path):
    """With Scrapy's offsite filter and the portal bounds switched off, a redirect off the
    portal reaches the download handler, which refuses it and fails the run."""
    db = tmp_path / "a.db"
    target = sorted(article_paths())[0]
    plan = FaultPlan({target: F.offsite_redirect(f"https://{EVIL}/moved")})
    unguarded = json.dumps({"scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                            "portal_crawler.bounds.PortalBoundsMiddleware": None})
    with ReplicaServer(site, faults=plan) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), *window, *FAULT_SETTINGS,
                     "-s", f"DOWNLOADER_MIDDLEWARES={unguarded}")
        requests = server.requests
    log = result.stdout + result.stderr
    assert "Traceback" not in log and "Unhandled error" not in log, log[-3000:]
    assert {host for _, host, _ in requests} <= VIETNAM_VN.hosts
    assert crawl_stats(db)["offline/blocked_requests"] >= 1
    assert f"offline mode: refused https://{EVIL}/moved" in log
    assert result.returncode == 1
    assert rows(db, "select outcome from crawl_runs")[0]["outcome"] == "failed"


def test_the_replica_binds_loopback_only(site):
    with ReplicaServer(site) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server._httpd.socket.getsockname()[0] == "127.0.0.1"
    for host in ("0.0.0.0", "::", "192.168.1.10"):
        with pytest.raises(ValueError):
            ReplicaServer(site, host=host)


def test_a_crawl_starts_no_server_of_its_own():
    settings = project_settings()
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False


HOSTILE = ["'; drop table articles; --", "\" or 1=1 --", "x') union select * from pages --",
           "*", "NEAR(", "đường)", "%' or '%'='"]


def test_hostile_search_and_filters_reach_sql_as_parameters(archive_copy):
    from click.testing import CliRunner

    from portal_crawler.cli import main

    before = rows(archive_copy, "select id, content_hash from articles order by id")
    runner = CliRunner()
    for text in HOSTILE:
        for command in (("search", text), ("stats", "--source", text),
                        ("stats", "--section", text), ("show", text)):
            result = runner.invoke(main, [*command, "--db", str(archive_copy)])
            # Found nothing, or a one-line error about the query (an FTS5 syntax error is the
            # text read as a search expression, never as SQL).
            assert result.exit_code in (0, 1, 2), (command, result.output, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                command, result.exception)
    assert rows(archive_copy, "select id, content_hash from articles order by id") == before
    with sqlite3.connect(archive_copy) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert {urlsplit(r["url"]).path for r in rows(archive_copy, "select url from articles")} == \
        set(article_paths())
