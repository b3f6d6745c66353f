"""The real SAM driver over a real pseudo-terminal, against the simulated reader: every fault of
issue 4, a card held, a card removed, the cable pulled out and put back, missing and busy ports."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.devices.document import CardType, IdentityDocument
from desktop.devices.errors import (
    CardDataError,
    PortBusyError,
    PortLostError,
    PortNotFoundError,
    PortOpenError,
    ReaderError,
    ReaderNotOpenError,
    StatusError,
)
from desktop.devices.sam.codec import FIND_CARD, READ_TEXT_PHOTO, SAM_ID, SAM_STATUS, SELECT_CARD, SW3_MESSAGES
from desktop.devices.sam.driver import SamSerialReader
from desktop.devices.sam.simulator import Fault, SimulatedSamDevice
from desktop.devices.sam.text import CardText
from desktop.devices.worker import ReaderWorker

TODAY = date(2025, 6, 1)
REPLY_TIMEOUT = 0.5


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedSamDevice]:
    device = SimulatedSamDevice(link_path=tmp_path / "ttyIDR0").start()
    try:
        yield device
    finally:
        device.stop()


def make_reader(port: str) -> SamSerialReader:
    return SamSerialReader(port, poll_interval=0.01, timeout=REPLY_TIMEOUT, reconnect_initial=0.02,
                           reconnect_max=0.1, today=lambda: TODAY)


@pytest.fixture
def reader(sim: SimulatedSamDevice) -> Iterator[SamSerialReader]:
    r = make_reader(sim.port)
    r.open()
    try:
        yield r
    finally:
        r.close()


def next_card(reader: SamSerialReader, attempts: int = 10) -> tuple[IdentityDocument | None, list[ReaderError]]:
    """Keep waiting like the worker does; return the first document and the faults on the way."""
    errors: list[ReaderError] = []
    for _ in range(attempts):
        try:
            doc = reader.wait_for_card(2.0)
        except ReaderError as exc:
            errors.append(exc)
            continue
        if doc is not None:
            return doc, errors
    return None, errors


def let_card_leave(reader: SamSerialReader, sim: SimulatedSamDevice) -> None:
    """Remove the card and poll until the driver has seen the empty field a few times."""
    sim.remove_card()
    target = sim.served(FIND_CARD) + 3
    while sim.served(FIND_CARD) < target:
        assert reader.wait_for_card(0.05) is None


# -- the normal path ---------------------------------------------------------------------------
def test_open_checks_the_sam_and_reads_its_id(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    assert reader.sam_id() == "05.01-20160801-012345678-087654321"
    assert sim.served(SAM_STATUS) == 1 and sim.served(SAM_ID) == 1
    assert reader.connected and reader.describe() == f"sam:{sim.port}"


def test_no_card_means_none_and_polls_are_paced(sim: SimulatedSamDevice) -> None:
    reader = SamSerialReader(sim.port, poll_interval=0.05, timeout=REPLY_TIMEOUT)
    with reader:
        before = sim.served(FIND_CARD)
        assert reader.wait_for_card(0.3) is None
        polls = sim.served(FIND_CARD) - before
    # The driver sleeps between polls instead of spinning: 0.3 s at 0.05 s is ~6 polls, never hundreds.
    assert 1 <= polls <= 10


@pytest.mark.parametrize("key", ["retiree_m", "flexjob", "hk_permit"])
def test_seeded_cards_are_read_with_every_field(sim: SimulatedSamDevice, reader: SamSerialReader, key: str) -> None:
    card = sim.cards[key]
    sim.present_card(key)
    doc, errors = next_card(reader)
    assert errors == [] and doc is not None
    assert (doc.name, doc.id_number, doc.address, doc.issuing_authority) == (
        card.name, card.id_number, card.address, card.issuing_authority)
    assert doc.birth_date.strftime("%Y%m%d") == card.birth_date
    assert doc.source == "sam" and doc.sam_id == reader.sam_id() and doc.photo_decoded is False
    if key == "flexjob":
        assert [p.code for p in doc.problems] == ["expired"] and doc.nation_name == "回族"
    if key == "hk_permit":
        assert doc.card_type is CardType.HK_MO_TW_PERMIT and doc.permit_number == "H60001234"
    if key == "retiree_m":
        assert doc.valid_to is None and doc.problems == ()


def test_foreigner_card_is_read(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.present_card(CardText(CardType.FOREIGNER_PERMANENT, english_name="TESTER, ALICE", name="爱丽丝", gender="2",
                              id_number="USA330075091501", nationality="USA", valid_from="20200315",
                              valid_to="20300315", birth_date="19750910", card_version="02", authority_code="1500"))
    doc, _ = next_card(reader)
    assert doc is not None and doc.card_type is CardType.FOREIGNER_PERMANENT
    assert (doc.english_name, doc.nationality, doc.masked_id) == ("TESTER, ALICE", "USA", "USA330*****1501")


def test_a_held_card_is_read_exactly_once(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.present_card("retiree_f")
    doc, _ = next_card(reader)
    assert doc is not None
    finds = sim.served(FIND_CARD)
    for _ in range(5):
        assert reader.wait_for_card(0.05) is None
    assert sim.served(FIND_CARD) >= finds + 5  # still polling the card on the reader...
    assert sim.served(READ_TEXT_PHOTO) == 1  # ...but never reading it again
    let_card_leave(reader, sim)
    sim.present_card("retiree_f")  # the same card presented again is a new presentation
    again, _ = next_card(reader)
    assert again == doc and sim.served(READ_TEXT_PHOTO) == 2


def test_a_card_removed_in_time_is_not_read(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.present_card("retiree_m")
    sim.remove_card()
    assert reader.wait_for_card(0.2) is None
    assert sim.served(READ_TEXT_PHOTO) == 0
    sim.present_card("unemployed")
    doc, _ = next_card(reader)
    assert doc is not None and doc.name == "王志强"


# -- faults: each gives a precise error once, and the card is read right after --------------------
FAULTS = [
    (Fault.bad_checksum(), READ_TEXT_PHOTO, "bad_checksum"),
    (Fault.bad_checksum(), FIND_CARD, "bad_checksum"),
    (Fault.bad_length(), READ_TEXT_PHOTO, "bad_length"),
    (Fault.wrong_length(), READ_TEXT_PHOTO, "bad_reply"),
    (Fault.wrong_length(), SELECT_CARD, "bad_reply"),
    (Fault.truncated(), READ_TEXT_PHOTO, "timeout"),
    (Fault.truncated(keep=12), FIND_CARD, "timeout"),
    (Fault.no_reply(), READ_TEXT_PHOTO, "timeout"),
    (Fault.no_reply(), FIND_CARD, "timeout"),
    (Fault.slow(REPLY_TIMEOUT * 1.3), READ_TEXT_PHOTO, "timeout"),
    (Fault.status(0x41), READ_TEXT_PHOTO, "status_41"),
    (Fault.status(0x81), SELECT_CARD, "status_81"),
    (Fault.status(0x24), FIND_CARD, "status_24"),
    (Fault.slow(REPLY_TIMEOUT / 3), READ_TEXT_PHOTO, None),
    (Fault.split(delay=0.0002), READ_TEXT_PHOTO, None),
    (Fault.garbage(), READ_TEXT_PHOTO, None),
    (Fault.garbage(b"\xaa\xaa\xaa\x96\x69\x00"), FIND_CARD, None),
]


@pytest.mark.parametrize(("fault", "command", "code"), FAULTS,
                         ids=[f"{f.kind}-{c.name.replace(' ', '_')}" for f, c, _ in FAULTS])
def test_fault_is_reported_precisely_and_the_card_is_read_next(
        sim: SimulatedSamDevice, reader: SamSerialReader, fault: Fault, command, code: str | None) -> None:
    sim.inject(fault, command=command)
    sim.present_card("retiree_m")
    doc, errors = next_card(reader)
    assert doc is not None and doc.id_number == "330106196603151316"
    assert [e.code for e in errors] == ([code] if code else [])
    for err in errors:
        assert err.transient and err.message_zh and command.name in err.detail


def test_a_success_status_of_another_command_is_not_taken_for_a_reply(
        sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.inject(Fault.status(0x9F), command=READ_TEXT_PHOTO)
    sim.inject(Fault.status(0x90), command=FIND_CARD)
    sim.present_card("retiree_m")
    doc, errors = next_card(reader)
    assert doc is not None
    assert [(e.code, e.detail) for e in errors] == [
        ("bad_reply", "reply to find card: status 0x90 with 0 data bytes does not answer this command"),
        ("bad_reply", "reply to read text+photo: status 0x9F with 0 data bytes does not answer this command")]


@pytest.mark.parametrize("sw3", sorted(set(SW3_MESSAGES) - {0x90, 0x9F}))
def test_every_status_error_on_read_has_its_message(sim: SimulatedSamDevice, reader: SamSerialReader, sw3: int) -> None:
    sim.inject(Fault.status(sw3), command=READ_TEXT_PHOTO)
    sim.present_card("retiree_m")
    doc, errors = next_card(reader)
    assert doc is not None
    assert len(errors) == 1 and isinstance(errors[0], StatusError)
    assert errors[0].sw3 == sw3 and errors[0].message_zh == SW3_MESSAGES[sw3][1]


def test_no_card_status_on_find_is_not_an_error(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.inject(Fault.status(0x80), command=FIND_CARD, times=5)
    sim.present_card("retiree_m")
    doc, errors = next_card(reader)
    assert doc is not None and errors == []


def test_unknown_card_type_is_reported_once_per_presentation(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    block = bytearray(" ".encode("utf-16-le") * 128)
    block[248:250] = "Z".encode("utf-16-le")
    sim.present_card(bytes(block))
    with pytest.raises(CardDataError) as info:
        reader.wait_for_card(2.0)
    assert info.value.code == "unknown_card_type"
    assert reader.wait_for_card(0.2) is None  # held: not reported again
    let_card_leave(reader, sim)
    sim.present_card("retiree_m")
    doc, errors = next_card(reader)
    assert doc is not None and errors == []


def test_text_that_is_not_ucs2_is_reported(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    from desktop.devices.sam.text import encode_text_block

    block = bytearray(encode_text_block(sim.cards["retiree_m"]))
    block[2:4] = b"\x00\xdc"
    sim.present_card(bytes(block))
    with pytest.raises(CardDataError) as info:
        reader.wait_for_card(2.0)
    assert info.value.code == "invalid_text" and "field name" in info.value.detail
    assert "330106196603151316" not in str(info.value)


# -- the port ----------------------------------------------------------------------------------
def test_unplugged_and_plugged_back(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.unplug()
    with pytest.raises(PortLostError) as info:
        reader.wait_for_card(1.0)
    assert info.value.transient and "拔出" in info.value.message_zh
    assert not reader.connected
    # While the cable is out the reader keeps trying quietly: no flood of the same error.
    assert reader.wait_for_card(0.2) is None
    assert not reader.connected
    sim.replug()
    sim.present_card("retiree_m2")
    doc, errors = next_card(reader)
    assert doc is not None and doc.name == "赵德明" and errors == []
    assert reader.connected and sim.served(SAM_ID) == 2  # the handshake was repeated on the new pty


def test_unplugged_mid_read_then_back(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    sim.inject(Fault.slow(0.3), command=READ_TEXT_PHOTO)
    sim.present_card("retiree_m")
    unplugger = threading.Timer(0.1, sim.unplug)
    unplugger.start()
    try:
        with pytest.raises(PortLostError):
            reader.wait_for_card(2.0)
    finally:
        unplugger.join()
    sim.replug()
    sim.present_card("retiree_m")
    doc, _ = next_card(reader)
    assert doc is not None


def test_a_port_that_does_not_exist(tmp_path: Path) -> None:
    reader = make_reader(str(tmp_path / "ttyUSB9"))
    with pytest.raises(PortNotFoundError) as info:
        reader.open()
    assert info.value.code == "port_missing" and "ttyUSB9" in info.value.message_zh
    assert not info.value.transient
    with pytest.raises(ReaderNotOpenError):
        reader.wait_for_card(0.1)


def test_a_busy_port(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    second = make_reader(sim.port)
    with pytest.raises(PortBusyError) as info:
        second.open()
    assert "占用" in info.value.message_zh
    second.close()
    sim.present_card("retiree_m")
    assert next_card(reader)[0] is not None  # the holder is unaffected


def test_a_file_that_is_not_a_serial_port(tmp_path: Path) -> None:
    path = tmp_path / "notatty"
    path.write_bytes(b"")
    with pytest.raises(PortOpenError) as info:
        make_reader(str(path)).open()
    assert info.value.code == "port_open"


def test_a_reader_that_never_answers(tmp_path: Path) -> None:
    sim = SimulatedSamDevice(link_path=tmp_path / "ttyIDR1").start()
    try:
        sim.inject(Fault.no_reply(), times=None)
        with pytest.raises(ReaderError) as info:
            make_reader(sim.port).open()
        assert info.value.code == "timeout" and "SAM status" in info.value.detail
    finally:
        sim.stop()


# -- the background worker ---------------------------------------------------------------------
def test_worker_over_the_pty(sim: SimulatedSamDevice, reader: SamSerialReader) -> None:
    docs: list[IdentityDocument] = []
    errors: list[ReaderError] = []
    states: list[bool] = []
    changed = threading.Condition()

    def record(target: list) -> object:
        def callback(value: object) -> None:
            with changed:
                target.append(value)
                changed.notify_all()
        return callback

    def wait_until(predicate) -> None:
        with changed:
            assert changed.wait_for(predicate, timeout=10.0)

    worker = ReaderWorker(reader, record(docs), record(errors), on_connection=record(states),
                          wait_slice=0.05, error_backoff=0.01)
    worker.start()
    try:
        sim.present_card("retiree_m")
        wait_until(lambda: len(docs) == 1)
        sim.unplug()
        wait_until(lambda: states == [False])
        sim.replug()
        wait_until(lambda: states == [False, True])
        let_go = sim.served(FIND_CARD) + 3
        sim.remove_card()
        assert sim.wait_for(lambda: sim.served(FIND_CARD) >= let_go)
        sim.present_card("retiree_f")
        wait_until(lambda: len(docs) == 2)
    finally:
        worker.stop()
    assert not worker.running
    assert [d.name for d in docs] == ["周建国", "陈秀英"]
    assert [e.code for e in errors] == ["port_lost"]
