"""Step 1, 读卡: a card on the configured reader, or the clerk types the card's fields (手工录入).

Either way the citizen's open case comes back, or a new draft is opened. Whatever looks wrong with
the card (expired, number and birth date disagreeing...) is shown in red above everything else;
the case still opens, because the clerk decides what to do about it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QScrollArea, QVBoxLayout, QWidget,
)

from desktop.devices import IdentityDocument, ReaderError
from desktop.services.dto import CaseSummary
from ui.intake.card_reader import CardReaderBridge
from ui.intake.common import IntakeContext, IntakeStep, hint_label, section_label, toned

#: manual entry fields in Tab order: (IdentityDocument attribute, placeholder)
_MANUAL_FIELDS = ("name", "id_number", "nation", "address", "issuing_authority", "valid_from", "valid_to")


class CardStep(IntakeStep):
    number = 1
    #: a document was read or typed; the page decides whether to open a case for it now
    sig_document = Signal(object)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeCardStep")
        self.document: IdentityDocument | None = None
        self.reader = CardReaderBridge(str(getattr(ctx.app.settings, "reader", "") or ""), ctx.tasks, parent=self)
        self.reader.sig_document.connect(self._on_card)
        self.reader.sig_error.connect(self._on_reader_error)
        self.reader.sig_ready.connect(self._on_reader_ready)
        self.reader.sig_connection.connect(self._on_connection)
        ctx.session.on_close(self.reader.stop)

        # -- the reader and what it read ---------------------------------------------------------
        self.reader_state = QLabel()
        self.reader_state.setObjectName("readerState")
        self.reader_state.setWordWrap(True)
        self.demo_box = QWidget()
        demo_row = QHBoxLayout(self.demo_box)
        demo_row.setContentsMargins(0, 0, 0, 0)
        self.demo_citizen = QComboBox()
        self.demo_citizen.setObjectName("demoCitizen")
        self.demo_present = QPushButton(self.tr("Lay card on reader (demo)"))
        self.demo_present.setObjectName("demoPresent")
        self.demo_present.clicked.connect(self._present_demo)
        demo_row.addWidget(QLabel(self.tr("Demo citizen:")))
        demo_row.addWidget(self.demo_citizen, 1)
        demo_row.addWidget(self.demo_present)
        self.demo_box.setVisible(False)

        self.problems = QLabel()
        self.problems.setObjectName("cardProblems")
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        self.card_view = QLabel()
        self.card_view.setObjectName("cardView")
        self.card_view.setTextFormat(Qt.TextFormat.RichText)
        self.card_view.setWordWrap(True)
        self.card_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_frame = QFrame()
        self.card_frame.setObjectName("intakePanel")
        card_layout = QVBoxLayout(self.card_frame)
        card_layout.addWidget(section_label(self.tr("ID card")))
        card_layout.addWidget(self.reader_state)
        card_layout.addWidget(self.demo_box)
        card_layout.addWidget(self.problems)
        # right under the warning: the clerk decides about the card before anything else
        self.continue_button = QPushButton(self.tr("Continue with this card (Ctrl+Enter)"))
        self.continue_button.setObjectName("cardContinue")
        self.continue_button.clicked.connect(self.advance)
        self.continue_button.setVisible(False)
        card_layout.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        card_layout.addWidget(self.card_view, 1)

        # -- manual entry --------------------------------------------------------------------------
        self.manual_box = QGroupBox(self.tr("Manual entry (when the card cannot be read)"))
        self.manual_box.setObjectName("manualEntry")
        form = QFormLayout(self.manual_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.card_type = QComboBox()
        self.card_type.setObjectName("manual_card_type")
        for value, label in (("resident", "居民身份证"), ("J", "港澳台居民居住证"), ("I", "外国人永久居留身份证")):
            self.card_type.addItem(label, value)
        form.addRow(self.tr("Card type"), self.card_type)
        labels = {
            "name": self.tr("Name"), "id_number": self.tr("ID number"), "nation": self.tr("Ethnic group"),
            "address": self.tr("Address"), "issuing_authority": self.tr("Issuing authority"),
            "valid_from": self.tr("Valid from"), "valid_to": self.tr("Valid until"),
        }
        placeholders = {
            "nation": self.tr("e.g. Han"), "valid_from": "YYYY-MM-DD",
            "valid_to": self.tr("YYYY-MM-DD or long-term"), "id_number": self.tr("18 characters"),
        }
        self.manual: dict[str, QLineEdit] = {}
        self.manual_errors: dict[str, QLabel] = {}
        for key in _MANUAL_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"manual_{key}")
            edit.setPlaceholderText(placeholders.get(key, ""))
            edit.returnPressed.connect(lambda k=key: self._manual_enter(k))
            error = QLabel()
            error.setObjectName(f"manualError_{key}")
            toned(error, "error")
            error.setVisible(False)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(labels[key], holder)
            self.manual[key] = edit
            self.manual_errors[key] = error
        self.manual_summary = QLabel()
        self.manual_summary.setObjectName("manualSummary")
        toned(self.manual_summary, "error")
        self.manual_summary.setWordWrap(True)
        self.manual_submit = QPushButton(self.tr("Open case from typed card (Enter)"))
        self.manual_submit.setObjectName("manualSubmit")
        self.manual_submit.clicked.connect(self.submit_manual)
        form.addRow("", self.manual_summary)
        form.addRow("", self.manual_submit)

        # scrolls rather than forcing the window taller than a 768-pixel screen
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.addWidget(self.card_frame, 0, 0)
        grid.addWidget(self.manual_box, 0, 1)
        grid.addWidget(hint_label(self.tr(
            "Lay the ID card on the reader: the citizen's open case comes back, or a new case is opened. "
            "Manual entry: Enter moves to the next field; Enter on the last field opens the case.")), 1, 0, 1, 2)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)
        grid.setRowStretch(0, 1)
        self._show_reader_state()

    def title(self) -> str:
        return self.tr("Read card")

    def start_reader(self) -> None:
        self.reader.start()
        self._show_reader_state()

    def first_focus(self) -> QWidget | None:
        if self.reader.is_demo:
            return self.demo_citizen
        return self.manual["name"]

    # -- the reader -------------------------------------------------------------------------------
    def _show_reader_state(self, text: str = "") -> None:
        if text:
            self.reader_state.setText(text)
        elif not self.reader.has_device:
            self.reader_state.setText(self.tr("No card reader is configured: use manual entry on the right."))
        elif self.reader.ready:
            self.reader_state.setText(self.tr("Reader ready: lay the ID card on the reader."))
        else:
            self.reader_state.setText(self.tr("Opening the card reader..."))

    def _on_reader_ready(self, describe: str) -> None:
        self._show_reader_state()
        if self.reader.is_demo:
            self.demo_citizen.clear()
            for key in self.reader.demo_citizens():
                self.demo_citizen.addItem(key, key)
            self.demo_box.setVisible(True)

    def _present_demo(self) -> None:
        key = self.demo_citizen.currentData()
        if key:
            try:
                self.reader.present_demo(str(key))
            except ReaderError as exc:
                self.error(exc.message_zh)

    def _on_reader_error(self, exc: BaseException) -> None:
        message = str(getattr(exc, "message_zh", "") or self.tr("The card reader failed."))
        self._show_reader_state(self.tr("Card reader problem: {message}").format(message=message))
        self.error(message)

    def _on_connection(self, connected: bool) -> None:
        self._show_reader_state("" if connected else self.tr("The card reader is disconnected; reconnecting..."))

    def _on_card(self, doc: IdentityDocument) -> None:
        self.show_document(doc)
        self.sig_document.emit(doc)

    # -- showing a document -------------------------------------------------------------------------
    def show_document(self, doc: IdentityDocument) -> None:
        self.document = doc
        rows = [
            (self.tr("Name"), doc.name or doc.english_name),
            (self.tr("Card type"), doc.card_type.label_zh),
            (self.tr("ID number"), doc.masked_id),
            (self.tr("Gender"), doc.gender_name),
            (self.tr("Ethnic group"), doc.nation_name),
            (self.tr("Date of birth"), doc.birth_date.isoformat()),
            (self.tr("Address"), doc.address),
            (self.tr("Issuing authority"), doc.issuing_authority),
            (self.tr("Validity"), doc.validity_text),
            (self.tr("Photo"), doc.photo_note if not doc.photo_decoded else self.tr("decoded")),
        ]
        cells = "".join(f"<tr><td style='color:#52606d;padding-right:12px'>{_esc(k)}</td>"
                        f"<td>{_esc(v)}</td></tr>" for k, v in rows if v)
        self.card_view.setText(f"<table cellspacing='4'>{cells}</table>")
        if doc.problems:
            items = "<br>".join("⚠ " + _esc(p.message_zh) for p in doc.problems)
            heading = self.tr("Check this card:")
            self.problems.setText(f"<b>{_esc(heading)}</b><br>{items}")
            self.problems.setVisible(True)
        else:
            self.problems.setVisible(False)

    def show_problems_pending(self, pending: bool) -> None:
        """A card with problems opened its case: the clerk confirms before going on."""
        self.continue_button.setVisible(pending)
        if pending:
            self.continue_button.setFocus()

    def advance(self) -> None:
        if self.case is not None:
            self.continue_button.setVisible(False)
            self.sig_done.emit()
        else:
            self.submit_manual()

    # -- manual entry ---------------------------------------------------------------------------------
    def _manual_enter(self, key: str) -> None:
        index = _MANUAL_FIELDS.index(key)
        if index + 1 < len(_MANUAL_FIELDS):
            self.manual[_MANUAL_FIELDS[index + 1]].setFocus()
        else:
            self.submit_manual()

    def manual_values(self) -> dict[str, str]:
        values = {key: edit.text().strip() for key, edit in self.manual.items()}
        values["card_type"] = str(self.card_type.currentData())
        if values["valid_to"] in ("长期", "long-term"):
            values["valid_to"] = "长期"
        return values

    def submit_manual(self) -> None:
        for error in self.manual_errors.values():
            error.setVisible(False)
        self.manual_summary.clear()
        self.manual_submit.setEnabled(False)
        self.info(self.tr("Checking the typed card..."))
        (self.background(self.ctx.service.open_case_manual, self.ctx.user, self.manual_values())
         .on_success(self._manual_opened)
         .on_failure(self._manual_failed)
         .on_finished(lambda: self.manual_submit.setEnabled(True)))

    def _manual_opened(self, summary: CaseSummary) -> None:
        self.document = None
        self.card_view.setText(self.tr("Typed by the clerk (manual entry)."))
        self.problems.setVisible(False)
        self.sig_case.emit(summary)

    def _manual_failed(self, exc: BaseException) -> None:
        field_errors: dict[str, str] = dict(getattr(exc, "field_errors", {}) or {})
        if not field_errors:
            self.clerk_errors()(exc)
            return
        others = []
        for key, message in field_errors.items():
            label = self.manual_errors.get(key)
            if label is None:
                others.append(message)
                continue
            label.setText(message)
            label.setVisible(True)
        self.manual_summary.setText("；".join(others))
        first = next((k for k in _MANUAL_FIELDS if k in field_errors), None)
        if first is not None:
            self.manual[first].setFocus()
            self.manual[first].selectAll()
        self.error(str(getattr(exc, "message_zh", "")))

    def clear_manual(self) -> None:
        for edit in self.manual.values():
            edit.clear()
        for error in self.manual_errors.values():
            error.setVisible(False)
        self.manual_summary.clear()

    def reset(self) -> None:
        super().reset()
        self.document = None
        self.card_view.clear()
        self.problems.setVisible(False)
        self.continue_button.setVisible(False)
        self.clear_manual()


def _esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
