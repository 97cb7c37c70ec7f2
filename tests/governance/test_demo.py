"""Governance's demo (governance/demo.py): Riverside's maturity history ends at 2.10
"Developing" with a 12-month target of 3.10, made through the services; a second run adds
nothing and keeps what people recorded since."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest

from governance import demo, selectors
from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from informatics import demo as kernel_demo
from informatics.models import AuditEvent, User
from tests.conftest import snapshot

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TABLES = (MaturityAssessment, MaturityScore, MaturityWeight, AuditEvent)


def seed() -> str:
    out = StringIO()
    kernel_demo.seed(stdout=out)
    demo.seed(stdout=out)
    return out.getvalue()


def test_the_history_ends_at_2_1_developing_with_a_target_of_3_1() -> None:
    output = seed()

    shown = selectors.maturity_overview()
    assert shown.current is not None
    assert shown.target is not None
    assert shown.current.overall == Decimal("2.10")
    assert shown.current.level_name == "Developing"
    assert shown.target.overall == Decimal("3.10")
    assert shown.target.level_name == "Advanced"
    assert shown.target.assessment.due_on == datetime.date(2027, 5, 1)
    assert [p.overall for p in shown.history] == [
        Decimal("2.10"),
        Decimal("1.85"),
        Decimal("1.65"),
        Decimal("1.40"),
    ]
    assert all(row.next_actions for row in shown.dimensions)
    assert selectors.maturity_weights()["measurement"] == Decimal(2)
    cmio = User.objects.get(email="cmio@riverside.example")
    assert {p.assessment.assessed_by for p in shown.history} == {cmio}
    assert "Maturity: 4 assessments, now 2.10 Developing; 12-month target 3.10 Advanced." in output


def test_running_again_adds_nothing_and_keeps_later_records() -> None:
    seed()
    before = snapshot(*TABLES)

    output = seed()

    assert snapshot(*TABLES) == before
    assert "Maturity: history already present, left as it is." in output
