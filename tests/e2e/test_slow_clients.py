"""Slow clients against a running server: half-sent requests are closed after the header
timeout, the connection cap makes room by closing the oldest waiting connection, oversized
headers get 431, and ``/livez`` (and a normal route) answer throughout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.timeout(240)
HEADER_TIMEOUT_S = 3.0
MAX_CONNECTIONS = 500
HALF_SENT = 1000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("slow-clients")
    (root / "music").mkdir()
    write_tone(root / "music" / "tone.wav", duration_s=2.0)
    process = ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / "data"),
        "--cache-dir", str(root / "cache"),
        env={"MASTERSTREAM_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
             "MASTERSTREAM_MAX_CONNECTIONS": str(MAX_CONNECTIONS)},
    ).start()  # fmt: skip
    yield process
    process.stop()


def half_sent(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
    sock.setblocking(False)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def livez_ms(base_url: str) -> float:
    started = time.perf_counter()
    response = httpx.get(base_url + "/livez", timeout=5)
    assert response.status_code == 200, response.text
    return (time.perf_counter() - started) * 1000


def test_half_sent_requests_are_closed_and_livez_answers_throughout(
    server: ServerProcess,
) -> None:
    sockets = [half_sent(server.port) for _ in range(HALF_SENT)]
    opened_s = time.monotonic()
    try:
        latencies = [livez_ms(server.base_url)]
        assert httpx.get(server.base_url + "/api/health", timeout=5).status_code == 200
        time.sleep(0.5)
        evicted = sum(closed_by_server(sock) for sock in sockets)
        assert evicted >= HALF_SENT - MAX_CONNECTIONS, "the cap closed the oldest waiting"
        assert evicted < HALF_SENT, "the newest half-sent requests are still waiting"
        open_ = [sock for sock in sockets if not closed_by_server(sock)]
        while open_ and time.monotonic() - opened_s < HEADER_TIMEOUT_S + 10:
            latencies.append(livez_ms(server.base_url))
            open_ = [sock for sock in open_ if not closed_by_server(sock)]
            time.sleep(0.05)
        all_closed_s = time.monotonic() - opened_s
    finally:
        for sock in sockets:
            sock.close()
    assert not open_, f"{len(open_)} half-sent requests still open after {all_closed_s:.1f} s"
    assert all_closed_s >= HEADER_TIMEOUT_S - 0.5, "closed by the timeout, not at once"
    assert max(latencies) < 2000, latencies


def test_a_trickling_client_is_closed_at_the_header_timeout(server: ServerProcess) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    started_s = time.monotonic()
    header = b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 200
    try:
        for byte in header:
            sock.sendall(bytes([byte]))
            time.sleep(0.05)
        pytest.fail("the server kept reading a request that never ends")
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    elapsed_s = time.monotonic() - started_s
    assert HEADER_TIMEOUT_S - 0.5 <= elapsed_s < HEADER_TIMEOUT_S + 3


def test_oversized_headers_are_refused_with_431(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70_000)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_kept_alive_connection_still_serves_several_requests(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=5) as client:
        for _ in range(3):
            assert client.get("/livez").status_code == 200
            time.sleep(HEADER_TIMEOUT_S / 2)  # idle longer than the header timeout in total
        assert client.get("/api/health").status_code == 200
        assert client.get("/livez").status_code == 200
