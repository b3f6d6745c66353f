"""`main.py reader test [PORT]` against the simulated reader, and the simulator as a program."""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import reader as reader_cli
from desktop.devices.sam.simulator import Fault, SimulatedSamDevice
from desktop.devices.sam.codec import READ_TEXT_PHOTO

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedSamDevice]:
    device = SimulatedSamDevice(link_path=tmp_path / "ttyIDR0").start()
    try:
        yield device
    finally:
        device.stop()


def run_cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    reader_cli.register(parser.add_subparsers())
    args = parser.parse_args(["reader", "test", *argv])
    out = io.StringIO()
    return args.handler(args, out), out.getvalue()


def test_prints_sam_id_and_masked_fields(sim: SimulatedSamDevice) -> None:
    sim.present_card("retiree_m")
    code, out = run_cli(sim.port, "--timeout", "5", "--poll-interval", "0.02")
    assert code == 0, out
    assert f"读卡器：sam:{sim.port}" in out
    assert "安全模块号（SAM）：05.01-20160801-012345678-087654321" in out
    assert "证件号码：330106********1316" in out and "姓名：周**" in out
    assert "有效期限：2016.03.01-长期" in out and "照片：照片未解码（需厂商解码库）" in out
    for secret in ("330106196603151316", "周建国", "文三路", "1966-03-15"):
        assert secret not in out


def test_expired_card_is_read_and_flagged(sim: SimulatedSamDevice) -> None:
    sim.present_card("flexjob")
    code, out = run_cli(f"sam:{sim.port}", "--timeout", "5", "--poll-interval", "0.02")
    assert code == 0 and "注意：" in out and "证件已过有效期（有效期至 2025-02-14）" in out


def test_no_card_in_time(sim: SimulatedSamDevice) -> None:
    code, out = run_cli(sim.port, "--timeout", "0.2", "--poll-interval", "0.02")
    assert code == reader_cli.EXIT_NO_CARD and "0.2 秒内未检测到身份证" in out


def test_a_fault_is_printed_in_chinese_with_the_detail(sim: SimulatedSamDevice) -> None:
    sim.inject(Fault.status(0x66), command=READ_TEXT_PHOTO)
    sim.present_card("retiree_m")
    code, out = run_cli(sim.port, "--timeout", "5", "--poll-interval", "0.02")
    assert code == reader_cli.EXIT_FAULT
    assert "读卡失败：安全模块未经授权，无法读卡，请联系设备维护人员" in out
    assert "详情：[status_66] read text+photo: SW3=0x66 (SAM not authorised)" in out


def test_missing_port(tmp_path: Path) -> None:
    code, out = run_cli(str(tmp_path / "ttyUSB9"), "--timeout", "1")
    assert code == reader_cli.EXIT_FAULT
    assert "读卡失败：找不到读卡器串口" in out and "[port_missing]" in out


def test_spec_resolution() -> None:
    known = {"sam", "demo", "manual"}
    assert reader_cli.resolve_spec("/dev/ttyUSB1", None, known) == "sam:/dev/ttyUSB1"
    assert reader_cli.resolve_spec("demo", "sam:/dev/x", known) == "demo"
    assert reader_cli.resolve_spec(None, "sam:/dev/ttyS0", known) == "sam:/dev/ttyS0"
    assert reader_cli.resolve_spec(None, None, known) == "sam:/dev/ttyUSB0"


def test_through_main_py(sim: SimulatedSamDevice) -> None:
    sim.present_card("hk_permit")
    result = subprocess.run([sys.executable, "main.py", "reader", "test", f"sam:{sim.port}", "--timeout", "10"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "证件类型：港澳台居民居住证" in result.stdout and "证件号码：810000********6137" in result.stdout
    assert "810000198005126137" not in result.stdout + result.stderr


def test_the_simulator_program_serves_until_interrupted(tmp_path: Path) -> None:
    link = tmp_path / "ttyIDR9"
    proc = subprocess.Popen([sys.executable, "-m", "desktop.devices.sam.simulator", "--link", str(link),
                             "--card", "retiree_f"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        assert port == str(link)
        code, out = run_cli(port, "--timeout", "10", "--poll-interval", "0.02")
        assert code == 0 and "证件号码：330102********2427" in out
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert not link.exists()
