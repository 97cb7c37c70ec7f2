"""The maturity page: profile, radar (server SVG), target, history and next-level actions; its
forms for those allowed; its query count whatever the length of the history."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from governance.choices import MaturityDimension
from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from governance.radar import RadarSeries, radar_svg
from informatics.models import AuditEvent, User
from tests.conftest import snapshot
from tests.governance.factories import DONE_WHEN_SCORES, assess, scores, target

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = reverse("governance:maturity-overview")
TABLES = (MaturityAssessment, MaturityScore, MaturityWeight, AuditEvent)


def _posted_scores(values: dict[str, str]) -> dict[str, str]:
    return {"assessed_on": "2026-06-10", **values}


def test_the_page_shows_the_overall_history_and_target(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    assess(users["cmio"], datetime.date(2025, 12, 1), scores("1.5"), note="Baseline review.")
    assess(users["cmo"], TODAY, DONE_WHEN_SCORES)
    target(
        users["cmo"],
        TODAY,
        scores("3.0", "3.5", "3.0", "3.0", "3.0", "3.0", "3.0", "3.0", "3.0"),
        next_actions={"governance": "Run the joint review monthly."},
    )

    response = client_for("executive").get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'id="maturity-overall">2\.11<', page)
    assert re.search(r'id="maturity-level">Developing<', page)
    assert "12-month target <strong>3.06</strong>" in page  # 27.5 / 9 = 3.055… → 3.06
    assert 'datetime="2027-06-15"' in page  # the target's due date
    history = page.split('id="maturity-history"')[1].split("</table>")[0]
    assert history.index("15 Jun 2026") < history.index("1 Dec 2025")
    assert "Baseline review." in history
    assert ">1.50<" in history
    assert ">2.11<" in history
    assert "Run the joint review monthly." in page
    assert page.count('class="radar__series ') == 2  # current and target
    assert "Record an assessment" not in page  # an executive reads only
    assert "Weights of the overall score" not in page


def test_the_radar_draws_one_polygon_per_profile_and_escapes_its_labels() -> None:
    svg = radar_svg(
        title="<Profile>",
        axes=[("a", "Data & <analytics>"), ("b", "B"), ("c", "C")],
        series=[
            RadarSeries(
                name="Now <2>", css_class="radar__series--current", scores={"a": Decimal(2)}
            ),
            RadarSeries(name="Target", css_class="radar__series--target", scores={"a": Decimal(4)}),
        ],
    )

    assert svg.count('<polygon class="radar__series ') == 2
    assert "Data &amp; &lt;analytics&gt;" in svg
    assert "<analytics>" not in svg
    assert "<Profile>" not in svg
    assert "Now <2>" not in svg
    assert "&lt;Profile&gt;" in svg
    assert "<script" not in svg
    assert "style=" not in svg
    # Axis a points straight up from the centre (380, 220): score 4 at the rim (170 px out).
    assert 'points="380.0,50.0 380.0,220.0 380.0,220.0"' in svg


def test_the_cmio_records_an_assessment_through_the_page(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    response = client_for("cmio").post(
        reverse("governance:maturity-assess"), _posted_scores(DONE_WHEN_SCORES)
    )

    assert response.status_code == 302
    assessment = MaturityAssessment.objects.get()
    assert assessment.assessed_by == users["cmio"]
    assert assessment.assessed_on == datetime.date(2026, 6, 10)
    assert client_for("cmio").get(URL).content.decode().count('class="radar__series ') == 1


def test_a_score_off_the_steps_goes_back_on_the_form_naming_the_dimension(
    client_for: Callable[[str], Client],
) -> None:
    posted = _posted_scores({**DONE_WHEN_SCORES, "training": "2.25"})

    response = client_for("cmo").post(reverse("governance:maturity-assess"), posted)

    assert response.status_code == 200
    assert "Training and personalisation: 2.25 is not a score" in response.content.decode()
    assert not MaturityAssessment.objects.exists()


def test_a_champion_cannot_see_the_page_nor_record_an_assessment(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    assess(users["cmio"], TODAY, DONE_WHEN_SCORES)
    before = snapshot(*TABLES)
    champion = client_for("champion")

    assert champion.get(URL).status_code == 403
    posted = champion.post(reverse("governance:maturity-assess"), _posted_scores(DONE_WHEN_SCORES))

    assert posted.status_code == 403
    assert snapshot(*TABLES) == before


def test_only_an_admin_edits_the_weights_through_the_page(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    assess(users["cmio"], TODAY, DONE_WHEN_SCORES)
    weights = {**dict.fromkeys(MaturityDimension.values, "1"), "strategic_alignment": "3"}
    before = snapshot(*TABLES)

    refused = client_for("cmo").post(reverse("governance:maturity-weights"), weights)

    assert refused.status_code == 403
    assert snapshot(*TABLES) == before

    saved = client_for("admin").post(reverse("governance:maturity-weights"), weights)

    assert saved.status_code == 302
    page = client_for("admin").get(URL).content.decode()
    # (3×2.0 + 17.0) / 11 = 23 / 11 = 2.0909… → 2.09
    assert re.search(r'id="maturity-overall">2\.09<', page)
    assert "Weights of the overall score" in page


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_reads_a_fixed_number_of_queries(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(count):
        assess(users["cmio"], TODAY - datetime.timedelta(days=30 * n), scores("2.0"))
    target(users["cmo"], TODAY, scores("3.0"))
    client = client_for("cmo")
    client.get(URL)  # the site settings row is made and cached on the first page

    # 1 session, 2 user, 3 roles; 4 weights; 5 history count, 6 history page, 7 its scores;
    # 8 latest target, 9 its scores; 10-12 the session saved (savepoint, update, release).
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    # Page 2 also reads the latest assessment (10) and its scores (11).
    with django_assert_num_queries(12 if count <= 12 else 14):
        client.get(URL, {"page": 2})


def test_the_cmo_sets_the_target_with_next_level_actions_through_the_page(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    posted = {
        **_posted_scores(dict.fromkeys(MaturityDimension.values, "3")),
        "due_on": "2027-06-10",
        "cds_ai_actions": "Inventory every model <in production>.",
    }

    response = client_for("cmo").post(reverse("governance:maturity-target"), posted)

    assert response.status_code == 302
    saved = MaturityAssessment.objects.get()
    assert saved.due_on == datetime.date(2027, 6, 10)
    page = client_for("cmo").get(URL).content.decode()
    assert "Inventory every model &lt;in production&gt;." in page
    assert "12-month target <strong>3.00</strong>" in page


def test_weights_all_zero_go_back_on_the_form_and_nothing_changes(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    before = snapshot(*TABLES)

    response = client_for("admin").post(
        reverse("governance:maturity-weights"), dict.fromkeys(MaturityDimension.values, "0")
    )

    assert response.status_code == 200
    assert "At least one dimension must weigh more than 0." in response.content.decode()
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (datetime.date(2026, 6, 15), datetime.date(2027, 6, 15)),
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (datetime.date(2027, 12, 31), datetime.date(2028, 12, 31)),
    ],
)
def test_the_target_form_proposes_a_due_date_a_year_on(
    today: datetime.date, due: datetime.date
) -> None:
    from governance.forms import MaturityTargetForm

    assert MaturityTargetForm(today=today).fields["due_on"].initial == due
