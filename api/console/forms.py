"""The console's forms, generated: a card command's form from its request type (the same
msgspec Struct the JSON API takes), the application form's facts from the policy rules
of the chosen scheme and category, each fact with the article it comes from; and the
way back, from posted fields to that request, so a form can ask nothing the API would
not and the console adds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from api.cli_input import fact_value
from domain.errors import InvalidInput

FIELD_MAX_CHARS = 4000  # a form field (a note, evidence lines); a body is limited as well

# Labels: Chinese first, then English (as the venue page), for the fields requests share.
LABELS: dict[str, str] = {
    "note": "备注 Note",
    "effective_at": "生效时间（补录）Effective at (back-dated entry)",
    "stage": "审核环节 Stage",
    "decision": "决定 Decision",
    "reviewer": "审核人 Reviewer (default: you)",
    "joint_with": "会同部门 Decided jointly with (one a line)",
    "window": "受理窗口 Window",
    "confirmed_on": "劳动合同确认日期 Contract confirmed on",
    "valid_from": "有效期起始 Valid from (default: today)",
    "evidence_credential": "证明卡凭证 Another card's credential (TC1:…)",
    "evidence_holder_id": "持卡人证件号 Its holder's ID number",
    "category": "类别 Category",
    "tier": "等级 Tier",
    "event_on": "事由日期 Event on",
    "evidence": "证明材料 Evidence references (one a line)",
    "shows": "证明事项 What the evidence shows (one a line)",
    "reason": "理由 Reason",
    "decision_ref": "决定文号 Decision reference",
    "ground": "依据 Ground",
    "change": "变更事项 Change",
    "member": "家庭成员序号 Family member (1, 2, …)",
    "relation": "关系 Relation",
    "name": "姓名 Name",
    "date_of_birth": "出生日期 Date of birth",
    "sex": "性别 Sex",
    "married": "已婚 Married",
    "married_as_of": "婚姻状况证明日期 Marital status shown on",
    "takes_effect_on": "生效日期 Takes effect on",
    "step": "步骤 Step",
    "item": "服务事项 Service item",
    "beneficiary": "受益人 Beneficiary",
    "family_member": "家庭成员 Family member",
    "quantity": "数量 Quantity",
    "holder_present": "本人到场 Holder present",
    "in_city_care_home": "入住本市养老机构 In a care home in the city",
    "facts": "事实 Facts (name=value, one a line)",
    "bases": "期限依据 Term bases (JSON)",
}
# Fields a form never shows: who acts is the signed-in user, never typed.
HIDDEN = frozenset({"actor", "role"})


@dataclass
class Field:
    """One form field: its name, label, kind of input, choices, and the article it
    answers to (for a fact, the rule's source)."""

    name: str
    label: str
    kind: str  # text, textarea, lines, date, datetime, number, checkbox, select, facts, json
    required: bool = False
    options: list[str] = field(default_factory=list)
    source: str = ""
    value: Any = ""


def fields_of(
    request: type[msgspec.Struct], *, backdating: bool, defaults: Mapping[str, str] | None = None
) -> list[Field]:
    """A form's fields for a card command's request type; ``effective_at`` only for a
    role that may back-date (the city HRSS, ``--effective``); ``defaults`` pre-fill
    (a choice only where it is one of the field's options)."""
    out: list[Field] = []
    info = msgspec.inspect.type_info(request)
    assert isinstance(info, msgspec.inspect.StructType)
    for f in info.fields:
        if f.name in HIDDEN or (f.name == "effective_at" and not backdating):
            continue
        made = _field(f.name, f.type, f.required)
        default = (defaults or {}).get(f.name, "")
        if default and (made.kind != "select" or default in made.options):
            made.value = default
        out.append(made)
    # The note goes last: the decision's fields first.
    out.sort(key=lambda x: x.name == "note")
    return out


def _field(name: str, kind: msgspec.inspect.Type, required: bool) -> Field:
    label = LABELS.get(name, name)
    inner = kind
    if isinstance(kind, msgspec.inspect.UnionType):
        others = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        inner = others[0] if len(others) == 1 else kind
    match inner:
        case msgspec.inspect.EnumType():
            return Field(name, label, "select", required, [str(m.value) for m in inner.cls])
        case msgspec.inspect.DateType():
            return Field(name, label, "date", required)
        case msgspec.inspect.DateTimeType():
            return Field(name, label, "datetime", required)
        case msgspec.inspect.BoolType():
            return Field(name, label, "checkbox", required)
        case msgspec.inspect.IntType():
            return Field(name, label, "number", required)
        case msgspec.inspect.DictType():
            return Field(name, label, "facts", required)
        case msgspec.inspect.VarTupleType() | msgspec.inspect.ListType():
            item = inner.item_type
            if isinstance(item, msgspec.inspect.StrType):
                return Field(name, label, "lines", required)
            return Field(name, label, "json", required)
        case msgspec.inspect.StrType() if name in ("note", "reason"):
            return Field(name, label, "textarea", required)
        case _:
            return Field(name, label, "text", required)


def request_from(
    request: type[msgspec.Struct], fields: list[Field], form: Mapping[str, str]
) -> msgspec.Struct:
    """The request the posted form asks for, converted as the JSON API converts its body
    (so its limits and checks are the API's); a field left empty takes its default."""
    return msgspec.convert(values_of(fields, form), request, strict=False)


def values_of(fields: list[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """The posted values, typed by their fields (empty ones left out)."""
    data: dict[str, Any] = {}
    for f in fields:
        raw = form.get(f.name, "")
        if len(raw) > FIELD_MAX_CHARS:
            raise InvalidInput(f"{f.label}: at most {FIELD_MAX_CHARS} characters")
        if f.kind == "checkbox":
            if raw:
                data[f.name] = True
            continue
        raw = raw.strip()
        if not raw:
            continue
        if f.kind == "lines":
            data[f.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif f.kind == "facts":
            data[f.name] = facts_of(raw)
        elif f.kind == "json":
            try:
                data[f.name] = msgspec.json.decode(raw)
            except msgspec.DecodeError:
                raise InvalidInput(f"{f.label}: not valid JSON") from None
        elif f.kind == "datetime":
            data[f.name] = instant(raw, f.label)
        else:
            data[f.name] = raw
    return data


def facts_of(text: str) -> dict[str, Any]:
    """``name=value`` lines, each value read as ``--fact`` reads it (``fact_value``)."""
    facts: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"a fact is written name=value, not {line.strip()[:40]!r}")
        facts[name.strip()] = fact_value(value.strip())
    return facts


def instant(raw: str, label: str) -> str:
    """A ``datetime-local`` value, read as Asia/Shanghai time (the business zone)."""
    try:
        local = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{label}: {raw[:30]!r} is not a date and time") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return local.isoformat()
