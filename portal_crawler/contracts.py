"""Spider contracts of the project, for `scrapy check` (against the replica when
PORTAL_CRAWLER_REPLICA is set, against the live site otherwise)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class FilledContract(Contract):
    """`@filled headline body ...`: every item has these fields, and not empty. Scrapy's own
    `@scrapes` only checks that a field exists, which a dataclass item always passes."""

    name = "filled"

    def post_process(self, output: list[Any]) -> None:
        for item in output:
            if not is_item(item):
                continue
            adapter = ItemAdapter(item)
            empty = [name for name in self.args if not adapter.get(name)]
            if empty:
                raise ContractFail(f"empty fields: {', '.join(empty)}")
