"""The SAM frame codec: exact bytes from PROTOCOLS.md, streaming reassembly, corruption, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desktop.devices.errors import ProtocolError
from desktop.devices.sam.codec import (
    FIND_CARD,
    MAX_LEN,
    PREAMBLE,
    READ_NEW_ADDRESS,
    READ_TEXT_PHOTO,
    READ_TEXT_PHOTO_FINGERPRINT,
    RESET,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    SW3_MESSAGES,
    Command,
    Frame,
    FrameAssembler,
    FrameFault,
    Sw3,
    build_command,
    build_frame,
    build_reply,
    describe_sw3,
)
from desktop.devices.sam.replies import (
    check_shape,
    decode_read,
    encode_read,
    encode_sam_id,
    format_sam_id,
    parse_reply,
    status_error,
)


def frames_of(items: list[Frame | FrameFault]) -> list[Frame]:
    return [i for i in items if isinstance(i, Frame)]


def feed_in_chunks(data: bytes, cuts: list[int]) -> tuple[FrameAssembler, list[Frame | FrameFault]]:
    assembler = FrameAssembler()
    out: list[Frame | FrameFault] = []
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:]):
        out += assembler.feed(data[a:b])
    return assembler, out


# -- exact bytes of PROTOCOLS.md §1 --------------------------------------------------------------
@pytest.mark.parametrize(("command", "tail"), [
    (RESET, "00 03 10 FF EC"), (SAM_STATUS, "00 03 11 FF ED"), (SAM_ID, "00 03 12 FF EE"),
    (FIND_CARD, "00 03 20 01 22"), (SELECT_CARD, "00 03 20 02 21"), (READ_TEXT_PHOTO, "00 03 30 01 32"),
    (READ_NEW_ADDRESS, "00 03 30 03 30"), (READ_TEXT_PHOTO_FINGERPRINT, "00 03 30 10 23"),
])
def test_commands_are_the_published_bytes(command: Command, tail: str) -> None:
    assert build_command(command) == PREAMBLE + bytes.fromhex(tail)


def test_find_reply_matches_the_published_example() -> None:
    assert build_reply(Sw3.CARD_FOUND, bytes(4)) == bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97")


def test_read_reply_has_the_published_header_and_size() -> None:
    frame = build_reply(Sw3.SUCCESS, encode_read(bytes(256), bytes(1024)))
    assert len(frame) == 1295
    assert frame[:10] == bytes.fromhex("AAAAAA9669 0508 000090")
    assert frame[10:14] == bytes.fromhex("0100 0400")


def test_every_documented_status_has_a_chinese_message() -> None:
    documented = [0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47,
                  0x60, 0x66, 0x80, 0x81]
    assert sorted(SW3_MESSAGES) == sorted(documented)
    for sw3 in documented:
        english, chinese = describe_sw3(sw3)
        assert english and chinese and chinese.isascii() is False
    english, chinese = describe_sw3(0x55)
    assert "0x55" in english and "0x55" in chinese


def test_status_error_names_command_and_status() -> None:
    err = status_error(0x66, READ_TEXT_PHOTO)
    assert err.sw3 == 0x66 and err.code == "status_66"
    assert "安全模块未经授权" in err.message_zh
    assert "read text+photo" in err.detail and "0x66" in err.detail


def test_sam_id_is_printed_like_the_vendors_do() -> None:
    assert format_sam_id(encode_sam_id(5, 1, 20160801, 12345678, 87654321)) == "05.01-20160801-012345678-087654321"


# -- reassembly --------------------------------------------------------------------------------
payloads = st.binary(min_size=2, max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.lists(payloads, min_size=1, max_size=4), st.lists(st.integers(min_value=0, max_value=5000), max_size=30))
def test_any_valid_frames_survive_any_chunking(payload_list: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(build_frame(p) for p in payload_list)
    assembler, out = feed_in_chunks(stream, cuts)
    assert out == [Frame(p) for p in payload_list]
    assert assembler.pending == 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), payloads, st.lists(st.integers(min_value=0, max_value=500), max_size=10))
def test_garbage_before_a_frame_is_skipped_and_reported(garbage: bytes, payload: bytes, cuts: list[int]) -> None:
    assume(PREAMBLE not in garbage + PREAMBLE[:4])
    _, out = feed_in_chunks(garbage + build_frame(payload), cuts)
    assert frames_of(out) == [Frame(payload)]
    faults = [i for i in out if isinstance(i, FrameFault)]
    assert all(f.code == "garbage" for f in faults)
    assert sum(f.discarded for f in faults) == len(garbage)


def test_wrong_checksum_is_rejected_with_both_values() -> None:
    frame = bytearray(build_reply(Sw3.CARD_FOUND, bytes(4)))
    frame[-1] ^= 0xFF
    out = FrameAssembler().feed(bytes(frame))
    assert frames_of(out) == []
    assert out[0] == FrameFault("bad_checksum", "checksum 0x68 != computed 0x97 (frame of 15 bytes)", 1)


def test_impossible_length_is_rejected_at_once() -> None:
    out = FrameAssembler().feed(PREAMBLE + (MAX_LEN + 1).to_bytes(2, "big"))
    assert isinstance(out[0], FrameFault) and out[0].code == "bad_length"
    out = FrameAssembler().feed(PREAMBLE + b"\x00\x01\x00")
    assert isinstance(out[0], FrameFault) and out[0].code == "bad_length"


def test_truncated_frame_waits_and_says_how_much_arrived() -> None:
    assembler = FrameAssembler()
    frame = build_reply(Sw3.SUCCESS, encode_read(bytes(256), bytes(1024)))
    assert assembler.feed(frame[:600]) == []
    assert assembler.pending_detail() == "incomplete frame: 600 of 1295 bytes received"
    assembler.reset()
    assert assembler.feed(build_reply(Sw3.FIND_FAILED)) == [Frame(bytes([0, 0, 0x80]))]


def test_a_good_frame_inside_a_bad_frames_span_is_found() -> None:
    # A truncated reply immediately followed by a complete one: the first's LEN swallows the
    # second, the checksum fails, and the search resumes inside.
    stream = build_reply(Sw3.CARD_FOUND, bytes(4))[:9] + build_reply(Sw3.FIND_FAILED) + bytes(20)
    out = FrameAssembler().feed(stream)
    assert frames_of(out) == [Frame(bytes([0, 0, 0x80]))]


# -- single-byte corruption of real replies ------------------------------------------------------
def replies() -> st.SearchStrategy[tuple[Command, bytes]]:
    return st.one_of(
        st.just((FIND_CARD, build_reply(Sw3.CARD_FOUND, bytes(4)))),
        st.just((FIND_CARD, build_reply(Sw3.FIND_FAILED))),
        st.binary(min_size=8, max_size=8).map(lambda d: (SELECT_CARD, build_reply(Sw3.SUCCESS, d))),
        st.binary(min_size=16, max_size=16).map(lambda d: (SAM_ID, build_reply(Sw3.SUCCESS, d))),
        st.just((SAM_STATUS, build_reply(Sw3.SUCCESS))),
        st.sampled_from(sorted(SW3_MESSAGES)).map(lambda s: (READ_TEXT_PHOTO, build_reply(s))),
        st.tuples(st.binary(min_size=256, max_size=256), st.binary(min_size=1024, max_size=1024)).map(
            lambda tp: (READ_TEXT_PHOTO, build_reply(Sw3.SUCCESS, encode_read(*tp)))),
    )


def accepted_replies(command: Command, frames: list[Frame]) -> list[bytes]:
    accepted = []
    for frame in frames:
        try:
            check_shape(command, parse_reply(frame))
        except ProtocolError:
            continue
        accepted.append(frame.payload)
    return accepted


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies(), st.data())
def test_any_single_corrupted_byte_is_never_accepted(reply: tuple[Command, bytes], data: st.DataObject) -> None:
    command, frame = reply
    position = data.draw(st.integers(min_value=0, max_value=len(frame) - 1), label="position")
    flip = data.draw(st.integers(min_value=1, max_value=255), label="xor")
    corrupted = bytearray(frame)
    corrupted[position] ^= flip
    follower = build_reply(Sw3.FIND_FAILED)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(frame) + 20), max_size=8), label="cuts")
    assembler, out = feed_in_chunks(bytes(corrupted) + follower, cuts)
    found = frames_of(out)
    # Never the corrupted reply taken for a valid answer to the command that was sent...
    assert accepted_replies(command, [f for f in found if f.raw() != follower]) == []
    if position not in (5, 6):
        # ...and outside the LEN field not even a frame: the checksum catches every single-byte change,
        # and the search resumes so the next reply is found.
        assert found == [Frame(follower[7:-1])]
    else:
        # A corrupted LEN may claim more bytes than ever come: the assembler waits (the driver's
        # timeout ends that) unless the next reply is found.
        assert Frame(follower[7:-1]) in found or assembler.pending > 0


# -- fuzz ---------------------------------------------------------------------------------------
commands = st.sampled_from([RESET, SAM_STATUS, SAM_ID, FIND_CARD, SELECT_CARD, READ_TEXT_PHOTO,
                            READ_TEXT_PHOTO_FINGERPRINT])
chunk = st.one_of(st.binary(max_size=40), payloads.map(build_frame),
                  st.sampled_from([PREAMBLE, PREAMBLE[:3], b"\x00\x08", b"\xff\xff"]))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chunk, max_size=8), commands)
def test_fuzz_assembler_and_reply_decoding_never_crash(chunks: list[bytes], command: Command) -> None:
    assembler = FrameAssembler()
    for piece in chunks:
        for item in assembler.feed(piece):
            assert isinstance(item, (Frame, FrameFault))
            if isinstance(item, Frame):
                try:
                    check_shape(command, parse_reply(item))
                except ProtocolError as exc:
                    assert exc.message_zh and exc.detail
    assert assembler.pending_detail()


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=1400), st.booleans())
def test_fuzz_read_data_decoding_raises_only_protocol_errors(data: bytes, with_fingerprint: bool) -> None:
    try:
        read = decode_read(data, with_fingerprint=with_fingerprint)
    except ProtocolError:
        return
    assert len(read.text) == 256
