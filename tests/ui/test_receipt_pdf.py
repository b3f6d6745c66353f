"""Real PDFs of the receipt, the one-time notice and the consent form, read back as a person would:
rasterised with pdftoppm, the barcode decoded with zbarimg, the text extracted with pdftotext.

Set ONEWINDOW_SCREENSHOT_DIR (e.g. docs/screenshots) to keep the rendered pages as PNGs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import threading
import functools
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QRawFont
from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from desktop.documents.errors import DocumentDataError
from desktop.documents.receipt import receipt_document
from desktop.documents.samples import SAMPLE_CASE_NO, sample_consent, sample_notice, sample_receipt
from ui.printing.barcode import code128_image, code128_width_modules, QUIET_ZONE_MODULES
from ui.printing.consent_pdf import render_consent_pdf
from ui.printing.fonts import document_font
from ui.printing.notice_pdf import render_notice_pdf
from ui.printing.pdf import DocumentOutputError
from ui.printing.print_dialog import new_printer, print_on
from ui.printing.receipt_pdf import render_receipt_pdf

FULL_ID = "330106196603151316"

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftoppm, pdftotext) not installed")


def rasterise(pdf: Path) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(prefix)], check=True, capture_output=True)
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def decode_barcodes(png: Path) -> list[str]:
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) not installed: cannot decode the barcode")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return result.stdout.split()


@functools.cache
def radical_folding() -> dict[int, str]:
    """Radical code points that share a glyph with a unified ideograph in the document font.

    Qt's PDF writer names each glyph by the lowest code point that maps to it, so 页 is extracted
    as the radical ⻚ and 心 as ⼼; the reader sees the same glyph, so fold them back to compare.
    """
    raw = QRawFont.fromFont(document_font(10))
    ideographs = "".join(chr(code) for code in range(0x4E00, 0xA000))
    by_glyph = {glyph: char for glyph, char in zip(raw.glyphIndexesForString(ideographs), ideographs, strict=True)
                if glyph}
    radicals = "".join(chr(code) for code in range(0x2E80, 0x2FE0))
    return {ord(radical): by_glyph[glyph]
            for glyph, radical in zip(raw.glyphIndexesForString(radicals), radicals, strict=True)
            if glyph in by_glyph}


def flat(text: str) -> str:
    """Text as read, without the line breaks that table cells and pdftotext put into it."""
    return re.sub(r"\s+", "", text.translate(radical_folding()))


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return flat(text)


def keep_screenshot(png: Path, name: str) -> None:
    directory = os.environ.get("ONEWINDOW_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(directory) / name)


@needs_poppler
def test_receipt_pdf_barcode_scans_to_the_case_number_and_the_text_is_all_there(qapp, tmp_path):
    pdf = render_receipt_pdf(sample_receipt(), tmp_path / "receipt.pdf")

    pages = rasterise(pdf)
    assert len(pages) == 1
    keep_screenshot(pages[0], "receipt.png")
    assert decode_barcodes(pages[0]) == [SAMPLE_CASE_NO]
    text = pdf_text(pdf)
    for expected in ("受理回执", "杭州市西湖区政务服务中心", "办理事项", "已收取材料", "容缺受理材料（须按期补交）",
                     "送达方式", "温馨提示", "申请人签收", "职工基本养老保险退休申请", "2026年12月15日前",
                     "330106********1316", "王小明", "综合窗口3号", SAMPLE_CASE_NO, "第 1 页 / 共 1 页"):
        assert flat(expected) in text, expected
    assert FULL_ID not in text


@needs_poppler
@pytest.mark.parametrize("render, data, name, expected", [
    (render_notice_pdf, sample_notice(), "notice.png",
     ("一次性告知书", "尚需补交的材料", "独生子女父母光荣证", "户籍所在地街道计生办", "告知依据",
      "优化营商环境条例", "申请人签收")),
    (render_consent_pdf, sample_consent(), "consent.png",
     ("个人信息查询授权书", "授权查询范围", "医疗保障局", "医保人员编号、险种类型", "授权人（签字）")),
], ids=["notice", "consent"])
def test_notice_and_consent_pdfs_say_what_they_must_and_scan_to_the_case(qapp, tmp_path, render, data, name,
                                                                         expected):
    pdf = render(data, tmp_path / "document.pdf")
    pages = rasterise(pdf)
    keep_screenshot(pages[0], name)
    assert decode_barcodes(pages[0]) == [SAMPLE_CASE_NO]
    text = pdf_text(pdf)
    for phrase in expected:
        assert flat(phrase) in text, phrase


@needs_poppler
def test_a_long_materials_list_continues_on_page_two_with_its_header_repeated(qapp, tmp_path):
    pdf = render_receipt_pdf(sample_receipt(extra_materials=40), tmp_path / "long.pdf")
    pages = rasterise(pdf)
    assert len(pages) >= 2
    keep_screenshot(pages[1], "receipt-page2.png")
    first, second = pdf_text(pdf, 1), pdf_text(pdf, 2)
    assert "补充证明材料第1份" in first
    assert "补充证明材料第40份" not in first
    assert "已收取材料（续）序号材料名称" in second
    assert flat(f"第 2 页 / 共 {len(pages)} 页") in second
    assert "申请人签收" in pdf_text(pdf, len(pages))
    # The barcode is on page one only; later pages name the case in their header and footer.
    assert decode_barcodes(pages[0]) == [SAMPLE_CASE_NO]
    assert SAMPLE_CASE_NO in second


def test_a_full_id_number_is_refused_before_any_file_is_written(qapp, tmp_path):
    with pytest.raises(DocumentDataError):
        render_receipt_pdf(dataclasses.replace(sample_receipt(), notes=(f"证件 {FULL_ID}",)), tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_target_gives_a_chinese_message_and_leaves_nothing_behind(qapp, tmp_path):
    target = tmp_path / "missing-dir" / "r.pdf"
    with pytest.raises(DocumentOutputError) as caught:
        render_receipt_pdf(sample_receipt(), target)
    assert "无法生成" in caught.value.message_zh
    assert list(tmp_path.iterdir()) == []


@needs_poppler
def test_rendering_on_a_worker_thread_gives_the_same_scannable_pdf(qapp, tmp_path):
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(render_receipt_pdf(sample_receipt(), tmp_path / "bg.pdf")))
    worker.start()
    worker.join(timeout=60)
    assert results == [tmp_path / "bg.pdf"]
    assert decode_barcodes(rasterise(tmp_path / "bg.pdf")[0]) == [SAMPLE_CASE_NO]


@needs_poppler
def test_printing_paints_the_same_document_on_a_qprinter(qapp, tmp_path):
    printer = new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_on(printer, receipt_document(sample_receipt())) == 1
    assert decode_barcodes(rasterise(tmp_path / "printed.pdf")[0]) == [SAMPLE_CASE_NO]
    dialog = QPrintDialog(new_printer())  # what print_document shows the clerk
    dialog.deleteLater()


def test_barcode_image_has_quiet_zones_and_scans(qapp, tmp_path):
    image = code128_image(SAMPLE_CASE_NO, module_px=2)
    assert image.width() == code128_width_modules(SAMPLE_CASE_NO) * 2
    left_margin = next(x for x in range(image.width()) if image.pixelColor(x, 10).value() < 128)
    assert left_margin == QUIET_ZONE_MODULES * 2
    png = tmp_path / "code.png"
    assert image.save(str(png))
    assert decode_barcodes(png) == [SAMPLE_CASE_NO]


def test_barcode_refuses_text_code128_cannot_carry(qapp):
    with pytest.raises(ValueError):
        code128_image("受理编号")
