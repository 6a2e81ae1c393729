"""``masterstream warm`` and ``masterstream stats``: ask a running server, at the URL and
with the admin token of the configuration (``server_url``, ``admin_token(_file)``)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ..errors import MasterstreamError
from .context import AsJson, cli_settings, env_help, out, progress_bar

if TYPE_CHECKING:
    import httpx

TIMEOUT_S = 30.0
POLL_S = 0.5
STALL_S = 120.0
Server = Annotated[str | None, typer.Option("--server", help=env_help("server_url"))]
Token = Annotated[
    str | None,
    typer.Option("--token", help=env_help("admin_token", "Admin token (default: the configured "
                                          "admin_token or admin_token_file).")),
]  # fmt: skip


class ServerClient:
    """The configured server (``server_url``) with the configured admin token."""

    def __init__(self, server: str | None, token: str | None) -> None:
        settings = cli_settings(server_url=server, admin_token=token).settings
        self.base_url = settings.effective_server_url.rstrip("/")
        self.headers = {}
        if settings.admin_token:
            self.headers["Authorization"] = f"Bearer {settings.admin_token}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request; its JSON answer, or one clear error."""
        import httpx

        url = self.base_url + path
        try:
            response = httpx.request(method, url, headers=self.headers, timeout=TIMEOUT_S, **kwargs)
        except httpx.HTTPError as exc:
            raise MasterstreamError(f"cannot reach the server at {url}: {exc}") from None
        if response.is_error:
            raise MasterstreamError(f"{method} {url}: {response.status_code} {_detail(response)}")
        try:
            return response.json()
        except ValueError:
            raise MasterstreamError(f"{method} {url}: the answer is not JSON") from None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or response.reason_phrase)
    return response.reason_phrase


def warm(
    track: Annotated[int, typer.Argument(help="Catalog track id (see GET /api/tracks).")],
    preset: Annotated[str, typer.Option(help="Mastering preset.")] = "adaptive",
    intensity: Annotated[float, typer.Option(help="0 = original … 1 = fully mastered.")] = 1.0,
    fmt: Annotated[
        str, typer.Option("--format", help="Chunk format: wav, flac, mp3-192, opus-128, …")
    ] = "wav",
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until the whole track is cached, with progress.")
    ] = False,
    server: Server = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Ask a running server to render a whole track into its disk cache (admin)."""
    client = ServerClient(server, token)
    body = {"track_id": track, "preset": preset, "intensity": intensity, "format": fmt}
    answer = client.call("POST", "/api/cache/warm", json=body)
    if wait:
        answer = {**answer, "cached": wait_until_cached(client, answer)}
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    out.print(f"{answer['status']}: track {answer['track_id']}, {answer['preset']} at "
              f"{answer['intensity']}, {answer['format']}, {answer['total_chunks']} chunks",
              highlight=False, soft_wrap=True)  # fmt: skip


def wait_until_cached(client: ServerClient, answer: dict[str, Any]) -> dict[str, Any]:
    """Poll the track's cache status until every chunk is cached; the last status. Gives up
    when nothing more gets cached for :data:`STALL_S` (a render that keeps failing)."""
    name, _, bitrate = answer["format"].partition("-")
    params = {"preset": answer["preset"], "intensity": answer["intensity"], "format": name,
              **({"bitrate": bitrate} if bitrate else {})}  # fmt: skip
    counted = "cached_original" if answer["preset"] == "original" else "cached_processed"
    done, since = -1, time.monotonic()
    with progress_bar() as progress:
        task = progress.add_task(f"warming track {answer['track_id']}",
                                 total=answer["total_chunks"])  # fmt: skip
        while True:
            status = client.call("GET", f"/api/cache/tracks/{answer['track_id']}", params=params)
            progress.update(task, completed=status[counted])
            if status["fully_cached"]:
                return status
            if status[counted] != done:
                done, since = status[counted], time.monotonic()
            elif time.monotonic() - since > STALL_S:
                total = answer["total_chunks"]
                raise MasterstreamError(f"warming stalled at {done} of {total} chunks for "
                                        f"{STALL_S:.0f} s (see the server's log)")  # fmt: skip
            time.sleep(POLL_S)


def stats(server: Server = None, token: Token = None, as_json: AsJson = False) -> None:
    """Print a running server's cache statistics."""
    answer = ServerClient(server, token).call("GET", "/api/cache/stats")
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    table = Table("tier", "chunks", "size MB", "hits", "misses", "hit rate")
    for name in ("tier1", "tier2", "shared"):
        tier = answer.get(name)
        if tier:
            table.add_row(name, str(tier["chunks"]), f"{tier['size_mb']:.2f}", str(tier["hits"]),
                          str(tier["misses"]), f"{tier['hit_rate']:.1%}")  # fmt: skip
    overall = answer["overall"]
    table.add_row("overall", str(overall["total_chunks"]), f"{overall['total_size_mb']:.2f}",
                  str(overall["total_hits"]), str(overall["total_misses"]),
                  f"{overall['overall_hit_rate']:.1%}")  # fmt: skip
    out.print(table)
