"""Probing real generated media, and refusing hostile uploads without touching the network."""

from __future__ import annotations

import random
import socket
import struct
from pathlib import Path

import pytest

from reelsmith.domain.errors import MediaRejected
from reelsmith.domain.models import UploadKind
from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.media.probe import check_upload, probe_media, sniff_container
from reelsmith.media.samples import make_image, make_rotated_video, make_sample_video, make_tone
from tests.media.hostile import HostileFile, LoopbackListener, hostile_corpus

HOSTILE_CASES = (
    "hls_playlist", "ffconcat", "text", "zero_byte", "truncated_mp4", "header_only_mp4", "png_as_video",
    "foreign_codec", "no_video_stream", "no_audio_stream", "too_long", "absurd_fps", "over_4k",
    "too_many_streams", "png_bomb",
)  # fmt: skip


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small file per container family we accept."""
    folder = tmp_path_factory.mktemp("media")
    sample = make_sample_video(folder / "sample.mp4", duration=2.0, size=(360, 640))
    files = {
        "mp4": sample.path,
        "png": make_image(folder / "image.png", (90, 160)),
        "jpeg": make_image(folder / "image.jpg", (90, 160)),
        "webp": make_image(folder / "image.webp", (90, 160)),
        "wav": make_tone(folder / "tone.wav", 1.0),
    }
    for name, codec_args in {
        "webm": ["-f", "lavfi", "-i", "testsrc2=s=180x320:d=1", "-f", "lavfi", "-i", "sine=d=1",
                 "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
        "mp3": ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "libmp3lame"],
        "ogg": ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "libvorbis"],
        "m4a": ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac"],
    }.items():  # fmt: skip
        files[name] = folder / f"clip.{name}"
        run_ffmpeg([*codec_args, str(files[name])], timeout=60)
    return files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, HostileFile]:
    return hostile_corpus(tmp_path_factory.mktemp("hostile"), "http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("name", "family"),
    [("mp4", "mp4"), ("webm", "webm"), ("png", "png"), ("jpeg", "jpeg"), ("webp", "webp"), ("wav", "wav"),
     ("mp3", "mp3"), ("ogg", "ogg"), ("m4a", "mp4")],
)  # fmt: skip
def test_sniffs_container_from_magic_bytes(media: dict[str, Path], name: str, family: str) -> None:
    assert sniff_container(media[name]) == family


def test_sniff_ignores_the_extension(media: dict[str, Path], tmp_path: Path) -> None:
    disguised = tmp_path / "photo.mp4"
    disguised.write_bytes(media["png"].read_bytes())
    assert sniff_container(disguised) == "png"
    for body in (b"", b"#EXTM3U\n#EXTINF:1,\nhttp://x/a.ts\n", b"ffconcat version 1.0\n", b"\x89PNG"):
        disguised.write_bytes(body)
        assert sniff_container(disguised) is None
    assert sniff_container(tmp_path / "missing.mp4") is None


def test_probes_sample_video(media: dict[str, Path]) -> None:
    probe = check_upload(media["mp4"], UploadKind.SAMPLE_VIDEO)
    assert (probe.container, probe.video_codec, probe.audio_codec) == ("mp4", "h264", "aac")
    assert (probe.width, probe.height, probe.display_width, probe.display_height) == (360, 640, 360, 640)
    assert probe.duration == pytest.approx(2.0, abs=0.05)
    assert probe.fps == pytest.approx(30)
    assert probe.has_video and probe.has_audio and probe.stream_count == 2
    assert (probe.channels, probe.sample_rate, probe.rotation) == (2, 48000, 0)
    assert probe.bit_rate and probe.bit_rate > 0


def test_probes_webm(media: dict[str, Path]) -> None:
    probe = check_upload(media["webm"], UploadKind.SAMPLE_VIDEO)
    assert (probe.container, probe.video_codec, probe.audio_codec) == ("webm", "vp8", "opus")
    assert (probe.display_width, probe.display_height) == (180, 320)
    assert probe.duration == pytest.approx(1.0, abs=0.1)


def test_rotated_video_reads_as_portrait(tmp_path: Path) -> None:
    probe = check_upload(make_rotated_video(tmp_path / "phone.mp4"), UploadKind.SAMPLE_VIDEO)
    assert (probe.width, probe.height) == (1920, 1080)
    assert probe.rotation == 90
    assert (probe.display_width, probe.display_height) == (1080, 1920)


@pytest.mark.parametrize(("degrees", "rotation", "display"), [(-90, 270, (90, 160)), (180, 180, (160, 90))])
def test_other_display_matrices(
    tmp_path: Path, degrees: int, rotation: int, display: tuple[int, int]
) -> None:
    path = make_rotated_video(tmp_path / "turned.mp4", size=(160, 90), duration=0.2, degrees=degrees)
    probe = probe_media(path, expected="video")
    assert (probe.rotation, (probe.display_width, probe.display_height)) == (rotation, display)


@pytest.mark.parametrize("name", ["png", "jpeg", "webp"])
def test_accepts_character_images(media: dict[str, Path], name: str) -> None:
    probe = check_upload(media[name], UploadKind.CHARACTER_IMAGE)
    assert (probe.container, probe.width, probe.height, probe.duration) == (name, 90, 160, 0.0)
    assert not probe.has_audio


@pytest.mark.parametrize("name", ["wav", "mp3", "ogg", "m4a", "mp4"])
def test_accepts_audio(media: dict[str, Path], name: str) -> None:
    probe = check_upload(media[name], UploadKind.AUDIO)
    assert probe.has_audio
    assert 0.9 < probe.duration < 2.1


def test_accepts_audio_with_cover_art(media: dict[str, Path], tmp_path: Path) -> None:
    """Cover art is a picture stream we never decode: it must not get an audio upload refused."""
    song = tmp_path / "song.mp3"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=d=1", "-i", str(media["png"]), "-map", "0", "-map", "1",
         "-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", str(song)],
    )  # fmt: skip
    probe = check_upload(song, UploadKind.AUDIO)
    assert (probe.audio_codec, probe.has_video, probe.fps) == ("mp3", True, 0.0)


def test_rejects_media_of_the_wrong_kind(media: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected) as caught:
        check_upload(media["mp4"], UploadKind.CHARACTER_IMAGE)
    assert caught.value.code == "unsupported_media"
    assert "MP4" in caught.value.message
    with pytest.raises(MediaRejected, match="PNG image"):
        check_upload(media["png"], UploadKind.AUDIO)


@pytest.mark.parametrize("name", HOSTILE_CASES)
def test_rejects_hostile_upload(hostile: dict[str, HostileFile], name: str) -> None:
    case = hostile[name]
    with pytest.raises(MediaRejected) as caught:
        check_upload(case.path, case.kind)
    assert caught.value.code == case.code
    assert caught.value.message


def test_hostile_corpus_never_reaches_the_network(tmp_path: Path) -> None:
    """Playlists point at a live loopback listener; not one connection may arrive."""
    with LoopbackListener() as canary:
        corpus = hostile_corpus(tmp_path, canary.url)
        assert set(corpus) == set(HOSTILE_CASES)
        for case in corpus.values():
            with pytest.raises(MediaRejected):
                check_upload(case.path, case.kind)
    assert canary.connections == 0


def test_canary_listener_counts_connections() -> None:
    with LoopbackListener() as canary:
        host, port = canary.url.removeprefix("http://").split(":")
        socket.create_connection((host, int(port)), timeout=2).close()
    assert canary.connections == 1


def test_wav_header_claiming_gigabytes_reads_as_its_real_length(
    media: dict[str, Path], tmp_path: Path
) -> None:
    data = media["wav"].read_bytes()
    at = data.index(b"data") + 4
    liar = tmp_path / "liar.wav"
    liar.write_bytes(
        data[:4] + struct.pack("<I", 0xFFFFFFF0) + data[8:at] + struct.pack("<I", 0xFFFFFFF0) + data[at + 4 :]
    )
    assert check_upload(liar, UploadKind.AUDIO).duration == pytest.approx(1.0, abs=0.05)


MAGICS = (
    b"\x00\x00\x00\x18ftypisom", b"\x1a\x45\xdf\xa3", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0",
    b"RIFF\x10\x00\x00\x00WEBP", b"RIFF\x10\x00\x00\x00WAVE", b"OggS\x00\x02", b"ID3\x03\x00",
    b"\xff\xfb\x90\x00",
)  # fmt: skip


@pytest.mark.parametrize("magic", MAGICS)
def test_garbage_behind_valid_magic_never_leaks_a_decoder_error(magic: bytes, tmp_path: Path) -> None:
    rng = random.Random(magic)
    path = tmp_path / "garbage"
    for size in (4, 300, 20_000):
        path.write_bytes(magic + rng.randbytes(size))
        for kind in UploadKind:
            try:
                check_upload(path, kind)
            except MediaRejected as rejected:
                assert rejected.code in {"unsupported_media", "media_limits_exceeded", "no_video_stream",
                                         "no_audio_stream"}  # fmt: skip


def test_probe_media_reports_what_upload_limits_then_refuse(hostile: dict[str, HostileFile]) -> None:
    """probe_media describes; check_upload decides."""
    assert probe_media(hostile["too_long"].path, expected="video").duration == pytest.approx(200, abs=1)
    assert probe_media(hostile["absurd_fps"].path, expected="video").fps == pytest.approx(1000)
    assert probe_media(hostile["too_many_streams"].path, expected="video").stream_count == 10
    with pytest.raises(MediaRejected) as caught:
        probe_media(hostile["no_video_stream"].path, expected="video")
    assert caught.value.code == "no_video_stream"
