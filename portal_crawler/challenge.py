"""Bot-challenge pages served with status 200 ("Just a moment...", "verify you are human"):
a failure to record, never an article or a listing."""

from __future__ import annotations

import re

_SIGNS = re.compile(
    rb"<title>\s*(?:just a moment|attention required|please wait|checking your browser|"
    rb"access denied|ddos-guard)|verify (?:that )?you are (?:a )?human|"
    rb"checking (?:if the site connection is secure|your browser before accessing)|"
    rb"enable javascript and cookies to continue|cf-challenge|challenge-platform|"
    rb"captcha-delivery\.com|/_incapsula_resource", re.I)
_SCAN = 64 * 1024  # challenge pages are small; an article mentioning one is long


def challenge(body: bytes) -> str | None:
    """What gave a challenge page away, or None."""
    if len(body) > 4 * _SCAN:
        return None
    match = _SIGNS.search(body[:_SCAN])
    return f"bot challenge ({match.group(0).decode('latin-1', 'replace').strip()[:60]!r})" \
        if match else None
