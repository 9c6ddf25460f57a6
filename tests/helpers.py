"""Small helpers shared by the tests: admin forms, downloads, servers started on a port."""

import socket


def no_links() -> dict:
    """The management forms of a recommendation page's two link inlines, with no links."""
    return {**management_form("links_from", 0), **management_form("links_to", 0)}


def management_form(prefix: str, total: int, initial: int = 0) -> dict:
    """The management form an admin inline formset posts along with its forms."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def body(response) -> bytes:
    """A download's bytes, whether it was sent whole or streamed (exports stream)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def prepared_download(client, response):
    """The workbook an export request queued, as downloaded from "Your exports" once its
    task has run (the request itself only answers with a redirect; see exports.py)."""
    from recommendations.models import PreparedExport

    assert response.status_code == 302, response.content[:500]
    export = PreparedExport.objects.order_by("-pk").first()
    assert export is not None, "the request queued an export"
    assert export.state == PreparedExport.State.READY, export.failure
    return client.get(f"/admin/recommendations/preparedexport/{export.pk}/download/")


def free_port() -> int:
    """A port nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
