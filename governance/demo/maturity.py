"""Riverside weighs measurement and value realisation double (the program exists to
prove value), and has assessed itself four times, six months apart, rising from 1.40 to 2.10
"Developing"; its 12-month target is 3.10 "Advanced". The history and the target are written
through the services once, when there is no assessment yet, and the weights only while no admin
has set any, so that what people record in the demo survives the next `make run`.
"""

import datetime
from decimal import Decimal

from governance import selectors, services
from governance.models import MaturityAssessment, MaturityWeight
from informatics.demo import Writer
from informatics.models import User
from informatics.services import site_today

CMIO = "cmio@riverside.example"
ADMIN = "admin@riverside.example"

WEIGHTS = {"measurement": Decimal(2)}

# Dimensions in the order of MaturityDimension: strategic alignment, governance, intake,
# physician engagement, measurement, data and analytics, CDS and AI, training, burden.
DIMENSIONS = (
    "strategic_alignment",
    "governance",
    "intake",
    "physician_engagement",
    "measurement",
    "data_analytics",
    "cds_ai",
    "training",
    "clinician_burden",
)
HISTORY = (  # months ago, scores, note
    (19, (1.5, 1.5, 1.5, 1.5, 1.0, 1.5, 1.5, 1.5, 1.5), "Baseline, before the joint review."),
    (13, (2.0, 2.0, 1.5, 1.5, 1.5, 2.0, 1.5, 1.5, 1.5), "Steering charter signed."),
    (7, (2.5, 2.0, 2.0, 2.0, 1.5, 2.0, 1.5, 2.0, 1.5), "Intake portal live for all sites."),
    (1, (2.5, 2.5, 2.0, 2.0, 2.0, 2.5, 1.5, 2.0, 2.0), "First value reports issued monthly."),
)
TARGET = (3.5, 3.5, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0)
NEXT_ACTIONS = (
    "Tie every initiative's benefit plan to one of the seven priorities before approval.",
    "Run the joint CMO-CMIO review monthly with an agenda built from the portfolio.",
    "Score every request with the rubric within the triage SLA at all four hospitals.",
    "Stand up a physician advisory council per hospital with protected time.",
    "Publish SPC charts with targets for every live initiative in the value report.",
    "Move the value report's figures to the governed warehouse with data-through dates.",
    "Bring every predictive model under the AI governance committee's inventory.",
    "Offer personalisation sessions to every physician within 90 days of a go-live.",
    "Measure inbox and after-hours EHR time per specialty and set a reduction target.",
)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _scores(values: tuple[float, ...]) -> dict[str, Decimal]:
    return {d: Decimal(str(v)) for d, v in zip(DIMENSIONS, values, strict=True)}


def seed(*, stdout: Writer) -> None:
    """Seed the maturity weights, history and 12-month target (once)."""
    today = site_today()
    people = {user.email: user for user in User.objects.filter(email__in=[CMIO, ADMIN])}
    if not MaturityWeight.objects.exists():
        services.maturity_weights_set(actor=people[ADMIN], weights=WEIGHTS)
    if MaturityAssessment.objects.exists():
        stdout.write("Maturity: history already present, left as it is.\n")
        return
    for months_ago, values, note in HISTORY:
        services.maturity_assessment_record(
            actor=people[CMIO],
            assessed_on=_months_before(today, months_ago),
            scores=_scores(values),
            note=note,
        )
    set_on = _months_before(today, HISTORY[-1][0])
    services.maturity_target_set(
        actor=people[CMIO],
        assessed_on=set_on,
        due_on=set_on.replace(year=set_on.year + 1),
        scores=_scores(TARGET),
        next_actions=dict(zip(DIMENSIONS, NEXT_ACTIONS, strict=True)),
        note="Agreed at the joint CMO-CMIO review.",
    )
    shown = selectors.maturity_overview()
    now, aim = shown.current, shown.target
    stdout.write(
        f"Maturity: {len(HISTORY)} assessments, now {now.overall if now else '-'} "
        f"{now.level_name if now else ''}; 12-month target {aim.overall if aim else '-'} "
        f"{aim.level_name if aim else ''}.\n"
    )
