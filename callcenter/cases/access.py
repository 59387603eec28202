"""Who may do what: every store query takes the reader (user, role, centre, route).

* counsellor, supervisor: cases and contacts of their own centre;
* national_supervisor, admin: every centre;
* analyst: statistics and anonymised exports only, never a case;
* auditor: the audit log only.
Cases marked ``restricted`` are open only to the counsellors on the case, supervisors of its centre
and national roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.cases.codelists import codelist

CASE_ROLES = frozenset({"counsellor", "supervisor", "national_supervisor", "admin"})
NATIONAL_ROLES = frozenset({"national_supervisor", "admin"})
STATISTICS_ROLES = frozenset({"supervisor", "national_supervisor", "admin", "analyst"})
AUDIT_ROLES = frozenset({"auditor", "admin"})


class AccessDeniedError(PermissionError):
    """The reader's role or centre does not allow this; the message is bilingual."""

    def __init__(self, reader: Reader, what: str) -> None:
        super().__init__(
            f"Không có quyền: {what} (vai trò {reader.role}, trung tâm {reader.centre}) / "
            f"access denied: {what} (role {reader.role}, centre {reader.centre})"
        )
        self.reader = reader
        self.what = what


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is asking, from which centre, through which route (API path, CLI command...)."""

    user_id: str
    role: str
    centre: str | None
    route: str

    def __post_init__(self) -> None:
        codelist("user_role").check(self.role, optional=False)
        if not self.user_id:
            raise ValueError("a reader needs a user id / cần mã người dùng")
        if not self.route:
            raise ValueError("a reader needs a route / cần ghi rõ đường truy cập")

    @property
    def national(self) -> bool:
        return self.role in NATIONAL_ROLES


def may_work_on_centre(reader: Reader, centre: str) -> bool:
    if reader.role not in CASE_ROLES:
        return False
    return reader.national or reader.centre == centre


def may_open_case(
    reader: Reader, centre: str, sensitivity: str, counsellors: frozenset[str]
) -> bool:
    if not may_work_on_centre(reader, centre):
        return False
    if sensitivity != "restricted" or reader.national or reader.role == "supervisor":
        return True
    return reader.user_id in counsellors


def require_statistics(reader: Reader) -> None:
    if reader.role not in STATISTICS_ROLES:
        raise AccessDeniedError(reader, "statistics / thống kê")


def require_audit(reader: Reader) -> None:
    if reader.role not in AUDIT_ROLES:
        raise AccessDeniedError(reader, "audit log / nhật ký kiểm tra")


def statistics_centres(reader: Reader) -> str | None:
    """The centre a reader's statistics are limited to (``None``: every centre)."""
    require_statistics(reader)
    if reader.role == "supervisor":
        return reader.centre
    return None
