"""The replica's fast settings profile wherever offline mode is set: `scrapy crawl` with
PORTAL_CRAWLER_REPLICA (variable or `-s`), scrapyd, `scrapy check`, as `portal-crawler crawl
--replica` does. Politeness delays are for the live site; on loopback they only cost time
(AutoThrottle's 1 s start delay made a 34-article crawl take 36 s instead of 1 s)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .offline import REPLICA_SETTING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class ReplicaProfile:
    """A Scrapy add-on (ADDONS): applies REPLICA_PROFILE at the project's priority, so that a
    spider's custom_settings and `-s` still win over it."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not (settings.get(REPLICA_SETTING) or os.environ.get(REPLICA_SETTING)):
            return
        profile = settings.getdict("REPLICA_PROFILE")
        for key, value in profile.items():
            settings.set(key, value, priority="project")
