"""The library scan: ``GET /api/library/status``, ``POST /api/library/scan`` (admin).

Scans run in the background (:mod:`masterstream.service.library_scan`): the status says
which phase runs, how far it got, how fast, and which files were skipped and why. A forced
scan answers with its index pass's report (analysis goes on in the background), or with
202 and the status while another index pass runs. Changed files get new content
signatures, so their old chunks can never be served again; their old bytes and plans are
dropped too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..auth import require_admin
from ..schemas import LibraryScanStatus, ScanResult
from ..state import ServerState, get_state

router = APIRouter(tags=["library"])


@router.get(
    "/api/library/status",
    response_model=LibraryScanStatus,
    summary="The library scan's phase, progress, rate, ETA and skipped files",
)
async def library_status(state: Annotated[ServerState, Depends(get_state)]) -> LibraryScanStatus:
    return LibraryScanStatus(**state.engine.scanner.status.to_dict())


@router.post(
    "/api/library/scan",
    response_model=ScanResult,
    responses={202: {"model": LibraryScanStatus, "description": "A scan is already indexing"}},
    dependencies=[Depends(require_admin)],
    summary="Rescan the library folder (admin)",
)
async def scan_library(
    state: Annotated[ServerState, Depends(get_state)],
) -> ScanResult | JSONResponse:
    scanner = state.engine.scanner
    if scanner.indexing:
        status = LibraryScanStatus(**scanner.status.to_dict())
        return JSONResponse(status.model_dump(), status_code=202)
    return ScanResult(**await scanner.scan())
