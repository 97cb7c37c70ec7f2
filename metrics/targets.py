"""Which target a metric's series is judged against: one rule, used by the roll-up job (which
stores the target's value on the series, as the catalogue and the API list show it) and by the
metric page and the SPC read (which show the target itself). Both pass the site's today
(`informatics.services.site_today`, the organisation's time zone), so they always agree."""

import datetime
from collections.abc import Iterable

from metrics.models import Target


def applicable_target(
    targets: Iterable[Target], *, facility_id: int, today: datetime.date
) -> Target | None:
    """The target of one metric that `facility_id`'s series is judged against on `today`:

    1. the facility's own targets when it has any (even if all are past), else the
       system-wide ones (facility blank); a parent facility's targets are not inherited;
    2. of those, the one due soonest on or after `today` (a target due today is not yet past);
    3. when every one is past, the one due last.

    A target is unique per metric, facility and due date, so two candidates never share a due
    date; should they, the higher id wins, so the answer never depends on the rows' order."""
    rows = list(targets)
    candidates = [t for t in rows if t.facility_id == facility_id] or [
        t for t in rows if t.facility_id is None
    ]
    upcoming = [t for t in candidates if t.due_date >= today]
    if upcoming:
        return min(upcoming, key=lambda t: (t.due_date, -t.pk))
    return max(candidates, key=lambda t: (t.due_date, t.pk), default=None)
