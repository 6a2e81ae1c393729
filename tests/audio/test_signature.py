import shutil

from masterstream.audio.signature import content_signature
from tests.conftest import write_tone


def test_signature_depends_on_content_not_path(tmp_path):
    a = write_tone(tmp_path / "a.wav")
    b = tmp_path / "sub" / "b.wav"
    b.parent.mkdir()
    shutil.copy(a, b)
    assert content_signature(a) == content_signature(b)
    assert len(content_signature(a)) == 32


def test_one_changed_byte_changes_the_signature(tmp_path):
    path = write_tone(tmp_path / "a.wav")
    before = content_signature(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert content_signature(path) != before
