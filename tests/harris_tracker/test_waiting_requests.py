"""One read of the stamp serves the requests already waiting on a worker's other connections
(harris_tracker/wsgi.py), and never a request that may have been sent after it began."""

import socket
import ssl

import pytest

from harris_tracker.wsgi import WaitingRequests

REQUEST = b"GET / HTTP/1.1\r\nHost: testserver\r\n\r\n"


class Reads:
    """The stamp's reads, each a new stamp, so that a test sees which read a request got."""

    def __init__(self):
        self.count = 0
        self.during = None  # what happens while a read is under way

    def __call__(self):
        if self.during is not None:
            self.during()
        self.count += 1
        return f"stamp-{self.count}"


@pytest.fixture
def pairs():
    made = []

    def make():
        pair = socket.socketpair()
        made.append(pair)
        return pair

    yield make
    for pair in made:
        for end in pair:
            end.close()


def environ(server_end, **values):
    return {"gunicorn.socket": server_end, "SERVER_PROTOCOL": "HTTP/1.1", **values}


def known_connections(waiting, pairs, **second_values):
    """Two connections the worker has had a request on (the second's with `second_values`):
    the server's end of the first, and the client's and server's ends of the second."""
    (_, first), (client, second) = pairs(), pairs()
    waiting.arrived(environ(first))
    waiting.arrived(environ(second, **second_values))
    return first, client, second


def test_a_request_waiting_at_a_read_takes_it_and_the_one_after_reads_again(pairs):
    reads = Reads()
    waiting = WaitingRequests(reads)
    first, client, second = known_connections(waiting, pairs)
    client.sendall(REQUEST)
    assert waiting.stamp(environ(first)) == "stamp-1"
    assert waiting.arrived(environ(second)) == "stamp-1"
    assert waiting.arrived(environ(second)) is None  # the next request reads for itself


def test_a_stray_empty_line_is_not_taken_for_a_waiting_request(pairs):
    """gunicorn skips an empty line before a request line: the request behind it may be
    sent after the read."""
    waiting = WaitingRequests(Reads())
    first, client, second = known_connections(waiting, pairs)
    client.sendall(b"\r\n")
    waiting.stamp(environ(first))
    assert waiting.arrived(environ(second)) is None


def test_a_connection_closed_by_its_client_is_not_marked(pairs):
    waiting = WaitingRequests(Reads())
    first, client, second = known_connections(waiting, pairs)
    client.close()
    waiting.stamp(environ(first))
    assert waiting.arrived(environ(second)) is None


def test_a_connection_whose_next_request_began_during_the_read_is_not_marked(pairs):
    """With several threads, another thread may start the waiting request while the stamp
    is read: that request read for itself, and the mark must not pass to the one after."""
    reads = Reads()
    waiting = WaitingRequests(reads)
    first, client, second = known_connections(waiting, pairs)
    client.sendall(REQUEST)
    reads.during = lambda: waiting.arrived(environ(second))
    waiting.stamp(environ(first))
    reads.during = None
    assert waiting.arrived(environ(second)) is None


@pytest.mark.parametrize(
    "values",
    [
        {"SERVER_PROTOCOL": "HTTP/2.0"},
        {"HTTP_TRANSFER_ENCODING": "chunked"},
        {"CONTENT_LENGTH": "12"},
    ],
    ids=["http2", "chunked body", "body"],
)
def test_a_connection_whose_waiting_bytes_may_be_no_request_is_not_marked(pairs, values):
    waiting = WaitingRequests(Reads())
    first, client, second = known_connections(waiting, pairs, **values)
    client.sendall(REQUEST)
    waiting.stamp(environ(first))
    assert waiting.arrived(environ(second)) is None


def test_a_tls_connection_is_not_marked(pairs):
    """Bytes waiting on TLS are records, perhaps no request at all."""
    waiting = WaitingRequests(Reads())
    (_, first), (client, server_end) = pairs(), pairs()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    second = context.wrap_socket(server_end, server_side=True, do_handshake_on_connect=False)
    waiting.arrived(environ(first))
    waiting.arrived(environ(second))
    client.sendall(REQUEST)
    waiting.stamp(environ(first))
    assert waiting.arrived(environ(second)) is None


def test_without_gunicorn_every_request_reads():
    reads = Reads()
    waiting = WaitingRequests(reads)
    assert waiting.arrived({}) is None
    assert waiting.stamp({}) == "stamp-1"
    assert waiting.stamp({}) == "stamp-2"
