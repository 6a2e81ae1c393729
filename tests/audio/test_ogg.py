import io

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.ogg import FLAG_EOS, lacing, ogg_crc, page, read_pages, shift_pages


@pytest.fixture(scope="module")
def libsndfile_opus() -> bytes:
    """An Ogg Opus file written by libsndfile: pages whose CRCs we did not compute."""
    audio = np.random.default_rng(0).uniform(-0.3, 0.3, (48000, 2))
    buffer = io.BytesIO()
    sf.write(buffer, audio, 48000, format="OGG", subtype="OPUS")
    return buffer.getvalue()


def test_reads_and_rewrites_another_writers_pages_byte_for_byte(libsndfile_opus):
    pages = list(read_pages(libsndfile_opus))
    assert pages[0].packets[0].startswith(b"OpusHead") and pages[-1].flags & FLAG_EOS
    for p in pages:
        again = page(p.packets, serial=p.serial, sequence=p.sequence, granule=p.granule,
                     flags=p.flags)  # fmt: skip
        assert again == libsndfile_opus[p.offset : p.offset + p.size_bytes]
    assert sum(p.size_bytes for p in pages) == len(libsndfile_opus)


def test_crc_is_the_ogg_polynomial():
    # CRC-32/MPEG-2 without final XOR and with a zero initial value: a single 0x01 byte
    # gives the polynomial itself.
    assert ogg_crc(b"\x01") == 0x04C11DB7
    assert ogg_crc(b"") == 0


def test_corruption_is_detected(libsndfile_opus):
    damaged = bytearray(libsndfile_opus)
    damaged[200] ^= 0x10
    with pytest.raises(ValueError, match="CRC"):
        list(read_pages(bytes(damaged)))


@pytest.mark.parametrize("size", [0, 254, 255, 256, 510, 1275])
def test_lacing_round_trips_packets_of_any_size(size):
    packets = [bytes([7]) * size, b"tail"]
    data = page(packets, serial=1, sequence=5, granule=960)
    (parsed,) = read_pages(data)
    assert parsed.packets == tuple(packets) and not parsed.continued_last
    assert (parsed.serial, parsed.sequence, parsed.granule) == (1, 5, 960)
    assert lacing([b"x" * 255]) == b"\xff\x00"


def test_a_page_holds_at_most_255_segments():
    with pytest.raises(ValueError, match="segments"):
        page([b"x" * 300] * 128, serial=1, sequence=0, granule=0)


def test_shifted_pages_keep_their_packets_and_pass_their_checksums():
    packets = [bytes([i]) * (100 + 300 * i) for i in range(4)]
    data = page(packets[:2], serial=7, sequence=5, granule=1920) + page(
        packets[2:], serial=7, sequence=6, granule=-1
    )
    moved = list(read_pages(shift_pages(data, granule_shift=-960, sequence_shift=-3)))
    assert [(p.sequence, p.granule) for p in moved] == [(2, 960), (3, -1)]
    assert [pk for p in moved for pk in p.packets] == packets
    with pytest.raises(ValueError, match="no Ogg page"):
        shift_pages(data[1:], granule_shift=0, sequence_shift=0)
