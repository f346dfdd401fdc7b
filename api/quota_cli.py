"""``talentcard quota show`` and ``quota raise``: project and enterprise quotas (名额)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from api.cli_caller import add_key_option, caller
from api.cli_errors import terminal_safe
from api.cli_input import common, request_of, values
from domain.vocabulary import Scheme

if TYPE_CHECKING:
    from services.bootstrap import Registry


def add_quota_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``quota show`` and ``quota raise``."""
    quota = sub.add_parser("quota", help="project and enterprise quotas (名额)").add_subparsers(
        title="quota"
    )
    for name, help_text in (
        ("show", "cards counted against a quota"),
        ("raise", "record a case-by-case decision raising a quota"),
    ):
        p = quota.add_parser(name, help=help_text)
        add_key_option(p)
        p.add_argument("--scheme", choices=values(Scheme), required=name == "show")
        p.add_argument("--category", required=name == "show")
        p.add_argument("--project-id")
        p.add_argument("--enterprise-id")
        if name == "raise":
            p.add_argument("--limit", type=int)
            p.add_argument("--decision-ref", help="the case-by-case decision document")
            p.add_argument(
                "--attests",
                action="append",
                default=[],
                metavar="WHAT",
                help="what the decision attests of the project (major_project: 重大项目)",
            )
            p.add_argument("--json", dest="json_file", metavar="FILE")
            p.add_argument("--note")
            p.set_defaults(run=_quota_raise)
        else:
            p.set_defaults(run=_quota_show)


def _quota_raise(args: argparse.Namespace, registry: Registry) -> None:
    fields = common(args)
    fields.update(
        scheme=args.scheme,
        category=args.category,
        project_id=args.project_id,
        enterprise_id=args.enterprise_id,
        limit=args.limit,
        decision_ref=args.decision_ref,
        attests=args.attests,
    )
    from ledger.commands import QuotaRaiseRequest

    who, request = request_of(args, registry, fields, QuotaRaiseRequest)
    quota = registry.quotas.raise_limit(who, request)
    print(
        f"quota {terminal_safe(quota.key)}: limit raised to {quota.limit_raised_to}, "
        f"{len(quota.holders)} in use (version {quota.version})"
    )


def _quota_show(args: argparse.Namespace, registry: Registry) -> None:
    quota = registry.quotas.show(
        caller(args, registry),
        Scheme(args.scheme),
        args.category,
        args.project_id or "",
        args.enterprise_id or "",
    )
    print(f"quota {terminal_safe(quota.key)}: {quota.reason}")
    for card_id in quota.holders:
        print(f"  {card_id}")
