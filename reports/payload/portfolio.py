"""The payload's portfolio: the initiatives of the report's scope with their stage, latest health
and benefit, worst first."""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef, Subquery

from initiatives.choices import Health, Stage
from initiatives.models import BenefitLine, Initiative, InitiativePriority, StatusUpdate
from reports.payload.common import HEALTH_KEYS, HEALTH_RANK, MAX_ROWS, MAX_SOURCES, number, ref


def portfolio_section(*, priority_id: int | None) -> list[dict[str, Any]]:
    """Per priority (an initiative under each priority it is aligned to; "none" for those
    aligned to none): stage and health counts and the benefit lines, locked target against
    realised. Four queries."""
    alignments = InitiativePriority.objects.all()
    if priority_id is not None:
        alignments = alignments.filter(priority_id=priority_id)
    pairs = list(
        alignments.values_list("priority_id", "priority__title", "initiative_id").order_by(
            "priority__rank", "priority_id", "initiative_id"
        )[: MAX_ROWS * 5]
    )
    by_priority: dict[int | None, list[int]] = defaultdict(list)
    titles: dict[int | None, str] = {}
    for aligned_id, title, initiative_id in pairs:
        by_priority[aligned_id].append(initiative_id)
        titles[aligned_id] = title
    if priority_id is None:
        unaligned = list(
            Initiative.objects.filter(alignments__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[: MAX_ROWS * 5]
        )
        if unaligned:
            by_priority[None] = unaligned
    initiative_ids = {pk for ids in by_priority.values() for pk in ids}
    latest = StatusUpdate.objects.filter(initiative=OuterRef("pk")).order_by("-at", "-pk")
    initiatives = {
        row["pk"]: row
        for row in Initiative.objects.filter(pk__in=initiative_ids)
        .annotate(
            h_schedule=Subquery(latest.values("schedule")[:1]),
            h_scope=Subquery(latest.values("scope")[:1]),
            h_budget=Subquery(latest.values("budget")[:1]),
            h_adoption=Subquery(latest.values("adoption")[:1]),
        )
        .values("pk", "title", "stage", "h_schedule", "h_scope", "h_budget", "h_adoption")
    }
    benefits: dict[int, list[BenefitLine]] = defaultdict(list)
    for line in BenefitLine.objects.filter(initiative_id__in=initiative_ids).order_by(
        "initiative_id", "pk"
    )[: MAX_ROWS * 5]:
        benefits[line.initiative_id].append(line)
    sections = []
    for pid, ids in by_priority.items():
        stages = {str(stage): 0 for stage in Stage.values}
        health = {"green": 0, "amber": 0, "red": 0, "none": 0}
        lines = []
        for pk in ids:
            row = initiatives[pk]
            stages[row["stage"]] += 1
            health[_health(row)] += 1
            for line in benefits[pk]:
                lines.append(
                    {
                        "initiative_id": pk,
                        "line_id": line.pk,
                        "description": line.description,
                        "locked_target": number(line.locked_target),
                        "realised": None,
                        "sources": [ref("benefit_line", line.pk, line.description)],
                    }
                )
        refs = [ref("initiative", pk, initiatives[pk]["title"]) for pk in ids[:MAX_SOURCES]]
        if pid is not None:
            refs.insert(0, ref("priority", pid, titles[pid]))
        sections.append(
            {
                "priority": None if pid is None else {"id": pid, "name": titles[pid]},
                "stages": stages,
                "health": health,
                "benefits": lines[:MAX_ROWS],
                "sources": refs,
            }
        )
    return sections


def _health(row: Mapping[str, Any]) -> str:
    """The worst dimension of the latest status update; "none" without one."""
    values = [row[name] for name in ("h_schedule", "h_scope", "h_budget", "h_adoption")]
    known = [value for value in values if value in HEALTH_RANK]
    if not known:
        return "none"
    return HEALTH_KEYS[Health(max(known, key=lambda value: HEALTH_RANK[value]))]
