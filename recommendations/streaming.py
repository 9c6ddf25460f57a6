"""Staff downloads that start at once and hold flat memory, whatever the number of rows.

At 80 times the real data (10,000 recommendations, 100,000 updates) the admin's exports took
seconds before their first byte, and held every row, the whole file and a copy of it in the
worker's memory. Here the rows come from `.iterator(chunk_size=…)` (Django prefetches each
chunk's relations in one more query per chunk), and a CSV is sent a few hundred rows at a
time through a `StreamingHttpResponse`, its header line first.

A workbook cannot be sent before its last row: an XLSX is a zip whose sheet is written whole,
and its columns are sized to their longest value, so its rows are held until it is written.
No request builds one: a background task writes it from the same chunked rows into storage
(see exports.py).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import tablib
from django.http import StreamingHttpResponse

#: Rows a CSV sends at once: small enough to start at once, large enough to cost little.
CHUNK_ROWS = 500


def chunks(rows: Iterable[Any], size: int = CHUNK_ROWS) -> Iterator[list[Any]]:
    """`rows` in lists of `size` (the last one shorter)."""
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def resource_rows(resource, queryset, selected_fields=None, **kwargs) -> Iterator[list]:
    """What `resource.export()` puts in its dataset, row by row, without keeping any.

    The same hooks run in the same order (`before_export`, `filter_export`, then
    `export_resource` for each object), with the same keyword arguments, so the values are
    the ones django-import-export would write. Objects come in chunks of the resource's
    `chunk_size`, each chunk with its prefetched relations.
    """
    resource.before_export(queryset, **kwargs)
    queryset = resource.filter_export(queryset, **kwargs)
    for instance in queryset.iterator(chunk_size=resource.get_chunk_size()):
        yield resource.export_resource(instance, selected_fields=selected_fields, **kwargs)


def tablib_csv_chunks(file_format, headers: list[str], rows: Iterable[list], encoding: str):
    """The bytes django-import-export's CSV `file_format` writes for `headers` and `rows`,
    a chunk at a time: each chunk goes through the format's own `export_data`, so its
    formula escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) and quoting stay the same,
    and an incremental encoder puts a byte-order mark (utf-8-sig) once, at the start."""
    encoder = codecs.getincrementalencoder(encoding)()
    yield encoder.encode(file_format.export_data(tablib.Dataset(headers=headers)))
    for chunk in chunks(rows):
        yield encoder.encode(file_format.export_data(tablib.Dataset(*chunk)))
    yield encoder.encode("", final=True)


def csv_response(body: Iterable[bytes], *, filename: str, content_type: str):
    """A download sent as `body` yields it."""
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
