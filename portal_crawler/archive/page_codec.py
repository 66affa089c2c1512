"""Raw pages compressed with zstd and a dictionary trained on the archive's own pages.

Pages of one portal share most of their bytes (head, menus, related lists, footer), which
compressing each page alone cannot exploit; a dictionary learned from the first pages can.
Pages stored before a dictionary exists are compressed without one (`dict_id` NULL), so every
page stays readable with what the archive itself holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

import zstandard

LEVEL = 10
DICT_SIZE = 64 * 1024
TRAIN_SAMPLES = 64  # pages to learn from before the first dictionary
MAX_OUTPUT = 1 << 30


class PageCodec:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._dicts: dict[int, zstandard.ZstdCompressionDict] = {}
        self._current: int | None = None
        self._loaded = False
        self._samples: list[bytes] = []

    def _load(self) -> None:
        if not self._loaded:
            row = self.conn.execute("select max(id) from page_dicts").fetchone()
            self._current = row[0] if row else None
            self._loaded = True

    def _dictionary(self, dict_id: int) -> zstandard.ZstdCompressionDict:
        if dict_id not in self._dicts:
            (data,) = self.conn.execute("select data from page_dicts where id = ?",
                                        [dict_id]).fetchone()
            self._dicts[dict_id] = zstandard.ZstdCompressionDict(data)
        return self._dicts[dict_id]

    def compress(self, bodies: Sequence[bytes]) -> tuple[int | None, list[bytes]]:
        """(dictionary id or None, compressed bodies); trains the first dictionary once enough
        pages were seen. Call inside the caller's transaction."""
        self._load()
        if self._current is None:
            self._samples += [b for b in bodies if b]
            if len(self._samples) >= TRAIN_SAMPLES:
                self._train()
        if self._current is None:
            compressor = zstandard.ZstdCompressor(level=LEVEL)
        else:
            compressor = zstandard.ZstdCompressor(level=LEVEL,
                                                  dict_data=self._dictionary(self._current))
        return self._current, [compressor.compress(body) for body in bodies]

    def _train(self) -> None:
        try:
            trained = zstandard.train_dictionary(DICT_SIZE, self._samples, level=LEVEL)
        except zstandard.ZstdError:
            return  # too little or too uniform data: keep compressing without a dictionary
        cursor = self.conn.execute(
            "insert into page_dicts (created_at, size, data) values (?, ?, ?)",
            [datetime.now(UTC).isoformat(timespec="seconds"), len(trained.as_bytes()),
             trained.as_bytes()])
        self._current = cursor.lastrowid
        self._samples = []

    def decompress(self, blob: bytes | None, dict_id: int | None) -> bytes:
        if not blob:
            return b""
        if dict_id is None:
            decompressor = zstandard.ZstdDecompressor()
        else:
            decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary(dict_id))
        return decompressor.decompress(blob, max_output_size=MAX_OUTPUT)
