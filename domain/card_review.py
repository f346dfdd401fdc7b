"""A card's review (审核): the stages decide in the order the path sets, each by its own
role, after the file was received where the path says so, jointly where it says so; an
upgrade request's stages decide in their own order the same way."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from domain.card_guards import check_joint, check_reviewer
from domain.errors import IllegalTransition
from domain.policy.model import JointStage
from domain.values import Context, Review, StageReached, UpgradeRequest
from domain.vocabulary import CardStatus, ReviewStage, Role


class Path(Protocol):
    """What the review reads of the path decided at filing (``domain.card.Admission``)."""

    @property
    def required_stages(self) -> tuple[ReviewStage, ...]: ...
    @property
    def rules(self) -> tuple[str, ...]: ...
    @property
    def policy_version(self) -> str: ...
    @property
    def intake(self) -> Role | None: ...
    @property
    def intake_before(self) -> ReviewStage | None: ...
    @property
    def joint(self) -> tuple[JointStage, ...]: ...


def check_review(
    ctx: Context,
    review: Review,
    expected: ReviewStage | None,
    path: Path,
    received_by: Collection[Role],
) -> None:
    """Refuse a review out of the path's order (``expected``: the next stage, None when
    every stage has approved), by another role, before the intake body received the file,
    or a joint stage's review that leaves out a department."""
    rules, intake, intake_before = path.rules, path.intake, path.intake_before
    if expected is None:
        raise IllegalTransition(
            "every required review stage has already approved; the card can be issued",
            code="review_complete",
        )
    if review.stage != expected:
        raise IllegalTransition(
            f"the next review stage is {expected}, not {review.stage}",
            code="review_out_of_order",
            rule=", ".join(rules),
        )
    check_reviewer(ctx, review, rules)
    if (
        intake is not None
        and intake not in received_by
        and (intake_before is None or review.stage == intake_before)
    ):
        where = (
            f"before the {intake_before} decides" if intake_before else "before any stage decides"
        )
        raise IllegalTransition(
            f"the {intake} must first receive the file (受理) {where}",
            code="file_not_received",
            rule=", ".join(rules),
        )
    check_joint(path.joint, rules, review)


def upgrade_in_review(
    request: UpgradeRequest | None, recorded: CardStatus
) -> UpgradeRequest | None:
    """The upgrade request a review decides: the open one of an active card (Liaocheng
    art. 32); None while the application itself is under review."""
    return request if request is not None and recorded is CardStatus.ACTIVE else None


def next_upgrade_stage(
    request: UpgradeRequest, approved: Sequence[ReviewStage]
) -> ReviewStage | None:
    """The stage of an upgrade request that decides next, or None once all approved."""
    waiting = request.stages[len(approved) :]
    return waiting[0] if waiting else None


def check_upgrade_review(
    ctx: Context, review: Review, request: UpgradeRequest, approved: Sequence[ReviewStage]
) -> None:
    """Refuse a review of an upgrade request out of its stages' order or by another role."""
    expected = next_upgrade_stage(request, approved)
    if expected is None:
        raise IllegalTransition(
            "every stage of the upgrade request has approved; the card can be upgraded",
            code="review_complete",
        )
    if review.stage != expected:
        raise IllegalTransition(
            f"the upgrade request's next stage is {expected}, not {review.stage}",
            code="review_out_of_order",
            rule=", ".join(request.rules),
        )
    check_reviewer(ctx, review, request.rules)


def reached_of(approved: int, path: Path) -> StageReached:
    """Where the path stands when its stage number ``approved`` (from 0) decides."""
    return StageReached(
        position=approved,
        required_stages=path.required_stages,
        rules=path.rules,
        policy_version=path.policy_version,
    )
