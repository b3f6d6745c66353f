"""One serial connection to a SAM reader: open at 115200 8N1, send a command, collect its reply.

Maps every pyserial/OS failure onto the reader errors, so the driver above deals with meanings
(port missing, busy, lost, timeout, bad frame) and never with errno values.
"""

from __future__ import annotations

import errno
import logging
import time

import serial

from desktop.devices.errors import (
    PortBusyError,
    PortLostError,
    PortNotFoundError,
    PortOpenError,
    PortPermissionError,
    ProtocolError,
    ReaderError,
    ReaderNotOpenError,
    ReaderTimeoutError,
)
from desktop.devices.sam.codec import Command, FrameAssembler, FrameFault, build_command
from desktop.devices.sam.replies import Reply, check_shape, fault_error, parse_reply

try:  # termios only exists on POSIX; pyserial lets its errors escape from tcflush
    from termios import error as TermiosError
except ImportError:  # pragma: no cover - Windows
    class TermiosError(Exception):  # type: ignore[no-redef]
        pass

log = logging.getLogger(__name__)

BAUDRATE = 115200
_IO_ERRORS = (serial.SerialException, OSError, TermiosError)
_MISSING = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ENOTDIR}
_BUSY = {errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK}
_DENIED = {errno.EACCES, errno.EPERM}


class SerialLink:
    """Not thread-safe: the driver's one thread owns it."""

    def __init__(self, port: str, *, read_slice: float = 0.05) -> None:
        self.port = port
        # Blocking reads return after this long without data, so a deadline is noticed in time
        # without spinning the CPU.
        self._read_slice = read_slice
        self._serial: serial.Serial | None = None
        self._assembler = FrameAssembler()
        # After a timeout the late reply may still arrive during the next exchange.
        self._late_reply_possible = False

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        if self._serial is not None:
            return
        ser = serial.Serial(baudrate=BAUDRATE, bytesize=serial.EIGHTBITS, parity=serial.PARITY_NONE,
                            stopbits=serial.STOPBITS_ONE, timeout=self._read_slice, write_timeout=1.0,
                            exclusive=True)
        ser.port = self.port
        try:
            ser.open()
        except _IO_ERRORS as exc:
            raise self._open_error(exc) from exc
        self._serial = ser
        self._assembler.reset()
        self._late_reply_possible = False
        log.info("serial port %s opened at %d 8N1", self.port, BAUDRATE)

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except _IO_ERRORS as exc:  # closing a vanished device may fail; it is closed either way
                log.debug("closing %s: %s", self.port, exc)

    def exchange(self, command: Command, data: bytes = b"", *, timeout: float) -> Reply:
        """Send one command and return its reply, or raise why there is none."""
        ser = self._serial
        if ser is None:
            raise ReaderNotOpenError("not_open", "读卡器未打开", f"port {self.port} is not open")
        # Whatever is still buffered (a late reply to an earlier command) is not this reply.
        self._assembler.reset()
        try:
            ser.reset_input_buffer()
            ser.write(build_command(command, data))
        except _IO_ERRORS as exc:
            raise self._lost(exc) from exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                chunk = ser.read(max(1, ser.in_waiting))
            except _IO_ERRORS as exc:
                raise self._lost(exc) from exc
            if chunk:
                reply = self._take_reply(chunk, command)
                if reply is not None:
                    return reply
            if time.monotonic() >= deadline:
                self._late_reply_possible = True
                raise ReaderTimeoutError("timeout", "读卡器无响应（超时），请检查读卡器的电源和连接线",
                                         f"no complete reply to {command.name} within {timeout:.2f}s "
                                         f"on {self.port}: {self._assembler.pending_detail()}")

    def _take_reply(self, chunk: bytes, command: Command) -> Reply | None:
        for item in self._assembler.feed(chunk):
            if isinstance(item, FrameFault):
                if item.code == "garbage":
                    # Line noise before a reply is harmless once the preamble is found again.
                    log.warning("%s: %s while waiting for the reply to %s", self.port, item.detail, command.name)
                    continue
                raise fault_error(item, command)
            try:
                reply = parse_reply(item)
                check_shape(command, reply)
            except ProtocolError as exc:
                if not self._late_reply_possible:
                    raise
                log.warning("%s: discarded a late reply while waiting for %s (%s)", self.port, command.name, exc)
                continue
            self._late_reply_possible = False
            return reply
        return None

    def _lost(self, exc: BaseException) -> ReaderError:
        self.close()
        return PortLostError("port_lost", "读卡器连接已断开（USB 线被拔出？），正在等待重新连接",
                             f"{self.port}: {type(exc).__name__}: {exc}")

    def _open_error(self, exc: BaseException) -> ReaderError:
        code = getattr(exc, "errno", None)
        detail = f"{self.port}: {type(exc).__name__}: {exc}"
        if code in _MISSING:
            return PortNotFoundError("port_missing", f"找不到读卡器串口 {self.port}，请检查读卡器是否已连接、串口名称是否正确",
                                     detail)
        if code in _BUSY:
            return PortBusyError("port_busy", f"读卡器串口 {self.port} 正被其他程序占用，请关闭占用它的程序后重试",
                                 detail)
        if code in _DENIED:
            return PortPermissionError("port_permission",
                                       f"没有权限打开读卡器串口 {self.port}（Linux 下需将当前用户加入 dialout 组）",
                                       detail)
        return PortOpenError("port_open", f"无法打开读卡器串口 {self.port}（不是串口设备或设备异常）", detail)
