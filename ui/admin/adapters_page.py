"""Adapter plugin administration: status and errors (with copyable details), enable/disable,
non-secret configuration, the department account's secret (into the OS keyring), health check.

Every registry call that writes (enable, disable, configure) and every health check runs in the
background; a health check builds a fresh adapter, asks it once and closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget,
)

from adapters.api import AuthError, Credentials, HealthResult
from ui.form_dialog import TaskFormDialog, password_field
from ui.pages import PageContext
from ui.widgets import MessageLine, ReadOnlyTable, page_title

if TYPE_CHECKING:
    from ui.tasks import TaskManager

ACCOUNT_OPTION = "account"
#: types the configuration dialog edits; a secret_ref only names a keyring entry, set with the secret dialog
EDITABLE_TYPES = ("string", "url", "number", "integer", "boolean", "path")


def effective_config(record: Any) -> dict[str, Any]:
    """Stored values over the manifest defaults (what the adapter will be built with)."""
    values = {o.name: o.default for o in record.manifest.config} if record.manifest else {}
    values.update(record.config or {})
    return values


def keyring_credentials(secrets: Any, adapter_id: str, account: str) -> Callable[[], Credentials]:
    """The credentials callback an adapter gets: the secret is read from the keyring only when needed."""

    def provide() -> Credentials:
        secret = secrets.get(adapter_id, account) if account else None
        if not account or secret is None:
            raise AuthError(f"no department account secret stored for {adapter_id}", adapter_id=adapter_id,
                            message_zh="尚未设置该部门的账号或口令，请先在“设置部门账号口令”中录入")
        return Credentials(account, secret)

    return provide


def check_health(registry: Any, secrets: Any, adapter_id: str) -> HealthResult:
    """Worker-thread body of the health check: build, ask, close."""
    account = str(effective_config(registry.get(adapter_id)).get(ACCOUNT_OPTION) or "")
    adapter = registry.create(adapter_id, keyring_credentials(secrets, adapter_id, account))
    try:
        return adapter.health()
    finally:
        adapter.close()


class ConfigureDialog(TaskFormDialog):
    def __init__(self, registry: Any, record: Any, by: str, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Configure {name}").format(name=record.manifest.name), self.tr("Save"), parent)
        self.setObjectName("configureDialog")
        self._registry, self._id, self._by = registry, record.id, by
        self._options = [o for o in record.manifest.config if o.type in EDITABLE_TYPES]
        self.fields: dict[str, QLineEdit | QCheckBox] = {}
        stored: Mapping[str, Any] = record.config or {}
        for option in self._options:
            label = option.title or option.name
            if option.type == "boolean":
                box = QCheckBox()
                box.setChecked(bool(stored.get(option.name, option.default)))
                self.fields[option.name] = box
                widget: QWidget = box
            else:
                edit = QLineEdit("" if stored.get(option.name) is None else str(stored[option.name]))
                if option.default is not None:
                    edit.setPlaceholderText(self.tr("Default: {value}").format(value=option.default))
                self.fields[option.name] = edit
                widget = edit
            widget.setObjectName(f"option_{option.name}")
            widget.setToolTip(option.help)
            self.form.addRow(label + (" *" if option.required else ""), widget)

    def values(self) -> dict[str, Any]:
        """Text as typed (the registry converts it by the manifest type); empty means 'use the default'."""
        out: dict[str, Any] = {}
        for name, widget in self.fields.items():
            out[name] = widget.isChecked() if isinstance(widget, QCheckBox) else (widget.text().strip() or None)
        return out

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._registry.configure, (self._id, self.values(), self._by)


class SecretDialog(TaskFormDialog):
    def __init__(self, registry: Any, secrets: Any, record: Any, by: str, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Department account of {name}").format(name=record.manifest.name),
                         self.tr("Save"), parent)
        self.setObjectName("secretDialog")
        self._registry, self._secrets, self._id, self._by = registry, secrets, record.id, by
        self._has_account_option = record.manifest.option(ACCOUNT_OPTION) is not None
        self.account = QLineEdit(str(effective_config(record).get(ACCOUNT_OPTION) or ""))
        self.account.setObjectName("secretAccount")
        self.secret = password_field("secretValue")
        self.form.addRow(self.tr("Department account"), self.account)
        self.form.addRow(self.tr("Password / key"), self.secret)
        self.form.addRow("", _note(self.tr("The password is kept only in the system keyring, "
                                           "never in the database or the settings file.")))

    def problem(self) -> str | None:
        if not self.account.text().strip() or not self.secret.text():
            return self.tr("Please enter the account and its password.")
        return None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._store, (self.account.text().strip(), self.secret.text())

    def _store(self, account: str, secret: str) -> None:
        self._secrets.set(self._id, account, secret)
        if self._has_account_option:
            self._registry.configure(self._id, {ACCOUNT_OPTION: account}, self._by)


def _note(text: str) -> QWidget:
    from PySide6.QtWidgets import QLabel

    label = QLabel(text)
    label.setWordWrap(True)
    return label


class AdaptersPage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.setObjectName("adaptersPage")
        self._registry = ctx.app.registry  # type: ignore[attr-defined]
        self._secrets = ctx.app.secrets
        self._by = ctx.user.username
        self._tasks = ctx.tasks
        self.records: list[Any] = []
        self.table = ReadOnlyTable([self.tr("ID"), self.tr("Name"), self.tr("Department"), self.tr("Version"),
                                    self.tr("Status")])
        self.details = QPlainTextEdit()
        self.details.setObjectName("adapterDetails")
        self.details.setReadOnly(True)
        self.enable_button = QPushButton(self.tr("Enable"))
        self.disable_button = QPushButton(self.tr("Disable"))
        self.configure_button = QPushButton(self.tr("Configure..."))
        self.secret_button = QPushButton(self.tr("Set department account password..."))
        self.health_button = QPushButton(self.tr("Health check"))
        self.rescan_button = QPushButton(self.tr("Rescan plugins"))
        self.copy_button = QPushButton(self.tr("Copy details"))
        self.message = MessageLine()
        bar = QHBoxLayout()
        for b in (self.enable_button, self.disable_button, self.configure_button, self.secret_button,
                  self.health_button, self.rescan_button):
            bar.addWidget(b)
        bar.addStretch(1)
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.details, 1)
        detail_layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignRight)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(page_title(self.tr("Adapters")))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        self.enable_button.clicked.connect(lambda: self._set_enabled(True))
        self.disable_button.clicked.connect(lambda: self._set_enabled(False))
        self.configure_button.clicked.connect(self.configure)
        self.secret_button.clicked.connect(self.set_secret)
        self.health_button.clicked.connect(self.health_check)
        self.rescan_button.clicked.connect(lambda: self.refresh(rescan=True))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.details.toPlainText()))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.refresh()

    # -- list --------------------------------------------------------------------------------------
    def refresh(self, *, rescan: bool = False) -> None:
        selected = self.selected_id()
        fetch = self._registry.discover if rescan else self._registry.records
        (self._tasks.run_in_background(fetch)
         .on_success(lambda records: self._show(records, selected))
         .on_failure(self._tasks.clerk_errors(self.message.show_error)))

    def _show(self, records: list[Any], keep: str | None) -> None:
        self.records = list(records)
        self.table.set_rows([(r.id, r.manifest.name if r.manifest else r.distribution,
                              r.manifest.department if r.manifest else "", r.version, r.status_zh)
                             for r in self.records])
        if keep in self.ids():
            self.select(keep)  # type: ignore[arg-type]
        self._selection_changed()

    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    def select(self, adapter_id: str) -> None:
        self.table.selectRow(self.ids().index(adapter_id))

    def selected(self) -> Any | None:
        row = self.table.selected_row()
        return self.records[row] if row is not None and row < len(self.records) else None

    def selected_id(self) -> str | None:
        record = self.selected()
        return record.id if record is not None else None

    def _selection_changed(self) -> None:
        record = self.selected()
        usable = record is not None and record.manifest is not None
        self.enable_button.setEnabled(usable and not record.enabled)
        self.disable_button.setEnabled(record is not None and record.enabled)
        self.configure_button.setEnabled(usable)
        self.secret_button.setEnabled(usable)
        self.health_button.setEnabled(usable and record.enabled and record.error is None)
        self.copy_button.setEnabled(record is not None)
        self.details.setPlainText(self._describe(record) if record is not None else "")

    def _describe(self, record: Any) -> str:
        lines = [self.tr("Status: {status}").format(status=record.status_zh),
                 self.tr("Source: {source}").format(source=record.source)]
        manifest = record.manifest
        if manifest is not None:
            if manifest.description:
                lines.append(manifest.description)
            lines.append(self.tr("Capabilities: {items}").format(items=", ".join(manifest.capabilities)))
            config = effective_config(record)
            shown = {o.name: config.get(o.name) for o in manifest.config}
            lines.append(self.tr("Configuration: {items}").format(
                items=", ".join(f"{k}={'' if v is None else v}" for k, v in shown.items()) or "-"))
        if record.error is not None:
            lines += ["", self.tr("Error ({kind}): {message}").format(kind=record.error.kind,
                                                                      message=record.error.message_zh),
                      record.error.details]
        return "\n".join(lines)

    # -- actions -------------------------------------------------------------------------------------
    def _set_enabled(self, enabled: bool) -> None:
        adapter_id = self.selected_id()
        if adapter_id is None:
            return
        call = self._registry.enable if enabled else self._registry.disable
        done = self.tr("{id} enabled.") if enabled else self.tr("{id} disabled.")
        (self._tasks.run_in_background(call, adapter_id, self._by)
         .on_success(lambda _r: self._changed(done.format(id=adapter_id)))
         .on_failure(self._tasks.clerk_errors(self.message.show_error)))

    def configure(self) -> ConfigureDialog | None:
        record = self.selected()
        if record is None or record.manifest is None:
            return None
        dialog = ConfigureDialog(self._registry, record, self._by, self._tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_done.connect(lambda _r: self._changed(self.tr("Configuration of {id} saved.").format(id=record.id)))
        dialog.open()
        return dialog

    def set_secret(self) -> SecretDialog | None:
        record = self.selected()
        if record is None or record.manifest is None:
            return None
        dialog = SecretDialog(self._registry, self._secrets, record, self._by, self._tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_done.connect(lambda _r: self._changed(
            self.tr("The department account of {id} was saved in the system keyring.").format(id=record.id)))
        dialog.open()
        return dialog

    def health_check(self) -> None:
        adapter_id = self.selected_id()
        if adapter_id is None:
            return
        self.health_button.setEnabled(False)
        self.message.show_info(self.tr("Checking {id}...").format(id=adapter_id))
        (self._tasks.run_in_background(check_health, self._registry, self._secrets, adapter_id)
         .on_success(lambda result: self._show_health(adapter_id, result))
         .on_failure(self._tasks.clerk_errors(self.message.show_error))
         .on_finished(self._selection_changed))

    def _show_health(self, adapter_id: str, result: HealthResult) -> None:
        if result.ok:
            self.message.show_info(self.tr("{id} is healthy ({ms} ms). {detail}").format(
                id=adapter_id, ms=round(result.latency_ms), detail=result.detail))
        else:
            self.message.show_error(self.tr("{id} is not healthy: {detail}").format(id=adapter_id, detail=result.detail))

    def _changed(self, text: str) -> None:
        self.message.show_info(text)
        self.refresh()
