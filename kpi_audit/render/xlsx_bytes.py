"""The bytes of a saved workbook's large parts: rows built by polars handed on as the
UTF-8 in their Arrow buffers (no Python string in between), deflated by ISA-L when it is
installed, and written in a second thread while the next block is built."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]


def utf8_bytes(texts: pl.Series) -> Iterator[memoryview]:
    """The UTF-8 bytes of ``texts`` one after the other, read from its Arrow buffers:
    no joined Python string to decode and encode again (that cost more than building
    the XML). Nulls are left out (as ``str.join`` does)."""
    if texts.null_count():
        texts = texts.drop_nulls()
    arrow = texts.to_arrow(compat_level=pl.CompatLevel.newest())  # string views: no copy
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        if not len(chunk):
            continue
        if pa.types.is_string_view(chunk.type):
            in_order = _view_data(chunk)
            if in_order is not None:
                yield from in_order
                continue
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            # one data buffer, strings in order; polars converts the views itself (pyarrow
            # before 17 has no cast from string_view)
            chunk = pl.Series(chunk).to_arrow(compat_level=pl.CompatLevel.oldest())
        _, offset_buffer, data = chunk.buffers()
        wide = pa.types.is_large_string(chunk.type)
        offsets = memoryview(offset_buffer).cast("q" if wide else "i")
        start, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        yield memoryview(data)[start:end]


def _view_data(chunk: Any) -> list[memoryview] | None:
    """The data buffers of a string-view array when, end to end, they are exactly its
    strings in order — each longer than 12 bytes (none inlined in its view), each
    right after the one before — as polars builds the rows; else None. Checked
    set-wise on the views themselves (length, buffer, offset: 16 bytes a string)."""
    if chunk.offset or chunk.null_count:
        return None
    views, data = chunk.buffers()[1], chunk.buffers()[2:]
    words = pl.Series(pa.Array.from_buffers(pa.uint32(), 4 * len(chunk), [None, views]))
    fields = {name: words.gather_every(4, k).cast(pl.Int64) for name, k in VIEW_FIELDS}
    sizes = [len(d) for d in data]
    starts = {i: sum(sizes[:i]) for i in range(len(sizes))}  # each buffer's first byte
    length = pl.col("length")
    where = pl.col("buffer").replace_strict(starts, default=-(2**62), return_dtype=pl.Int64)
    in_order = pl.DataFrame(fields).select(
        (length.min() > 12)
        & (length.sum() == sum(sizes))
        & (where + pl.col("offset") == length.cum_sum() - length).all()
    )
    return [memoryview(d) for d in data] if in_order.item() else None


# a view is 4 little-endian uint32: length, prefix, buffer index, offset
VIEW_FIELDS = (("length", 0), ("buffer", 2), ("offset", 3))


def use_fast_deflate(part: IO[bytes]) -> None:
    """Deflate a part just opened for writing with ISA-L (the ``isal`` package) when it
    is installed: four times zlib's level 1 and as small (the facility sheet of 200,000
    results: 0.09 s instead of 0.35 s). The stream is ordinary deflate; zipfile has no
    public hook for its compressor, so the writer's ``_compressor`` is replaced."""
    try:
        from isal import isal_zlib
    except ImportError:  # zlib, level 1, as zipfile was told
        return
    if hasattr(part, "_compressor"):
        part._compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)


def write_behind(out: IO[bytes], blocks: Iterable[memoryview]) -> None:
    """Write ``blocks`` to ``out`` in a second thread while the next block is built:
    deflate and CRC (zlib, in ``out.write``) and polars both release the GIL, so the
    compression of one block overlaps the XML of the next. One write in flight."""
    with ThreadPoolExecutor(1, thread_name_prefix="xlsx-write") as pool:
        pending: Future[int] | None = None
        for block in blocks:
            if pending is not None:
                pending.result()
            pending = pool.submit(out.write, block)
        if pending is not None:
            pending.result()
