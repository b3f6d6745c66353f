"""SAM frames: build, check, and reassemble from a byte stream cut anywhere.

Frame (both directions): AA AA AA 96 69 | LEN (2 bytes, big-endian) | payload | CHK, where LEN counts
the payload and CHK, and CHK is the XOR of LEN_H..last payload byte. A command payload is
CMD PARA [DATA]; a reply payload is SW1 SW2 SW3 [DATA].
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# Smallest: a command's CMD PARA CHK. Largest: text + photo + fingerprint with room to spare;
# anything above is a corrupted length, rejected at once instead of waiting for bytes that never come.
MIN_LEN = 3
MAX_LEN = 4096


class Command(tuple[int, int]):
    """(CMD, PARA) of the commands a host sends."""

    def __new__(cls, cmd: int, para: int) -> Command:
        return super().__new__(cls, (cmd, para))

    @property
    def name(self) -> str:
        return _COMMAND_NAMES.get(self, f"command {self[0]:02X} {self[1]:02X}")


RESET = Command(0x10, 0xFF)
SAM_STATUS = Command(0x11, 0xFF)
SAM_ID = Command(0x12, 0xFF)
FIND_CARD = Command(0x20, 0x01)
SELECT_CARD = Command(0x20, 0x02)
READ_TEXT_PHOTO = Command(0x30, 0x01)
READ_NEW_ADDRESS = Command(0x30, 0x03)
READ_TEXT_PHOTO_FINGERPRINT = Command(0x30, 0x10)

_COMMAND_NAMES = {
    RESET: "reset SAM", SAM_STATUS: "SAM status", SAM_ID: "SAM id", FIND_CARD: "find card",
    SELECT_CARD: "select card", READ_TEXT_PHOTO: "read text+photo", READ_NEW_ADDRESS: "read latest address",
    READ_TEXT_PHOTO_FINGERPRINT: "read text+photo+fingerprint",
}


class Sw3(IntEnum):
    SUCCESS = 0x90
    NO_CONTENT = 0x91
    CARD_FOUND = 0x9F
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORIZED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_ERROR = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81


#: SW3 -> (English for the log, Chinese for the clerk)
SW3_MESSAGES: dict[int, tuple[str, str]] = {
    0x90: ("success", "操作成功"),
    0x91: ("no content", "卡片中没有该项内容"),
    0x9F: ("card found", "已找到卡片"),
    0x10: ("reader received a frame with a bad checksum", "读卡器收到的命令校验和错误"),
    0x11: ("reader received a frame with a bad length", "读卡器收到的命令长度错误"),
    0x21: ("command error", "读卡器不支持该命令"),
    0x23: ("unauthorized", "越权操作，读卡器拒绝执行"),
    0x24: ("unknown error", "读卡器发生未知错误"),
    0x31: ("card failed to authenticate the SAM", "卡片认证安全模块失败，请重新放卡"),
    0x32: ("SAM failed to authenticate the card", "安全模块认证卡片失败，证件可能无效或已损坏"),
    0x33: ("verification error", "信息验证错误，请重新放卡"),
    0x40: ("unknown card type", "无法识别的卡片类型，请放置第二代身份证"),
    0x41: ("read failed", "读卡失败，请重新放卡并保持不动"),
    0x47: ("random number failed", "取随机数失败，请重新放卡"),
    0x60: ("SAM self-test failed", "安全模块自检失败，请联系设备维护人员"),
    0x66: ("SAM not authorised", "安全模块未经授权，无法读卡，请联系设备维护人员"),
    0x80: ("find card failed", "未找到卡片"),
    0x81: ("select card failed", "选卡失败，请重新放卡并保持不动"),
}


def describe_sw3(sw3: int) -> tuple[str, str]:
    """(English, Chinese) for any status byte, including ones no table lists."""
    return SW3_MESSAGES.get(sw3, (f"undocumented status 0x{sw3:02X}", f"读卡器返回未知状态码 0x{sw3:02X}"))


def checksum(body: bytes) -> int:
    """XOR of ``body`` (LEN_H through the last payload byte)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def build_frame(payload: bytes) -> bytes:
    length = len(payload) + 1
    if not MIN_LEN <= length <= MAX_LEN:
        raise ValueError(f"payload of {len(payload)} bytes does not fit a SAM frame")
    body = length.to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def build_command(command: Command, data: bytes = b"") -> bytes:
    return build_frame(bytes(command) + data)


def build_reply(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    return build_frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class Frame:
    """A frame whose preamble, length and checksum are right; ``payload`` excludes LEN and CHK."""

    payload: bytes

    def raw(self) -> bytes:
        return build_frame(self.payload)


@dataclass(frozen=True)
class FrameFault:
    """Bytes the assembler threw away, and why.

    code: "garbage" (bytes before a preamble), "bad_length" (LEN outside MIN_LEN..MAX_LEN),
    "bad_checksum".
    """

    code: str
    detail: str
    discarded: int


class FrameAssembler:
    """Turns a byte stream, cut into any chunks, into frames and faults, in stream order.

    After a bad length or checksum it drops only the first byte of the bad preamble and searches
    again, so a good frame that started inside the bad one's claimed span is still found.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def reset(self) -> None:
        """Forget partial input (after a timeout the rest of that frame is not coming)."""
        self._buf.clear()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def pending_detail(self) -> str:
        """English description of buffered input, for a timeout message."""
        if not self._buf:
            return "no bytes received"
        if self._buf.startswith(PREAMBLE) and len(self._buf) >= HEADER_LEN:
            expected = HEADER_LEN + int.from_bytes(self._buf[5:7], "big")
            return f"incomplete frame: {len(self._buf)} of {expected} bytes received"
        return f"{len(self._buf)} bytes received without a complete frame"

    def feed(self, data: bytes) -> list[Frame | FrameFault]:
        self._buf += data
        out: list[Frame | FrameFault] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def _next(self) -> Frame | FrameFault | None:
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            # Keep a tail that may be the beginning of a preamble cut by the chunking.
            keep = _preamble_prefix_len(buf)
            drop = len(buf) - keep
            if drop:
                del buf[:drop]
                return FrameFault("garbage", f"discarded {drop} bytes without a preamble", drop)
            return None
        if start > 0:
            del buf[:start]
            return FrameFault("garbage", f"discarded {start} bytes before a preamble", start)
        if len(buf) < HEADER_LEN:
            return None
        length = int.from_bytes(buf[5:7], "big")
        if not MIN_LEN <= length <= MAX_LEN:
            del buf[:1]
            return FrameFault("bad_length", f"frame length {length} outside {MIN_LEN}..{MAX_LEN}", 1)
        total = HEADER_LEN + length
        if len(buf) < total:
            # A complete, valid frame further on means this one will never complete (a truncated
            # frame, or a preamble faked by line noise): give it up instead of waiting for a timeout.
            later = _complete_frame_start(buf, 1)
            if later is None:
                return None
            del buf[:later]
            return FrameFault("garbage", f"abandoned an incomplete frame: discarded {later} bytes "
                                         f"before a complete one", later)
        body = bytes(buf[5:total - 1])
        expected, actual = checksum(body), buf[total - 1]
        if expected != actual:
            del buf[:1]
            return FrameFault("bad_checksum",
                              f"checksum 0x{actual:02X} != computed 0x{expected:02X} (frame of {total} bytes)", 1)
        del buf[:total]
        return Frame(body[2:])


def _preamble_prefix_len(buf: bytearray) -> int:
    for size in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf.endswith(PREAMBLE[:size]):
            return size
    return 0


def _complete_frame_start(buf: bytearray, start: int) -> int | None:
    """Offset of the first complete frame with a valid length and checksum at or after ``start``."""
    position = buf.find(PREAMBLE, start)
    while position >= 0 and position + HEADER_LEN <= len(buf):
        length = int.from_bytes(buf[position + 5:position + 7], "big")
        end = position + HEADER_LEN + length
        if MIN_LEN <= length <= MAX_LEN and end <= len(buf) and checksum(buf[position + 5:end - 1]) == buf[end - 1]:
            return position
        position = buf.find(PREAMBLE, position + 1)
    return None
