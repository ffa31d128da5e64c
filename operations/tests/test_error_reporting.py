"""Error reporting to a Sentry-compatible service (issue 20): one variable turns it on; an exception in
a view sends one envelope, with no personal data. The service is a tiny HTTP server in this test."""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.urls import path

from greenlist.observability import init_error_reporting


class BoomError(Exception):
    pass


def boom(request: HttpRequest) -> HttpResponse:
    raise BoomError("zqBOOMzq")


urlpatterns = [path("boom/", boom)]


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        Collector.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init(dsn=None)  # this process sends nothing more
    server.shutdown()


def test_an_exception_in_a_view_sends_one_envelope_without_personal_data(sentry_server, client, settings, staff):
    # given SENTRY_DSN pointing at the local server
    port = sentry_server.server_address[1]
    assert init_error_reporting(f"http://publickey@127.0.0.1:{port}/42", environment="test")
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(staff)

    # when a view raises
    response = client.get("/boom/", headers={"X-Request-ID": "req-sentry-1"})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    # then one envelope arrived, naming the error and the request id, not the person
    envelopes = [body for where, body in Collector.received if where == "/api/42/envelope/"]
    assert len(envelopes) == 1, Collector.received
    text = envelopes[0].decode("utf-8", "replace")
    assert "BoomError" in text and "zqBOOMzq" in text and "req-sentry-1" in text
    assert "staff@example.org" not in text
    assert "sessionid" not in text and "127.0.0.1" not in text.replace(f"127.0.0.1:{port}", "")


def test_no_dsn_no_reporting():
    assert init_error_reporting("", environment="test") is False
