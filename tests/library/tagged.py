"""Real tagged audio files for the library tests: FLAC/Ogg (Vorbis comments), MP3/WAV (ID3)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TXXX, UFID, Frames
from PIL import Image

from tests.conftest import write_tone


def png(color: tuple[int, int, int], size: tuple[int, int] = (320, 320)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def flac_picture(data: bytes, kind: int = 3) -> Picture:
    picture = Picture()
    picture.type, picture.mime, picture.data = kind, "image/png", data
    return picture


def write_flac(path: Path, *, duration_s: float = 0.5, pictures: tuple[Picture, ...] = (),
               **fields: str | list[str]) -> Path:  # fmt: skip
    """A short FLAC with the given Vorbis comments (a list value repeats the field)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tone(path, duration_s=duration_s, fmt="FLAC")
    audio = FLAC(path)
    for name, value in fields.items():
        audio[name] = value
    for picture in pictures:
        audio.add_picture(picture)
    audio.save()
    return path


def write_ogg(path: Path, *, picture: bytes | None = None, **fields: str | list[str]) -> Path:
    """A short Ogg Vorbis file; ``picture`` goes in METADATA_BLOCK_PICTURE."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tone(path, duration_s=0.5, fmt="OGG", subtype="VORBIS")
    audio = mutagen.File(path)
    for name, value in fields.items():
        audio[name] = value
    if picture is not None:
        block = base64.b64encode(flac_picture(picture).write()).decode("ascii")
        audio["metadata_block_picture"] = [block]
    audio.save()
    return path


def write_id3(path: Path, *, fmt: str, frames: list[object], picture: bytes | None = None) -> Path:
    """A short MP3 or WAV file carrying the given ID3 frames."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tone(path, duration_s=0.5, fmt=fmt)
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    tags: ID3 = audio.tags
    for frame in frames:
        tags.add(frame)
    if picture is not None:
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="front", data=picture))
    audio.save()
    return path


def text_frame(frame_id: str, *values: str) -> object:
    return Frames[frame_id](encoding=3, text=list(values))


def txxx(desc: str, value: str) -> TXXX:
    return TXXX(encoding=3, desc=desc, text=[value])


def musicbrainz_ufid(recording_id: str) -> UFID:
    return UFID(owner="http://musicbrainz.org", data=recording_id.encode("ascii"))
