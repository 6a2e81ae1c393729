"""The chunk route, served through the app's short stack (``api/direct_routes.py``): the
same handlers and middleware as every other route, whatever goes wrong."""

from __future__ import annotations

import logging

from masterstream.api.direct_routes import DirectApp, DirectRoute
from masterstream.api.route_table import all_routes
from masterstream.errors import TrackNotFoundError


def chunk_url(track: dict, index: int = 0) -> str:
    return f"/api/tracks/{track['id']}/chunks/{index}"


async def test_the_chunk_route_is_a_direct_route_of_the_app(app):
    assert isinstance(app, DirectApp)
    direct = [r for r in all_routes(app.router.routes) if isinstance(r, DirectRoute)]
    assert {(r.path, m) for r in direct for m in r.methods} == {
        ("/api/tracks/{track_id}/chunks/{chunk_idx}", "GET"),
        ("/api/tracks/{track_id}/chunks/{chunk_idx}", "HEAD"),
    }


async def test_an_unexpected_error_is_a_500_problem_with_the_request_id(
    app, client, tracks, caplog, monkeypatch
):
    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    await client.get(chunk_url(tracks["a-stereo"]))  # the lifespan has built the lane
    monkeypatch.setattr(app.state.ms.engine.chunks, "get", broken)
    with caplog.at_level(logging.ERROR):
        response = await client.get(chunk_url(tracks["a-stereo"], 1))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("internal-error")
    assert "secret internals" not in response.text
    assert response.headers["x-request-id"]
    assert "secret internals" in caplog.text  # logged, with its traceback


async def test_our_errors_keep_their_problem_documents(app, client, tracks, monkeypatch):
    async def gone(*args, **kwargs):
        raise TrackNotFoundError(tracks["a-stereo"]["id"])

    monkeypatch.setattr(app.state.ms.engine.chunks, "get", gone)
    response = await client.get(chunk_url(tracks["a-stereo"]))
    assert response.status_code == 404
    assert response.json()["type"].endswith("track-not-found")


async def test_other_methods_go_through_the_full_stack(client, tracks):
    response = await client.post(chunk_url(tracks["a-stereo"]), json={})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


async def test_chunk_requests_are_counted_in_metrics_at_once(client, tracks):
    for index in range(3):
        assert (await client.get(chunk_url(tracks["a-stereo"], index))).status_code == 200
    summary = (await client.get("/api/metrics/endpoints")).json()["summary"]
    assert summary["total_requests"] == 3  # deferred records are settled before a read
    text = (await client.get("/metrics")).text
    line = next(
        line for line in text.splitlines()
        if line.startswith("masterstream_http_requests_total")
        and 'route="/api/tracks/{track_id}/chunks/{chunk_idx}"' in line and 'status="200"' in line
    )  # fmt: skip
    assert float(line.rsplit(" ", 1)[1]) == 3.0
