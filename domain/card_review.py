"""A card's review (审核): the stages decide in the order the path sets, each by its own
role, after the file was received where the path says so, jointly where it says so; an
upgrade request's stages decide in their own order the same way."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from domain.card_guards import check_joint, check_reviewer
from domain.errors import IllegalTransition
from domain.policy.model import JointStage
from domain.values import Context, Review, UpgradeRequest
from domain.vocabulary import ReviewStage, Role


def check_review(
    ctx: Context,
    review: Review,
    *,
    expected: ReviewStage | None,
    rules: Sequence[str],
    intake: Role | None,
    intake_before: ReviewStage | None,
    received_by: Collection[Role],
    joint: Sequence[JointStage],
) -> None:
    """Refuse a review out of the path's order (``expected``: the next stage, None when
    every stage has approved), by another role, before the intake body received the file,
    or a joint stage's review that leaves out a department."""
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
    check_joint(joint, rules, review)


def check_upgrade_review(
    ctx: Context, review: Review, request: UpgradeRequest, approved: Sequence[ReviewStage]
) -> None:
    """Refuse a review of an upgrade request out of its stages' order or by another role."""
    position = len(approved)
    if position >= len(request.stages):
        raise IllegalTransition(
            "every stage of the upgrade request has approved; the card can be upgraded",
            code="review_complete",
        )
    expected = request.stages[position]
    if review.stage != expected:
        raise IllegalTransition(
            f"the upgrade request's next stage is {expected}, not {review.stage}",
            code="review_out_of_order",
            rule=", ".join(request.rules),
        )
    check_reviewer(ctx, review, request.rules)
