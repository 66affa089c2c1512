"""Feed exporters for `scrapy crawl -O out.csv`: the Article contract's columns, lists and
dicts as JSON text, as `portal-crawler export --format csv` writes them (Scrapy's CSV exporter
would join lists with commas and print dicts as Python reprs)."""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import CsvItemExporter


class ArticleCsvItemExporter(CsvItemExporter):
    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)
