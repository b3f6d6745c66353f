"""A simulated SAM ID card reader on a pseudo-terminal, answering the real protocol.

Tests drive the real driver through it, and IT staff or a demo can point the workstation at it:

    python -m desktop.devices.sam.simulator            # prints the port, e.g. /dev/pts/5
    python main.py --demo --reader sam:/dev/pts/5

"Unplugging" closes the pty; "replugging" opens a new one. Give ``link_path`` to get a stable
name (a symlink the simulator repoints, like udev's /dev/serial/by-id links), so the driver can
find the reader again exactly as it would after a real USB replug.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import logging
import os
import select
import sys
import threading
import time
import tty
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.devices.demo_cards import load_demo_cards
from desktop.devices.sam.codec import (
    FIND_CARD,
    READ_TEXT_PHOTO,
    RESET,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    Command,
    Frame,
    FrameAssembler,
    Sw3,
    build_frame,
    build_reply,
)
from desktop.devices.sam.replies import PHOTO_LEN, encode_read, encode_sam_id
from desktop.devices.sam.text import CardText, encode_text_block

log = logging.getLogger(__name__)

DEFAULT_SAM_ID = encode_sam_id(5, 1, 20160801, 12345678, 87654321)
_WRITE_DEADLINE = 1.0


@dataclass(frozen=True)
class Fault:
    """One misbehaviour applied to a reply. Build with the class methods."""

    kind: str
    sw3: int = 0
    delay: float = 0.0
    data: bytes = b""
    keep: int = 0

    @classmethod
    def bad_checksum(cls) -> Fault:
        return cls("bad_checksum")

    @classmethod
    def split(cls, delay: float = 0.001) -> Fault:
        """Dribble the reply a few bytes at a time, pausing between pieces."""
        return cls("split", delay=delay)

    @classmethod
    def status(cls, sw3: int) -> Fault:
        """Answer with this SW3 and no data instead of the real reply."""
        return cls("status", sw3=sw3)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        return cls("slow", delay=delay)

    @classmethod
    def no_reply(cls) -> Fault:
        return cls("no_reply")

    @classmethod
    def garbage(cls, data: bytes = b"\x00\x13\xaa\x96\xff\xaa\xaa") -> Fault:
        """Line noise before the (intact) reply."""
        return cls("garbage", data=data)

    @classmethod
    def truncated(cls, keep: int = 0) -> Fault:
        """Send only the first ``keep`` bytes (default: half) of the reply."""
        return cls("truncated", keep=keep)

    @classmethod
    def wrong_length(cls) -> Fault:
        """A reply one byte short whose LEN and checksum agree: only the shape check can tell."""
        return cls("wrong_length")

    @classmethod
    def bad_length(cls) -> Fault:
        """A LEN field no reply can have (0xFFFF)."""
        return cls("bad_length")


@dataclass
class _Injection:
    fault: Fault
    command: Command | None
    remaining: int | None  # None: until clear_faults()


def fake_photo(seed: str) -> bytes:
    """1024 bytes standing in for the WLT-compressed photo (nobody can decode it anyway)."""
    return hashlib.shake_256(b"onewindow-demo-photo:" + seed.encode()).digest(PHOTO_LEN)


class SimulatedSamDevice:
    def __init__(self, *, cards: Mapping[str, CardText] | None = None, link_path: str | os.PathLike[str] | None = None,
                 sam_id: bytes = DEFAULT_SAM_ID) -> None:
        self.cards: dict[str, CardText] = dict(cards) if cards is not None else load_demo_cards()
        self._link_path = Path(link_path) if link_path is not None else None
        self._sam_id = sam_id
        self._lock = threading.Condition()
        # Held while the serving thread uses the pty and while unplug() closes it, so a closed
        # descriptor number is never read or written after the kernel has reused it.
        self._io = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._pts = ""
        self._card: tuple[bytes, bytes] | None = None  # (text block, photo)
        self._injections: list[_Injection] = []
        self._served: Counter[Command] = Counter()
        self._assembler = FrameAssembler()
        self._stop = threading.Event()
        # Set by unplug()/stop(): a reply being delayed or dribbled is cut off, as by a pulled cable.
        self._cut = threading.Event()
        self._unplug_requests: list[threading.Event] = []
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="sam-simulator", daemon=False)

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> str:
        """The path to give the driver: the symlink when there is one, else /dev/pts/N."""
        return str(self._link_path) if self._link_path is not None else self._pts

    @property
    def pts_path(self) -> str:
        return self._pts

    def start(self) -> SimulatedSamDevice:
        self._plug()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._cut.set()
        self._poke()
        if self._thread.ident is not None:
            self._thread.join(5.0)
        with self._io, self._lock:
            self._unplug_locked()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> SimulatedSamDevice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """Like pulling the USB cable: the device node disappears and the open port fails."""
        self._cut.set()
        if not self._thread.is_alive():
            with self._io, self._lock:
                self._unplug_locked()
            return
        # The serving thread closes the pty itself: a descriptor closed while another thread
        # sits in select() on it stays alive until that select returns, so the driver would not
        # see the hang-up at once.
        done = threading.Event()
        with self._lock:
            self._unplug_requests.append(done)
        self._poke()
        done.wait(5.0)

    def replug(self) -> str:
        """Plug back in (a new pty; the symlink, if any, now points at it). Returns the port."""
        self._plug()
        self._poke()
        return self.port

    # -- the card on the reader ------------------------------------------------------------
    def present_card(self, card: str | CardText | bytes) -> None:
        """Put a card on the reader: a citizen key, a CardText, or a raw 256-byte text block."""
        if isinstance(card, str):
            text = self.cards[card]
            block, seed = encode_text_block(text), text.id_number
        elif isinstance(card, CardText):
            block, seed = encode_text_block(card), card.id_number
        else:
            block, seed = bytes(card), card.hex()
        with self._lock:
            self._card = (block, fake_photo(seed))

    def remove_card(self) -> None:
        with self._lock:
            self._card = None

    # -- faults ----------------------------------------------------------------------------
    def inject(self, fault: Fault, *, command: Command | None = None, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` replies (to ``command`` only, when given)."""
        with self._lock:
            self._injections.append(_Injection(fault, command, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._injections.clear()

    # -- observing -------------------------------------------------------------------------
    def served(self, command: Command) -> int:
        with self._lock:
            return self._served[command]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` (checked as each command is answered) holds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    # -- internals -------------------------------------------------------------------------
    def _plug(self) -> None:
        master, slave = os.openpty()
        # Raw before anyone opens the slave: no echo, no line editing, bytes pass untouched.
        tty.setraw(slave)
        os.set_blocking(master, False)
        pts = os.ttyname(slave)
        if self._link_path is not None:
            tmp = self._link_path.with_name(self._link_path.name + ".new")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(pts, tmp)
            os.replace(tmp, self._link_path)
        with self._lock:
            self._master, self._slave, self._pts = master, slave, pts
            self._assembler.reset()
            self._cut.clear()
        log.info("simulated SAM reader on %s", self.port)

    def _unplug_locked(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None
        if self._link_path is not None and self._link_path.is_symlink():
            self._link_path.unlink()

    def _poke(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _serve(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                requests, self._unplug_requests = self._unplug_requests, []
            if requests:
                with self._io, self._lock:
                    self._unplug_locked()
                for done in requests:
                    done.set()
            master = self._master
            watch = [self._wake_r] + ([master] if master is not None else [])
            try:
                ready, _, _ = select.select(watch, [], [], 0.5)
            except (OSError, ValueError):  # the master was closed under us by unplug()
                continue
            if self._wake_r in ready:
                os.read(self._wake_r, 1024)
            if master is None or master not in ready:
                continue
            with self._io:
                if master == self._master:
                    self._serve_input(master)

    def _serve_input(self, master: int) -> None:
        try:
            data = os.read(master, 4096)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EIO):
                log.warning("simulator read failed: %s", exc)
            self._stop.wait(0.01)
            return
        for item in self._assembler.feed(data):
            if isinstance(item, Frame) and len(item.payload) >= 2:
                self._answer(master, Command(item.payload[0], item.payload[1]))

    def _answer(self, master: int, command: Command) -> None:
        with self._lock:
            reply = self._reply_for(command)
            fault = self._take_fault(command)
            # Counted before the reply leaves, so a driver holding the reply always sees it counted.
            self._served[command] += 1
            self._lock.notify_all()
        reply = self._apply(fault, reply)
        if reply:
            if fault is not None and fault.kind == "split":
                self._dribble(master, reply, fault.delay)
            else:
                self._write(master, reply)

    def _reply_for(self, command: Command) -> bytes:
        card = self._card
        if command in (RESET, SAM_STATUS):
            return build_reply(Sw3.SUCCESS)
        if command == SAM_ID:
            return build_reply(Sw3.SUCCESS, self._sam_id)
        if command == FIND_CARD:
            return build_reply(Sw3.CARD_FOUND, bytes(4)) if card else build_reply(Sw3.FIND_FAILED)
        if command == SELECT_CARD:
            return build_reply(Sw3.SUCCESS, bytes(8)) if card else build_reply(Sw3.SELECT_FAILED)
        if command == READ_TEXT_PHOTO:
            return build_reply(Sw3.SUCCESS, encode_read(*card)) if card else build_reply(Sw3.READ_FAILED)
        return build_reply(Sw3.COMMAND_ERROR)

    def _take_fault(self, command: Command) -> Fault | None:
        for injection in self._injections:
            if injection.command is None or injection.command == command:
                if injection.remaining is not None:
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        self._injections.remove(injection)
                return injection.fault
        return None

    def _apply(self, fault: Fault | None, reply: bytes) -> bytes:
        if fault is None or fault.kind == "split":
            return reply
        kind = fault.kind
        if kind == "bad_checksum":
            return reply[:-1] + bytes([reply[-1] ^ 0x5A])
        if kind == "status":
            return build_reply(fault.sw3)
        if kind == "slow":
            return b"" if self._cut.wait(fault.delay) else reply
        if kind == "no_reply":
            return b""
        if kind == "garbage":
            return fault.data + reply
        if kind == "truncated":
            return reply[:fault.keep or len(reply) // 2]
        if kind == "wrong_length":
            return build_frame(reply[7:-2])
        if kind == "bad_length":
            return reply[:5] + b"\xff\xff" + reply[7:]
        raise ValueError(f"unknown fault {kind!r}")

    def _dribble(self, master: int, reply: bytes, delay: float) -> None:
        start = 0
        while start < len(reply):
            step = 1 + start % 5  # uneven pieces, the way a USB-serial bridge delivers them
            self._write(master, reply[start:start + step])
            start += step
            if self._cut.wait(delay):
                return

    def _write(self, master: int, data: bytes) -> None:
        deadline = time.monotonic() + _WRITE_DEADLINE
        view = memoryview(data)
        while view:
            try:
                written = os.write(master, view)
                view = view[written:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.warning("simulator dropped %d bytes: nobody reads the port", len(view))
                    return
                select.select([], [master], [], 0.05)
            except OSError:
                return  # unplugged meanwhile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.devices.sam.simulator",
                                     description="模拟身份证阅读器（SAM 协议，伪终端）")
    parser.add_argument("--link", help="stable symlink path for the port (e.g. /tmp/ttyIDR0)")
    parser.add_argument("--card", help="citizen key to put on the reader at start (see --list)")
    parser.add_argument("--cycle", type=float, default=0.0,
                        help="present each demo citizen in turn for this many seconds (0: off)")
    parser.add_argument("--list", action="store_true", help="list the demo citizens and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    device = SimulatedSamDevice(link_path=args.link)
    if args.list:
        for key, text in device.cards.items():
            print(f"{key}\t{text.card_type.label_zh}\t{text.name or text.english_name}")
        return 0
    device.start()
    if args.card:
        device.present_card(args.card)
    print(device.port, flush=True)
    print("输入市民代号放卡，r 取走卡片，q 退出；Ctrl-C 结束", file=sys.stderr, flush=True)
    stop = threading.Event()
    if args.cycle > 0:
        threading.Thread(target=_cycle, args=(device, args.cycle, stop), name="sam-cycle", daemon=True).start()
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "q":
                break
            if command == "r":
                device.remove_card()
            elif command in device.cards:
                device.present_card(command)
            elif command:
                print(f"未知的市民代号：{command}", file=sys.stderr, flush=True)
        else:
            stop.wait()  # stdin closed (run in the background): serve until Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        device.stop()
    return 0


def _cycle(device: SimulatedSamDevice, seconds: float, stop: threading.Event) -> None:
    while not stop.is_set():
        for key in list(device.cards):
            device.present_card(key)
            if stop.wait(seconds):
                return
            device.remove_card()
            if stop.wait(1.0):
                return


if __name__ == "__main__":
    raise SystemExit(main())
