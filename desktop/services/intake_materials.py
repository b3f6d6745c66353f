"""One set of materials for the whole one-thing: pulled ones tick themselves, produced ones name their
department, brought ones are received (with scans) or tolerated against the citizen's commitment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.catalog import Material, MaterialSource
from desktop.documents.notice import NoticeData, OwedMaterial
from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.dto import MaterialView
from desktop.services.intake_base import IntakeBase
from desktop.services.intake_errors import InvalidInput, MaterialFileError
from desktop.services.material_files import store_file, verify_file
from desktop.storage.case_models import Case, CaseMaterial, MaterialFile

#: the default time a citizen has to bring a tolerated material, in working days
TOLERATE_WORKING_DAYS = 10
NOTICE_LEGAL_BASIS = "依据《优化营商环境条例》关于一次性告知和容缺受理的规定，以及本服务大厅容缺受理制度"
MATERIALS_DIR = "materials"
_STATUS_ZH = {"pending": "待收取", "received": "已收取", "tolerated": "容缺", "pulled": "已共享获取",
              "produced": "部门出具"}


class MaterialSteps(IntakeBase):
    def materials(self, user: UserInfo, case_id: int) -> list[MaterialView]:
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            case = case_repo.get_case(uow.session, case_id)
            return self._material_views(uow.session, case)

    def mark_received(self, user: UserInfo, case_id: int, code: str) -> MaterialView:
        """The clerk has the material in hand (a brought one, or a paper copy of one a pull did not get)."""
        actor = self._actor(user)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case, material, row = self._editable(session, case_id, code)
            if material.source is MaterialSource.PRODUCED:
                raise InvalidInput(f"{code} is produced by a department", f"“{material.name}”由部门出具，无需收取")
            row.status, row.commitment, row.owed_by, row.updated_at = "received", "", None, now
            case_repo.add_event(session, case, "material", f"已收取材料“{material.name}”",
                                actor=actor.display_name, at=now)
            return self._material_view(session, material, row)

    def attach_file(self, user: UserInfo, case_id: int, code: str, path: Path | str) -> MaterialView:
        """Attach a scan (image or PDF, by content; size-limited) and mark the material received."""
        actor = self._actor(user)
        source = Path(path)
        now = self._clock()
        with self._db.unit_of_work(read_only=True) as uow:
            _case, material, _row = self._editable(uow.session, case_id, code)
            if material.source is MaterialSource.PRODUCED:
                raise InvalidInput(f"{code} is produced by a department", f"“{material.name}”由部门出具，无需附件")
        # outside the transaction: copying a large scan must not hold a database lock
        stored = store_file(source, Path(self._settings.data_dir) / MATERIALS_DIR)
        relative = stored.path.relative_to(Path(self._settings.data_dir)).as_posix()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case, material, row = self._editable(session, case_id, code)
            if not any(f.sha256 == stored.sha256 for f in case_repo.files_of(session, row.id)):
                session.add(MaterialFile(material_id=row.id, filename=source.name[:260], mime=stored.mime,
                                         size=stored.size, sha256=stored.sha256, stored_path=relative,
                                         added_at=now))
            row.status, row.commitment, row.owed_by, row.updated_at = "received", "", None, now
            session.flush()
            case_repo.add_event(session, case, "material", f"材料“{material.name}”已附扫描件（{source.name}）",
                                actor=actor.display_name, at=now)
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "material.file_attached", subject=case.case_no,
                               citizen_id=citizen.id_number,
                               detail={"material": code, "sha256": stored.sha256, "size": stored.size,
                                       "mime": stored.mime}, session=session)
            return self._material_view(session, material, row)

    def material_file_path(self, user: UserInfo, case_id: int, code: str, sha256: str) -> Path:
        """Where a stored scan is, for viewing (an audited view); refuses a file whose checksum changed."""
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            row = case_repo.materials_of(session, case.id).get(code)
            record = next((f for f in case_repo.files_of(session, row.id) if f.sha256 == sha256), None) \
                if row is not None else None
            if record is None:
                raise InvalidInput(f"case {case.case_no}: no file {sha256[:12]} on {code}", "找不到该附件")
            path = Path(self._settings.data_dir) / record.stored_path
            if not verify_file(path, sha256):
                raise MaterialFileError(f"stored file {record.stored_path} is missing or its checksum changed",
                                        "附件文件缺失或已被改动（校验值不符），请重新扫描并联系管理员")
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "material.file_viewed", subject=case.case_no,
                               citizen_id=citizen.id_number, detail={"material": code, "sha256": sha256},
                               session=session)
        return path

    def tolerate(self, user: UserInfo, case_id: int, code: str, commitment: str,
                 owed_by: date | None = None) -> MaterialView:
        """Accept without a tolerable material (容缺受理) against the citizen's commitment to bring it by
        ``owed_by`` (default: TOLERATE_WORKING_DAYS working days from today)."""
        actor = self._actor(user)
        commitment = commitment.strip()
        now = self._clock()
        today = case_repo.local_day(now)
        if not commitment:
            raise InvalidInput("tolerating without a commitment", "请填写申请人的补交承诺")
        due = owed_by or self._app.calendar.add_working_days(today, TOLERATE_WORKING_DAYS)
        if due < today:
            raise InvalidInput("owed_by lies in the past", "补交期限不能早于今天")
        with self._db.unit_of_work() as uow:
            session = uow.session
            case, material, row = self._editable(session, case_id, code)
            if not material.tolerable:
                raise InvalidInput(f"{code} is not tolerable", f"“{material.name}”不可容缺，须当场收取")
            row.status, row.commitment, row.owed_by, row.updated_at = "tolerated", commitment[:300], due, now
            case_repo.add_event(session, case, "material",
                                f"材料“{material.name}”容缺受理，承诺 {due.isoformat()} 前补交",
                                actor=actor.display_name, at=now)
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "material.tolerated", subject=case.case_no,
                               citizen_id=citizen.id_number, detail={"material": code, "owed_by": due.isoformat()},
                               session=session)
            return self._material_view(session, material, row)

    def notice_data(self, user: UserInfo, case_id: int) -> NoticeData:
        """The one-time notice (一次性告知书): every tolerated material with its due date."""
        actor = self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            thing = self._one_thing(case)
            rows = case_repo.materials_of(session, case.id)
            owed = tuple(
                OwedMaterial(name=m.name, reason=rows[m.code].commitment or "容缺受理，申请人承诺补交",
                             where_to_get=m.note or "申请人自备", due_date=rows[m.code].owed_by)
                for m in self._catalog.materials_for(thing.code)
                if m.code in rows and rows[m.code].status == "tolerated" and rows[m.code].owed_by is not None)
            citizen = self._citizen(session, case)
            return NoticeData(case_no=case.case_no, hall_name=self._settings.hall_name, counter=case.counter,
                              clerk_name=actor.display_name, issued_on=case_repo.local_day(self._clock()),
                              applicant_name=citizen.name, applicant_id_masked=citizen.id_masked,
                              one_thing_name=thing.name, owed=owed, legal_basis=NOTICE_LEGAL_BASIS)

    # -- helpers ----------------------------------------------------------------------------------------
    def _editable(self, session: Session, case_id: int, code: str) -> tuple[Case, Material, CaseMaterial]:
        case = case_repo.get_case(session, case_id)
        case_repo.require_draft(case)
        material = next((m for m in self._catalog.materials_for(self._one_thing(case).code) if m.code == code), None)
        row = case_repo.materials_of(session, case.id).get(code)
        if material is None or row is None:
            raise InvalidInput(f"case {case.case_no}: no material {code}", f"本件不需要材料“{code}”")
        return case, material, row

    def _material_views(self, session: Session, case: Case) -> list[MaterialView]:
        rows = case_repo.materials_of(session, case.id)
        result = []
        for material in self._catalog.materials_for(self._one_thing(case).code):
            row = rows.get(material.code)
            result.append(self._material_view(session, material, row))
        return result

    def _material_view(self, session: Session, material: Material, row: CaseMaterial | None) -> MaterialView:
        source = (material.source or MaterialSource.BROUGHT).value
        status = row.status if row is not None else "pending"
        provider = ""
        if material.source is MaterialSource.PULLED:
            provider = self._source_name(material.supplier)
        elif material.source is MaterialSource.PRODUCED:
            provider = self._source_name(material.producer)
            status = "produced"
        status_zh = _STATUS_ZH.get(status, status)
        if material.source is MaterialSource.PULLED:
            status_zh = f"已从{provider}获取" if status == "pulled" else (
                "已收取纸质材料" if status == "received" else f"待从{provider}获取")
        elif status == "produced":
            status_zh = f"由{provider}出具"
        elif status == "tolerated" and row is not None and row.owed_by is not None:
            status_zh = f"容缺，{row.owed_by.isoformat()} 前补交"
        files = tuple((f.filename, f.sha256) for f in case_repo.files_of(session, row.id)) if row else ()
        return MaterialView(code=material.code, name=material.name, source=source, provider=provider,
                            status=status, status_zh=status_zh, tolerable=material.tolerable,
                            commitment=row.commitment if row else "", owed_by=row.owed_by if row else None,
                            files=files)
