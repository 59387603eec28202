"""The HTCDS / CTDC mapping of every case-store field, generated from the models' ``info``."""

from __future__ import annotations

from callcenter.cases.models import CASE_TABLES

# column -> code list it takes its values from (see callcenter/cases/codelists)
CODE_LISTS: dict[tuple[str, str], str] = {
    ("cs_user", "role"): "user_role",
    ("cs_agency", "agency_type"): "agency_type",
    ("cs_case", "status"): "case_status",
    ("cs_case", "closure_reason"): "closure_reason",
    ("cs_case", "sensitivity"): "sensitivity",
    ("cs_contact", "channel"): "channel",
    ("cs_contact", "kind"): "contact_kind",
    ("cs_contact", "request_type"): "request_type",
    ("cs_contact", "urgency"): "urgency",
    ("cs_contact", "heard_via"): "heard_via",
    ("cs_contact", "caller_relation"): "caller_relation",
    ("cs_contact", "caller_sex"): "sex",
    ("cs_contact_action", "action"): "action_taken",
    ("cs_person", "role"): "person_role",
    ("cs_person", "age_band"): "age_band",
    ("cs_person", "sex"): "sex",
    ("cs_person", "gender_identity"): "gender_identity",
    ("cs_person", "migrant_type"): "migrant_type",
    ("cs_victim_context", "trafficking_status"): "trafficking_status",
    ("cs_victim_context", "status_decided_by"): "status_decided_by",
    ("cs_victim_context", "legal_status"): "legal_status",
    ("cs_victim_context", "recruiter_relation"): "recruiter_relation",
    ("cs_person_code", "code"): "means_of_control / recruitment_method / recruitment_platform",
    ("cs_exploitation", "exploitation_type"): "exploitation_type",
    ("cs_exploitation", "sex_subtype"): "sex_exploitation_subtype",
    ("cs_exploitation", "industry"): "labour_industry",
    ("cs_trafficking_event", "event_type"): "event_type",
    ("cs_perpetrator_context", "role_in_process"): "perpetrator_role",
    ("cs_perpetrator_context", "relation_to_victim"): "recruiter_relation",
    ("cs_referral", "direction"): "referral_direction",
    ("cs_referral", "service"): "referral_service",
    ("cs_referral", "outcome"): "referral_outcome",
    ("cs_follow_up", "outcome"): "follow_up_outcome",
    ("cs_follow_up", "risk_level"): "risk_level",
    ("cs_consent", "scope"): "consent_scope",
}
PROVINCE_COLUMNS = frozenset({"province"})
EXTRA_HTCDS = {
    ("cs_person_code", "code"): "vic_MethodsOfControl, vic_MethodOfRecruitment, "
    "vic_RecruitmentWebsitesAndApps",
    ("cs_person_code", "list_name"): "",
}


def mapping_markdown() -> str:
    """One Markdown table row per column of every case-store table."""
    lines = [
        "| table | column | HTCDS | CTDC | stored as |",
        "|---|---|---|---|---|",
    ]
    for table in CASE_TABLES:
        for column in table.columns:
            info = column.info
            htcds = info.get("htcds") or EXTRA_HTCDS.get((table.name, column.name), "")
            ctdc = info.get("ctdc", "")
            if info.get("pii"):
                stored = "encrypted (Fernet)"
            elif (table.name, column.name) in CODE_LISTS:
                stored = f"code: {CODE_LISTS[(table.name, column.name)]}"
            elif column.name in PROVINCE_COLUMNS:
                stored = "province unit id (vn63-/vn34-)"
            elif column.name == "phone_hash":
                stored = "HMAC-SHA256 of E.164 number"
            else:
                stored = str(column.type).lower()
            lines.append(f"| {table.name} | {column.name} | {htcds} | {ctdc} | {stored} |")
    return "\n".join(lines) + "\n"
