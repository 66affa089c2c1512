"""WARC/1.1 (gzip per record unless asked plain, with warcio) from the stored raw responses,
for archivists' tools (pywb, ReplayWeb.page, warcio itself). One `response` record per stored
page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Scrapy stores the decoded body: the transfer headers no longer describe it.
_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}


def warc_date(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment.utcoffset() is not None else None


def _http_headers(page: dict[str, Any]) -> StatusAndHeaders:
    status = int(page["status"] or 200)
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    headers = [(name, value) for name, values in page["headers"].items()
               if name.lower() not in _DROPPED
               for value in (values if isinstance(values, list) else [values])]
    headers.append(("Content-Length", str(len(page["body"]))))
    return StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")


def write_warc(pages: Iterable[dict[str, Any]], out: BinaryIO, *,
               software: str = "portal-crawler", gzip: bool = True) -> int:
    """`pages` as queries.iter_pages yields them (url, status, headers, body, fetched_at);
    each record gzipped (a .warc.gz) unless `gzip` is False (a plain .warc)."""
    writer = WARCWriter(out, gzip=gzip, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(
        "portal-crawler-export.warc.gz" if gzip else "portal-crawler-export.warc",
        {"software": software, "format": "WARC File Format 1.1",
         "description": "raw responses stored in a portal-crawler archive"}))
    count = 0
    for page in pages:
        warc_headers = {}
        date = warc_date(page.get("fetched_at"))
        if date:
            warc_headers["WARC-Date"] = date
        record = writer.create_warc_record(
            page["url"], "response", payload=BytesIO(page["body"]),
            length=len(page["body"]), http_headers=_http_headers(page),
            warc_headers_dict=warc_headers)
        writer.write_record(record)
        count += 1
    return count
