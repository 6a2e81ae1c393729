"""``/rest/{method}`` and ``/rest/{method}.view``: the Subsonic API, GET or POST (form).

One route answers every method: it reads the parameters (query and an
``application/x-www-form-urlencoded`` body, which the edge has bounded already),
authenticates unless the method is open, calls the method's handler and renders its
payload in the envelope. Every failure is a Subsonic error with HTTP 200, as Subsonic and
Airsonic answer (clients such as Sonixd hang on a 404): an unknown method is error 0, and
an exception that is not a :class:`~.errors.SubsonicError` is logged and answered as
error 0, never as an HTML or problem page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..errors import (
    AlbumNotFoundError,
    ArtistNotFoundError,
    InvalidRequestError,
    MasterstreamError,
    TrackNotFoundError,
)
from . import annotations, browse, covers, lists, media, playlists, search, system
from .auth import authenticate
from .call import Method, SubsonicCall
from .envelope import render, render_error, response_format
from .errors import GENERIC, NOT_AUTHORISED, NOT_FOUND, SubsonicError

log = logging.getLogger("masterstream.subsonic")
MODULES = (system, browse, lists, search, covers, annotations, playlists, media)
MAX_FIELDS = 1000
FORM_TYPE = "application/x-www-form-urlencoded"
NOT_FOUND_ERRORS = (TrackNotFoundError, AlbumNotFoundError, ArtistNotFoundError)


def method_table(modules: tuple[Any, ...] = MODULES) -> dict[str, Method]:
    """Every module's ``METHODS``, by lower-case name (clients vary the case)."""
    table: dict[str, Method] = {}
    for module in modules:
        for name, method in module.METHODS.items():
            if name.lower() in table:
                raise ValueError(f"Subsonic method {name} is declared twice")
            table[name.lower()] = method
    return table


METHODS = method_table()
DESCRIPTION = (
    "The Subsonic/OpenSubsonic API (responses in XML, or JSON with `f=json`; errors are "
    'HTTP 200 with `status="failed"`). `method` is one of: '
    + ", ".join(sorted(m for module in MODULES for m in module.METHODS))
    + " (optionally with `.view`). Authenticate with `u`+`t`+`s`, `u`+`p` or `apiKey`."
)
router = APIRouter(tags=["subsonic"])


async def read_params(request: Request) -> dict[str, list[str]]:
    """Query and form parameters, every value of each, in the order sent."""
    params: dict[str, list[str]] = {}
    pairs = list(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST" and content_type == FORM_TYPE:
        body = (await request.body()).decode("utf-8", "replace")
        try:
            pairs += parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            raise SubsonicError(GENERIC, f"more than {MAX_FIELDS} form fields") from None
    if len(pairs) > MAX_FIELDS:
        raise SubsonicError(GENERIC, f"more than {MAX_FIELDS} parameters")
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


async def _answer(call: SubsonicCall, name: str) -> Response:
    method = METHODS.get(name.lower())
    if method is None:
        raise SubsonicError(GENERIC, f"Unknown method: {name[:60]}")
    if method.auth:
        await authenticate(call)
        if method.admin and not (call.principal is not None and call.principal.admin):
            raise SubsonicError(NOT_AUTHORISED, f"{name} is for admins")
    result = await method.handler(call)
    return result if isinstance(result, Response) else render(result, call.format)


@router.api_route(
    "/rest/{method}", methods=["GET", "POST"], response_class=Response,
    summary="Subsonic/OpenSubsonic API method", description=DESCRIPTION,
    responses={200: {"content": {"text/xml": {}, "application/json": {}},
                     "description": "A subsonic-response (or a binary for stream, "
                     "download and getCoverArt)."}},
)  # fmt: skip
async def rest(method: str, request: Request) -> Response:
    fmt = response_format(request.query_params.get("f"))
    try:
        params = await read_params(request)
        requested = (params.get("f") or [None])[0]
        fmt = response_format(requested)
        if requested == "jsonp":
            raise SubsonicError(GENERIC, "f=jsonp is not supported: use f=json or f=xml")
        state = request.app.state.ms
        call = SubsonicCall(params, state, request, fmt)  # type: ignore[arg-type]
        return await _answer(call, method.removesuffix(".view"))
    except SubsonicError as exc:
        return render_error(exc, fmt)
    except NOT_FOUND_ERRORS as exc:
        return render_error(SubsonicError(NOT_FOUND, str(exc)), fmt)
    except InvalidRequestError as exc:
        return render_error(SubsonicError(GENERIC, str(exc)), fmt)
    except MasterstreamError as exc:
        log.warning("subsonic %s failed: %s", method[:60], exc)
        return render_error(SubsonicError(GENERIC, str(exc)), fmt)
    except Exception:
        log.exception("subsonic %s failed", method[:60])
        return render_error(SubsonicError(GENERIC, "internal server error"), fmt)


# HEAD (players probe a stream's length and type before playing) shares the handler; it stays
# out of the schema, where it would repeat GET's
router.add_api_route("/rest/{method}", rest, methods=["HEAD"], include_in_schema=False)
