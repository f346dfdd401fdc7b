"""The staff console's pages (工作台, issue 28): sign-in, my work, a card with the actions
the user's role may take now, filing with a check-your-answers step, and approvals.

Each handler is a thin adapter, as the JSON API's are: it reads the form, calls the same
application service as the signed-in user, and renders what comes back. A refusal is the
service's own (code, message, rule), shown beside the form with what was typed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from api.cli_input import fact_value, values
from api.console import forms
from api.console.web import (
    COOKIE,
    SIGN_IN_COOKIE,
    check_csrf,
    client_address,
    ended_cookie,
    page,
    redirect,
    session_cookie,
    session_of,
    sign_in_cookie,
)
from api.http_support import registry_of, text_query
from api.problems import status_of
from domain.errors import DomainError, InvalidInput
from domain.vocabulary import (
    CardStatus,
    ReviewStage,
    Role,
    Route,
    Scheme,
    SponsorKind,
)
from ledger import commands as c
from ledger.card_commands import COMMANDS
from ledger.errors import CardNotFound
from ledger.limits import MAX_INPUT_BYTES
from services.access import Principal
from services.policy import filing_questions
from services.sessions import ConsoleSession
from services.work import WorkFilter

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
_PAGE: dict[str, Any] = {"sync_to_thread": True, "include_in_schema": False}

TITLES: dict[str, str] = {
    "review": "审核 Review",
    "receive": "受理 Record receipt",
    "confirm_contract": "确认劳动合同 Confirm the contract",
    "spouse_transfer": "配偶随调 Spouse transfer",
    "issue": "颁发 Issue",
    "upgrade_request": "申请升级 Request an upgrade",
    "upgrade": "升级 Upgrade",
    "extend": "延期 Extend",
    "amend": "信息变更 Change the card's people",
    "decide_amendment": "变更审核 Decide the change",
    "suspend": "暂停 Suspend",
    "reinstate": "恢复 Reinstate",
    "withdraw": "撤回 Withdraw",
    "propose_revocation": "提出收回 Propose revocation",
    "approve_revocation": "同意收回 Approve revocation",
    "decline_revocation": "不同意收回 Decline revocation",
    "redeem": "记录使用 Record a use",
    "apply": "申领 File",
}
STEP_TITLES = {
    "review": "待审核 to review",
    "receive": "待受理 to receive",
    "confirm_contract": "待确认合同 contract to confirm",
    "issue": "待颁发 to issue",
    "upgrade": "待升级 to upgrade",
    "approve_revocation": "待审批收回 revocation to approve",
    "decide_amendment": "待审核变更 change to decide",
}
APPROVAL_STEPS = ("approve_revocation", "decide_amendment", "upgrade")
NAV = (
    ("work", "/console/work", "待办 My work"),
    ("approvals", "/console/approvals", "审批 Approvals"),
    ("file", "/console/file", "申领 File"),
    ("find", "/console/cards", "查找 Find a card"),
)
# Part two (a later issue): the auditor's views, statistics, users and imports.
NAV_LATER = ("审计 Audit", "统计 Statistics", "用户 Users", "导入 Imports")


def _base(session: ConsoleSession, here: str) -> dict[str, Any]:
    who = session.who
    return {
        "who": who,
        "csrf": session.csrf,
        "nav": NAV,
        "nav_later": NAV_LATER,
        "here": here,
        "titles": TITLES,
    }


def _refusal(e: DomainError) -> dict[str, str]:
    return {"code": e.code, "message": e.message, "rule": e.rule or "", "field": ""}


def _invalid(e: msgspec.ValidationError | ValueError) -> dict[str, str]:
    """A value the request's type refused, with the form field it came from (the path
    msgspec names, ``$.holder.name``), so the error summary can link to the field."""
    text = str(e)
    found = _FIELD_PATH.search(text)
    return {"code": "bad_request", "message": text, "rule": "", "field": _field_id(found)}


_FIELD_PATH = re.compile(r"at `\$\.([\w.\[\]]+)`")


def _field_id(found: re.Match[str] | None) -> str:
    """The form field's name for a request path: ``holder.family[0].name`` is the
    filing form's ``family.0.name``, ``facts.x`` its ``fact.x``."""
    if found is None:
        return ""
    path = found.group(1)
    path = re.sub(r"^holder\.family\[(\d+)\]", r"family.\1", path)
    path = re.sub(r"^facts\.", "fact.", path)
    return re.sub(r"\[\d+\]$", "", path)


# ---- sign-in -----------------------------------------------------------------------------


@get("/console", **_PAGE)
def console_home(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """To my work, or to the sign-in page."""
    return redirect("/console/work")


@get("/console/sign-in", **_PAGE)
def sign_in_page(request: Request[Any, Any, Any]) -> Response[str]:
    """The sign-in form: user name, and the key typed, pasted or from its file."""
    cookie, token = sign_in_cookie(request)
    return page("sign_in.html", {"csrf": token, "error": None, "name": ""}, cookies=[cookie])


@post("/console/sign-in", **_PAGE)
def sign_in(
    request: Request[Any, Any, Any],
    state: State,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response[Any]:
    """Begin a session: the key is checked and forgotten; the browser gets a cookie."""
    name = str(data.get("name") or "")[:200]
    check_csrf(request, request.cookies.get(SIGN_IN_COOKIE, ""), str(data.get("csrf") or ""))
    key = str(data.get("key") or "").strip()
    upload = data.get("key_file")
    if not key and isinstance(upload, UploadFile):
        key = upload.file.read(200).decode("utf-8", "replace").strip()
    sessions = registry_of(state).sessions
    try:
        if not key:
            raise InvalidInput("give the key: type or paste it, or choose its file")
        session = sessions.sign_in(name, key, client_address(request))
    except DomainError as e:
        cookie, token = sign_in_cookie(request)
        return page(
            "sign_in.html",
            {"csrf": token, "error": _refusal(e), "name": name},
            status=status_of(e),
            cookies=[cookie],
        )
    cookie = session_cookie(request, session.token, sessions.limits.absolute)
    return redirect("/console/work", cookies=[cookie, ended_cookie(request, SIGN_IN_COOKIE)])


@post("/console/sign-out", **_PAGE)
def sign_out(request: Request[Any, Any, Any], state: State, data: Form) -> Response[Any]:
    """End the session on the server and forget the cookie."""
    session = session_of(request, state)
    check_csrf(request, session.csrf, data.get("csrf", ""))
    registry_of(state).sessions.sign_out(request.cookies.get(COOKIE, ""))
    return redirect("/console/sign-in", cookies=[ended_cookie(request)])


# ---- my work and approvals -----------------------------------------------------------------


def _enum(kind: type[Any], raw: str | None, name: str) -> Any:
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"{name} {raw[:30]!r} is not one of the choices") from None


@get("/console/work", **_PAGE)
def my_work(
    request: Request[Any, Any, Any],
    state: State,
    scheme: Annotated[str | None, text_query(40)] = None,
    stage: Annotated[str | None, text_query(40)] = None,
    route: Annotated[str | None, text_query(40)] = None,
    status: Annotated[str | None, text_query(40)] = None,
    after: Annotated[str | None, text_query(80)] = None,
) -> Response[str]:
    """The files waiting for me, soonest due first."""
    session = session_of(request, state)
    context = _base(session, "work")
    chosen = {
        "scheme": scheme or "",
        "stage": stage or "",
        "route": route or "",
        "status": status or "",
    }
    try:
        where = WorkFilter(
            scheme=_enum(Scheme, scheme, "scheme"),
            stage=_enum(ReviewStage, stage, "stage"),
            route=_enum(Route, route, "route"),
            status=_enum(CardStatus, status, "status"),
        )
        work = registry_of(state).work.my_work(session.who, where, after=(after or "")[:80])
        error, code = None, 200
    except DomainError as e:
        work, error, code = None, _refusal(e), _status_of(e)
    context.update(
        work=work,
        error=error,
        chosen=chosen,
        step_titles=STEP_TITLES,
        filters={
            "scheme": values(Scheme),
            "stage": values(ReviewStage),
            "route": values(Route),
            "status": [
                str(s) for s in (CardStatus.UNDER_REVIEW, CardStatus.ACTIVE, CardStatus.SUSPENDED)
            ],
        },
    )
    return page("work.html", context, status=code)


@get("/console/approvals", **_PAGE)
def approvals(request: Request[Any, Any, Any], state: State) -> Response[str]:
    """Revocation proposals and changes waiting for my decision (each
    two-person step shows who took the step before), and the suspended cards I see,
    which wait to be reinstated or revoked."""
    session = session_of(request, state)
    context = _base(session, "approvals")
    registry = registry_of(state)
    suspended: list[Any] = []
    try:
        work = registry.work.my_work(session.who, limit=100)
        items = [i for i in work.items if str(i.step) in APPROVAL_STEPS]
        error = None
        suspended = registry.cards.list_cards(session.who, status="suspended", limit=50).rows
    except DomainError as e:
        items, error = [], _refusal(e)
    context.update(items=items, error=error, step_titles=STEP_TITLES, suspended=suspended)
    return page("approvals.html", context)


# ---- a card -------------------------------------------------------------------------------


@get("/console/cards", **_PAGE)
def find_card(
    request: Request[Any, Any, Any],
    state: State,
    card: Annotated[str | None, text_query(80)] = None,
) -> Response[Any]:
    """Find a card by its id (numbers on a paper file, the id in an e-mail)."""
    session = session_of(request, state)
    if card:
        try:
            return redirect(f"/console/cards/{UUID(card.strip()[:40])}")
        except ValueError:
            error = {
                "code": "bad_request",
                "message": f"{card[:40]!r} is not a card id",
                "rule": "",
            }
            return page(
                "find.html",
                {**_base(session, "find"), "error": error, "card": card[:40]},
                status=400,
            )
    return page("find.html", {**_base(session, "find"), "error": None, "card": ""})


def _defaults(view: Any, who: Principal) -> dict[str, str]:
    """What a form starts with: the stage waiting (a reviewer decides its own stage),
    and the window recording its receipt is the user's own."""
    found = {"window": str(who.role)}
    stage = getattr(view, "next_stage", None)
    if stage:
        found["stage"] = str(stage)
    return found


def _card_context(session: ConsoleSession, state: State, card_id: UUID) -> dict[str, Any]:
    """Everything the card page shows the user; CardNotFound (also for a card outside the
    user's jurisdiction) goes up, to the same not-found page as no card at all."""
    registry = registry_of(state)
    who = session.who
    view = registry.cards.view(who, card_id)
    names = registry.cards.actions_now(who, card_id)
    backdating = who.role is Role.CITY_HRSS
    defaults = _defaults(view, who)
    actions = [
        {
            "name": n,
            "title": TITLES.get(n, n),
            "summary": COMMANDS[n].summary,
            "fields": forms.fields_of(
                COMMANDS[n].request, backdating=backdating, defaults=defaults
            ),
        }
        for n in names
    ]
    if who.role in (Role.VENUE, Role.PAYING_OFFICE):
        actions.append(
            {
                "name": "redeem",
                "title": TITLES["redeem"],
                "summary": "Record the use of a service item at your venue (服务使用).",
                "fields": forms.fields_of(c.RedeemRequest, backdating=False),
            }
        )
    context: dict[str, Any] = {
        **_base(session, "find"),
        "view": view,
        "full": hasattr(view, "history"),
        "actions": actions,
        "entitlements": None,
        "balances": None,
        "qr": None,
        "credential": None,
        "refused": None,
        "refused_action": None,
    }
    if context["full"]:
        try:
            context["entitlements"] = registry.cards.entitlements(who, card_id)
            context["balances"] = registry.benefits.balances(who, card_id, None)
        except DomainError:
            pass  # a day no policy covers: the page shows the card without them
        # The issuing staff (the role the scheme's issuer rule names) hand the card over.
        issuing = "issue" in registry.cards.actions(who, card_id)
        if issuing and str(view.status) in ("active", "suspended"):
            try:
                registry.cards.check_holder_data(who, card_id)
                credential = registry.issuance.credential(card_id)
                context["credential"] = credential.text
                context["qr"] = credential.qr.svg_inline(scale=3, title="QR")
            except DomainError:
                pass  # no issuer key at hand: the page says so
    return context


@get("/console/cards/{card_id:uuid}", **_PAGE)
def card_page(
    request: Request[Any, Any, Any], state: State, card_id: FromPath[UUID]
) -> Response[str]:
    """A card: summary, timeline, entitlements, benefits, credential, and my actions."""
    session = session_of(request, state)
    return page("card.html", _card_context(session, state, card_id))


@post("/console/cards/{card_id:uuid}/{action:str}", **_PAGE)
def card_action(
    request: Request[Any, Any, Any],
    state: State,
    card_id: FromPath[UUID],
    action: FromPath[str],
    data: Form,
) -> Response[Any]:
    """Take an action on the card as the signed-in user; refused, the card page again
    with the refusal beside the form and what was typed kept."""
    session = session_of(request, state)
    check_csrf(request, session.csrf, data.get("csrf", ""))
    registry = registry_of(state)
    who = session.who
    command = COMMANDS.get(action)
    if action != "redeem" and (command is None or action == "apply"):
        raise InvalidInput(f"no card action {action[:40]!r}")
    request_type = c.RedeemRequest if action == "redeem" else command.request  # type: ignore[union-attr]
    fields = forms.fields_of(request_type, backdating=who.role is Role.CITY_HRSS)
    try:
        body = forms.request_from(request_type, fields, data)
        if action == "redeem":
            registry.benefits.redeem(who, card_id, body)  # type: ignore[arg-type]
        else:
            expected = _version(data.get("version", ""))
            registry.cards.run(who, command, card_id, body, expected=expected)  # type: ignore[arg-type]
    except (DomainError, msgspec.ValidationError, ValueError) as e:
        if isinstance(e, CardNotFound):
            raise
        try:
            context = _card_context(session, state, card_id)
        except DomainError:
            # A card the user may not read (a refusal of the user whatever the card, e.g.
            # a province's use): the refusal alone, as the API answers it.
            if isinstance(e, DomainError):
                raise e from None
            raise
        context["refused"] = _refusal(e) if isinstance(e, DomainError) else _invalid(e)
        context["refused_action"] = action
        context["typed"] = {k: v for k, v in data.items() if k != "csrf"}
        return page("card.html", context, status=_status_of(e))
    return redirect(f"/console/cards/{card_id}#timeline")


def _version(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _status_of(e: Exception) -> int:
    return status_of(e) if isinstance(e, DomainError) else 422


# ---- filing -------------------------------------------------------------------------------


@get("/console/file", **_PAGE)
def file_start(
    request: Request[Any, Any, Any],
    state: State,
    scheme: Annotated[str | None, text_query(40)] = None,
) -> Response[str]:
    """Filing, first question: which scheme, then which category."""
    session = session_of(request, state)
    context = _base(session, "file")
    chosen = _enum(Scheme, scheme, "scheme") if scheme else None
    today = registry_of(state).cards.today()
    context.update(
        schemes=values(Scheme),
        scheme=str(chosen) if chosen else "",
        categories=filing_questions(chosen, today) if chosen else [],
    )
    return page("file_start.html", context)


def _filing_parts(scheme: Scheme, category: str, today: Any) -> Any:
    for q in filing_questions(scheme, today):
        if q.category == category:
            return q
    raise InvalidInput(f"{scheme} has no category {category[:30]!r} in force today")


@get("/console/file/{scheme:str}/{category:str}", **_PAGE)
def file_form(
    request: Request[Any, Any, Any], state: State, scheme: FromPath[str], category: FromPath[str]
) -> Response[str]:
    """The application form for one scheme and category: its facts, each with its
    article, then holder, family, sponsor and evidence."""
    session = session_of(request, state)
    chosen = _enum(Scheme, scheme, "scheme")
    question = _filing_parts(chosen, category, registry_of(state).cards.today())
    return page("file_form.html", _filing_context(session, chosen, question, {}, None))


def _filing_context(
    session: ConsoleSession,
    scheme: Scheme,
    question: Any,
    typed: dict[str, str],
    error: dict[str, str] | None,
) -> dict[str, Any]:
    return {
        **_base(session, "file"),
        "scheme": str(scheme),
        "question": question,
        "typed": typed,
        "error": error,
        "sponsor_kinds": values(SponsorKind),
        # The family member's choices from its request type (a list typed here once
        # offered a relation the API refuses and none of spouse_parent).
        "relations": _FAMILY_CHOICES["relation"],
        "sexes": _FAMILY_CHOICES["sex"],
        "backdating": session.who.role is Role.CITY_HRSS,
    }


FAMILY_ROWS = 4
_FAMILY_CHOICES = {
    f.name: f.options for f in forms.fields_of(c.FamilyMemberIn, backdating=False) if f.options
}


def _application(scheme: Scheme, question: Any, form: dict[str, str]) -> c.ApplyRequest:
    """The application the form asks for, converted as the API converts a body."""
    if sum(len(v) for v in form.values()) > MAX_INPUT_BYTES:
        raise InvalidInput("the application is too large")
    facts: dict[str, Any] = {}
    for fact in question.facts:
        raw = form.get(f"fact.{fact.name}", "").strip()
        if fact.kind == "yes_no":
            if raw:
                facts[fact.name] = True
        elif raw:
            facts[fact.name] = fact_value(raw) if fact.kind == "number" else raw
    facts.update(forms.facts_of(form.get("more_facts", "")))
    family = []
    for i in range(FAMILY_ROWS):
        name = form.get(f"family.{i}.name", "").strip()
        if not name:
            continue
        member: dict[str, Any] = {
            "relation": form.get(f"family.{i}.relation", ""),
            "name": name,
            "date_of_birth": form.get(f"family.{i}.date_of_birth", ""),
        }
        if form.get(f"family.{i}.sex"):
            member["sex"] = form[f"family.{i}.sex"]
        family.append(member)
    body: dict[str, Any] = {
        "scheme": str(scheme),
        "category": question.category,
        "facts": facts,
        "holder": {
            "name": form.get("holder.name", ""),
            "id_number": form.get("holder.id_number", ""),
            "date_of_birth": form.get("holder.date_of_birth", ""),
            "family": family,
        },
        "sponsor": {
            "kind": form.get("sponsor.kind") or "none",
            "name": form.get("sponsor.name", ""),
            "credit_code": form.get("sponsor.credit_code", ""),
        },
        "evidence": [x.strip() for x in form.get("evidence", "").splitlines() if x.strip()],
        "note": form.get("note", ""),
    }
    for optional in ("programme", "project_id", "enterprise_id"):
        if form.get(optional, "").strip():
            body[optional] = form[optional].strip()
    if form.get("effective_at", "").strip():
        body["effective_at"] = forms.instant(form["effective_at"].strip(), "effective_at")
    return msgspec.convert(body, c.ApplyRequest, strict=False)


@post("/console/file/{scheme:str}/{category:str}", **_PAGE)
def file_submit(
    request: Request[Any, Any, Any],
    state: State,
    scheme: FromPath[str],
    category: FromPath[str],
    data: Form,
) -> Response[Any]:
    """``step=check``: the check-your-answers page; ``step=file``: file it as the
    signed-in user, then the new card's page."""
    session = session_of(request, state)
    check_csrf(request, session.csrf, data.get("csrf", ""))
    chosen = _enum(Scheme, scheme, "scheme")
    registry = registry_of(state)
    question = _filing_parts(chosen, category, registry.cards.today())
    typed = {k: v for k, v in data.items() if k not in ("csrf", "step")}
    if data.get("step") == "edit":
        return page("file_form.html", _filing_context(session, chosen, question, typed, None))
    try:
        application = _application(chosen, question, typed)
        if data.get("step") != "file":
            context = _filing_context(session, chosen, question, typed, None)
            context["answers"] = msgspec.to_builtins(application)
            return page("file_check.html", context)
        outcome = registry.cards.apply(session.who, application)
    except (DomainError, msgspec.ValidationError, ValueError) as e:
        error = _refusal(e) if isinstance(e, DomainError) else _invalid(e)
        context = _filing_context(session, chosen, question, typed, error)
        return page("file_form.html", context, status=_status_of(e))
    return redirect(f"/console/cards/{outcome.card_id}")


CONSOLE_PAGES = [
    console_home,
    sign_in_page,
    sign_in,
    sign_out,
    my_work,
    approvals,
    find_card,
    card_page,
    card_action,
    file_start,
    file_form,
    file_submit,
]
__all__ = ["CONSOLE_PAGES"]
