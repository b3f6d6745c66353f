"""What a valid reply to each command looks like, and the errors when it does not.

A frame can pass the checksum and still be wrong for the command that was sent (a shortened
LEN whose checksum happens to match, a late reply to an earlier command); checking the shape of
the data per command catches those.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.devices.errors import ProtocolError, StatusError
from desktop.devices.sam.codec import (
    FIND_CARD,
    READ_TEXT_PHOTO,
    READ_TEXT_PHOTO_FINGERPRINT,
    SAM_ID,
    SELECT_CARD,
    Command,
    Frame,
    FrameFault,
    Sw3,
    describe_sw3,
)

TEXT_LEN = 256
PHOTO_LEN = 1024
SAM_ID_LEN = 16
_FIXED_DATA_LEN = {FIND_CARD: 4, SELECT_CARD: 8, SAM_ID: SAM_ID_LEN}
_BAD_REPLY_ZH = "读卡器返回的数据格式不正确，请重新放卡"
# Error replies carry no data by the protocol; tolerate a reader that pads one with a few bytes.
_MAX_ERROR_DATA = 8


@dataclass(frozen=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes


@dataclass(frozen=True)
class CardRead:
    text: bytes
    photo: bytes
    fingerprint: bytes | None


def parse_reply(frame: Frame) -> Reply:
    payload = frame.payload
    if len(payload) < 3:
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH, f"reply payload of {len(payload)} bytes has no status")
    return Reply(payload[0], payload[1], payload[2], payload[3:])


def status_error(sw3: int, command: Command) -> StatusError:
    english, chinese = describe_sw3(sw3)
    return StatusError(f"status_{sw3:02x}", chinese, f"{command.name}: SW3=0x{sw3:02X} ({english})", sw3=sw3)


def fault_error(fault: FrameFault, command: Command) -> ProtocolError:
    zh = {"bad_checksum": "读卡器数据校验错误，请重新放卡",
          "bad_length": "读卡器数据长度错误，请重新放卡"}.get(fault.code, _BAD_REPLY_ZH)
    return ProtocolError(fault.code, zh, f"reply to {command.name}: {fault.detail}")


def check_shape(command: Command, reply: Reply) -> None:
    """Raise ProtocolError when a success reply's data cannot belong to ``command``."""
    success = Sw3.CARD_FOUND if command == FIND_CARD else Sw3.SUCCESS
    if reply.sw3 != success:
        # "Success" of another command, or an error status carrying a payload, is a reply to
        # something else (typically a late one); a genuine error status is reported by the caller.
        if reply.sw3 in (Sw3.SUCCESS, Sw3.CARD_FOUND) or len(reply.data) > _MAX_ERROR_DATA:
            raise ProtocolError("bad_reply", _BAD_REPLY_ZH,
                                f"reply to {command.name}: status 0x{reply.sw3:02X} with {len(reply.data)} data "
                                f"bytes does not answer this command")
        return
    expected = _FIXED_DATA_LEN.get(command)
    if expected is not None and len(reply.data) != expected:
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH,
                            f"reply to {command.name} has {len(reply.data)} data bytes, expected {expected}")
    if command in (READ_TEXT_PHOTO, READ_TEXT_PHOTO_FINGERPRINT):
        try:
            decode_read(reply.data, with_fingerprint=command == READ_TEXT_PHOTO_FINGERPRINT)
        except ProtocolError as exc:
            raise ProtocolError(exc.code, exc.message_zh, f"reply to {command.name}: {exc.detail}") from None


def decode_read(data: bytes, *, with_fingerprint: bool = False) -> CardRead:
    """Split the data of a read reply: lengths (2 bytes BE each), text, photo[, fingerprint]."""
    count = 3 if with_fingerprint else 2
    head = 2 * count
    if len(data) < head:
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH, f"read reply of {len(data)} bytes lacks the length fields")
    lengths = [int.from_bytes(data[i:i + 2], "big") for i in range(0, head, 2)]
    if lengths[0] != TEXT_LEN:
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH, f"text length {lengths[0]}, expected {TEXT_LEN}")
    if head + sum(lengths) != len(data):
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH,
                            f"read reply lengths {lengths} need {head + sum(lengths)} data bytes, got {len(data)}")
    text_end = head + lengths[0]
    photo_end = text_end + lengths[1]
    return CardRead(text=data[head:text_end], photo=data[text_end:photo_end],
                    fingerprint=data[photo_end:] if with_fingerprint else None)


def encode_read(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    parts = [text, photo] + ([fingerprint] if fingerprint is not None else [])
    return b"".join(len(p).to_bytes(2, "big") for p in parts) + b"".join(parts)


def format_sam_id(data: bytes) -> str:
    """The printed form used by reader vendors: 05.01-20101010-000123456-001234567."""
    if len(data) != SAM_ID_LEN:
        raise ProtocolError("bad_reply", _BAD_REPLY_ZH, f"SAM id of {len(data)} bytes, expected {SAM_ID_LEN}")

    def u32(offset: int) -> int:
        return int.from_bytes(data[offset:offset + 4], "little")

    return f"{data[0]:02d}.{data[2]:02d}-{u32(4)}-{u32(8):09d}-{u32(12):09d}"


def encode_sam_id(major: int, minor: int, batch: int, serial_a: int, serial_b: int) -> bytes:
    return (bytes([major, 0, minor, 0]) + batch.to_bytes(4, "little")
            + serial_a.to_bytes(4, "little") + serial_b.to_bytes(4, "little"))
