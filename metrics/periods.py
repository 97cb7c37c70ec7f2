"""Reporting periods of a metric's frequency: calendar months and quarters, weeks from Monday
to Sunday; survey waves have no calendar. Used to check a hand-entered period and to tell
when a metric's data is overdue (pure date arithmetic, no queries)."""

import datetime

from metrics.choices import MetricFrequency

DAY = datetime.timedelta(days=1)


def month_start(day: datetime.date, months: int = 0) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_containing(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The (start, end) of the period of `frequency` that contains `day`. Survey waves have no
    calendar: the "period" is the day itself."""
    if frequency == MetricFrequency.MONTHLY:
        start = month_start(day)
        return start, month_start(day, 1) - DAY
    if frequency == MetricFrequency.QUARTERLY:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return start, month_start(start, 3) - DAY
    if frequency == MetricFrequency.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    return day, day


def period_is_regular(frequency: str, start: datetime.date, end: datetime.date) -> bool:
    """Whether start–end is exactly one period of `frequency` (any span for survey waves)."""
    if frequency == MetricFrequency.WAVE:
        return end >= start
    return period_containing(frequency, start) == (start, end)


def period_label(frequency: str) -> str:
    """How a period of `frequency` is described in messages."""
    return {
        MetricFrequency.MONTHLY: "a calendar month (the 1st to its last day)",
        MetricFrequency.QUARTERLY: "a calendar quarter (e.g. 1 January to 31 March)",
        MetricFrequency.WEEKLY: "a week from Monday to Sunday",
    }.get(MetricFrequency(frequency), "a wave")


def is_complete(period_end: datetime.date, lag_days: int, today: datetime.date) -> bool:
    """A period's data is complete once `lag_days` have passed after it ended:
    period_end + lag < today."""
    return period_end + datetime.timedelta(days=lag_days) < today


def due_period_end(frequency: str, lag_days: int, today: datetime.date) -> datetime.date | None:
    """The end of the latest period whose data should be complete by `today` (its end plus
    the lag is before today); None for survey waves, which have no schedule."""
    if frequency == MetricFrequency.WAVE:
        return None
    latest = today - datetime.timedelta(days=lag_days) - DAY
    start, end = period_containing(frequency, latest)
    return end if end == latest else start - DAY


def next_period_end(frequency: str, period_end: datetime.date) -> datetime.date | None:
    """The end of the period after the one ending `period_end` (None for survey waves)."""
    if frequency == MetricFrequency.WAVE:
        return None
    return period_containing(frequency, period_end + DAY)[1]
