"""The suite passes on any day: a test module that writes a date runs under a clock it states.

A date literal in a test ages: "due 1 December 2026" is in the future when the test is written
and in the past a few weeks later, and a test that compares it with the real today changes its
answer on that day. So every test module holding a date literal states the clock its tests run
on — a module-level `pytest.mark.time_machine(NOW)` (time-machine's marker: the clock starts at
NOW and ticks) — and tests that need "today" without a literal compute it from the clock.
Modules whose literals never meet the clock (formatting, parsing, the clock tools themselves)
are listed below with the reason. `TEST_NOW=… make test` and CI's moved-clock pass prove the
rest (tests/conftest.py)."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

# date(2026, …), datetime(2026, …), "2026-03-02…": a calendar date written into a test.
DATE_LITERAL = re.compile(r"""\bdate(?:time)?\(\s*(?:19|20)\d\d\s*,|["'](?:19|20)\d\d-\d\d-\d\d""")

# Modules with date literals and no module clock, each with why its literals never meet the
# clock. A module leaves this list by losing its literals or gaining a clock.
NO_CLOCK_NEEDED = {
    "tests/conftest.py": "examples of TEST_NOW in the message for a malformed value",
    "tests/test_clock.py": "the pattern this test looks for, in its own docstring",
    "tests/ops/test_awkward_now.py": "tests of the clock tools: instants drawn and read back",
    "tests/informatics/test_export.py": "how a date is written into a CSV cell: formatting only",
    "tests/informatics/test_permissions.py": (
        "a priority's horizon in the create form: stored as given, never compared with today"
    ),
    "tests/metrics/test_import_helpers.py": (
        "builders of import files (CSV rows, FHIR reports) with default periods; the modules "
        "that import those files state their clocks"
    ),
    "tests/metrics/factories.py": (
        "default periods of measurements and notes in 2024, history for every clock the suite "
        "runs on (module clocks in 2026, TEST_NOW draws from last year on); a target's due "
        "date is computed from the clock"
    ),
    "tests/informatics/test_export_files.py": (
        "the same rows written at two travelled instants give the same bytes: each test moves "
        "the clock itself"
    ),
    "tests/informatics/test_jobs.py": (
        "the reconciler's and lease tests travel to NOW themselves (tick=False); the rest "
        "never read the clock"
    ),
    "tests/reports/payloads.py": (
        "a sample report payload for the renderer's tests: its dates are text to render"
    ),
    "tests/reports/report_world.py": (
        "a report world for November 2026, built by modules that state their clocks"
    ),
    "tests/reports/test_render.py": (
        "a payload rendered at two travelled instants gives the same files: each test moves "
        "the clock itself"
    ),
    "tests/reports/test_report_schedule.py": (
        "month close and reconciliation at chosen instants: every test travels to its own"
    ),
    "tests/metrics/page_world.py": (
        "a metric page's rows, built by tests/metrics/test_views*.py, which state their clocks"
    ),
}


def module_clock(tree: ast.Module) -> bool:
    """Whether the module sets `pytestmark` to (a list holding) pytest.mark.time_machine(…)."""
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            continue
        for call in ast.walk(node.value):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "time_machine"
            ):
                return True
    return False


def modules() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(REPO)), path.read_text(encoding="utf-8"))
        for path in sorted(TESTS.rglob("*.py"))
    ]


def test_every_module_with_a_date_literal_states_its_clock() -> None:
    unclocked = [
        name
        for name, text in modules()
        if DATE_LITERAL.search(text)
        and not module_clock(ast.parse(text))
        and name not in NO_CLOCK_NEEDED
    ]

    assert unclocked == [], (
        "These test modules write dates but state no clock: add "
        "`pytestmark = pytest.mark.time_machine(NOW)` or compute the dates from the clock"
    )


def test_the_exemptions_still_hold_a_literal_and_no_clock() -> None:
    """An exemption that no longer applies is removed, so the list stays the truth."""
    texts = dict(modules())

    stale = [
        name
        for name in NO_CLOCK_NEEDED
        if name not in texts
        or not DATE_LITERAL.search(texts[name])
        or module_clock(ast.parse(texts[name]))
    ]

    assert stale == []


def test_the_check_sees_a_literal_and_a_clock() -> None:
    assert DATE_LITERAL.search("due_date=datetime.date(2026, 12, 1)")
    assert DATE_LITERAL.search('{"period_start": "2025-05-01"}')
    assert DATE_LITERAL.search("datetime.datetime(2026, 3, 2, 9, 0)")
    assert not DATE_LITERAL.search("timezone.localdate() + datetime.timedelta(days=90)")
    assert not DATE_LITERAL.search("update(2026, 3)")

    assert module_clock(ast.parse("pytestmark = pytest.mark.time_machine(NOW)"))
    assert module_clock(
        ast.parse("pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]")
    )
    assert not module_clock(ast.parse("pytestmark = pytest.mark.django_db"))
    assert not module_clock(ast.parse("def test():\n    pytestmark = pytest.mark.time_machine(1)"))
