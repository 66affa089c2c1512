"""One served response of the replica: what a real host would answer for one URL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime


@dataclass(frozen=True)
class Resource:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def make_resource(body: bytes, content_type: str, modified: datetime) -> Resource:
    """A 200 with validators (ETag from the bytes, Last-Modified from the content) for 304 tests."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
    return Resource(status=200, body=body, content_type=content_type, headers=headers)
