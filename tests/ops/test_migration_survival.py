"""scripts/migration-survival: its comparison of row counts before and after a migration (on
made-up counts: a lost row, a dropped or renamed table, Django's own tables growing, the
request ↔ initiative link becoming rows of its own table, content types keeping their ids),
and the two snippets it runs in a checkout, here on this code. The whole run (a base commit's
database, seeded, migrated by this checkout) takes about a minute and is a CI step of its own
(.ci/run, "Migrations: data survives")."""

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model

from initiatives.models import Initiative
from tests.conftest import data_for_module
from tests.ops.conftest import PYTHON, REPO, base_env

SCRIPT = REPO / "scripts" / "migration-survival"


def load_script() -> ModuleType:
    loader = SourceFileLoader("migration_survival", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


survival = load_script()

TABLES = {
    "auth_permission": 160,
    "django_content_type": 40,
    "django_migrations": 38,
    "informatics_auditevent": 577,
    "initiatives_initiative": 26,
    "initiatives_intakerequest": 15,
    "initiatives_requestvote": 23,
    "metrics_measurement": 1377,
}
CONTENT_TYPES = {"7": "informatics.auditevent", "12": "initiatives.intakerequest"}
LINKED = "initiatives_intakerequest.initiative_id"


def counts(
    tables: dict[str, int] | None = None,
    *,
    derived: dict[str, int] | None = None,
    content_types: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Counts as the script's COUNT_SNIPPET writes them."""
    return {
        "vendor": "sqlite",
        "tables": dict(TABLES if tables is None else tables),
        "derived": {LINKED: 9} if derived is None else derived,
        "content_types": dict(CONTENT_TYPES if content_types is None else content_types),
    }


def statuses(lines: list[Any]) -> dict[str, str]:
    return {line.table: line.status for line in lines}


def failures(lines: list[Any]) -> dict[str, str]:
    return {line.table: line.status for line in lines if line.failed}


def test_the_same_counts_after_pass() -> None:
    before = counts()

    lines = survival.compare(before, counts())

    assert set(statuses(lines).values()) == {"ok"}
    assert [line.table for line in lines] == sorted(TABLES)
    ok, text = survival.summary(lines, before)
    assert ok
    assert text.startswith("Every row survived: 8 tables, 2256 rows before.")
    # The link rule had nothing to check against, and says so.
    assert f"{LINKED} was set on 9 rows before" in text


def test_a_lost_row_fails_naming_its_table() -> None:
    before = counts()
    after = counts(TABLES | {"initiatives_requestvote": 22})

    lines = survival.compare(before, after)

    assert failures(lines) == {"initiatives_requestvote": "LOST"}
    ok, text = survival.summary(lines, before)
    assert not ok
    assert "initiatives_requestvote: LOST (1 rows lost)" in text
    row = next(line for line in survival.report(lines).splitlines() if "requestvote" in line)
    assert row.split()[:4] == ["initiatives_requestvote", "23", "22", "LOST"]


def test_rows_a_migration_adds_to_a_data_table_fail_too() -> None:
    after = counts(TABLES | {"metrics_measurement": 1378})

    lines = survival.compare(counts(), after)

    assert failures(lines) == {"metrics_measurement": "MORE"}


def test_djangos_own_tables_may_grow_but_never_shrink() -> None:
    grown = TABLES | {"django_migrations": 41, "django_content_type": 41, "auth_permission": 164}

    lines = survival.compare(counts(), counts(grown))

    assert failures(lines) == {}
    assert statuses(lines)["django_migrations"] == "grew"
    assert statuses(lines)["auth_permission"] == "grew"

    shrunk = survival.compare(counts(), counts(TABLES | {"django_migrations": 37}))
    assert failures(shrunk) == {"django_migrations": "LOST"}


def test_a_table_that_is_gone_fails_unless_it_was_renamed() -> None:
    moved = {
        ("intake_intakerequest" if name == "initiatives_intakerequest" else name): count
        for name, count in TABLES.items()
    }
    renames = {"initiatives_intakerequest": "intake_intakerequest"}

    unmapped = survival.compare(counts(), counts(moved), renames={})
    mapped = survival.compare(counts(), counts(moved), renames=renames)
    short = survival.compare(
        counts(), counts(moved | {"intake_intakerequest": 14}), renames=renames
    )
    missing = survival.compare(counts(), counts(), renames=renames)

    # Unmapped, the old name is gone and the new one is just new: a failure.
    assert failures(unmapped) == {"initiatives_intakerequest": "GONE"}
    assert statuses(unmapped)["intake_intakerequest"] == "new"
    assert failures(mapped) == {}
    assert statuses(mapped)["initiatives_intakerequest → intake_intakerequest"] == "ok"
    assert "intake_intakerequest" not in statuses(mapped)  # not listed again as new
    assert failures(short) == {"initiatives_intakerequest → intake_intakerequest": "LOST"}
    assert failures(missing) == {"initiatives_intakerequest → intake_intakerequest": "GONE"}


def test_linked_requests_become_one_row_each_of_the_new_link_table() -> None:
    def linked(rows: int) -> list[Any]:
        return survival.compare(counts(), counts(TABLES | {"initiatives_linkedrequest": rows}))

    assert statuses(linked(9))["initiatives_linkedrequest"] == "ok"
    assert failures(linked(9)) == {}
    assert failures(linked(8)) == {"initiatives_linkedrequest": "LOST"}
    assert failures(linked(10)) == {"initiatives_linkedrequest": "MORE"}
    note = next(line.note for line in linked(8) if line.table == "initiatives_linkedrequest")
    assert note == "new, but 9 rows of initiatives_intakerequest had initiative_id set before"


def test_the_link_rule_applies_only_when_the_column_was_there_and_the_table_is_new() -> None:
    # A base without the column (derived not counted): the link table is only new.
    no_column = survival.compare(
        counts(derived={}), counts(TABLES | {"initiatives_linkedrequest": 3})
    )
    # A base that already had the table: compared as any table.
    had_table = TABLES | {"initiatives_linkedrequest": 9}
    existing = survival.compare(
        counts(had_table), counts(had_table | {"initiatives_linkedrequest": 8})
    )

    assert statuses(no_column)["initiatives_linkedrequest"] == "new"
    assert failures(no_column) == {}
    assert failures(existing) == {"initiatives_linkedrequest": "LOST"}


def test_content_types_keep_their_ids_under_their_label_or_the_mapped_one() -> None:
    moved = CONTENT_TYPES | {"12": "intake.intakerequest"}
    recreated = {"7": "informatics.auditevent", "12": "initiatives.intakerequest"} | {
        "41": "intake.intakerequest"
    }
    renames = {"initiatives.intakerequest": "intake.intakerequest"}
    grown = TABLES | {"django_content_type": 41}

    unmapped = survival.compare(counts(), counts(content_types=moved), content_type_renames={})
    mapped = survival.compare(counts(), counts(content_types=moved), content_type_renames=renames)
    stale = survival.compare(
        counts(), counts(grown, content_types=recreated), content_type_renames=renames
    )
    deleted = survival.compare(
        counts(), counts(content_types={"7": "informatics.auditevent"}), content_type_renames={}
    )

    assert failures(unmapped) == {"content type 12 (initiatives.intakerequest)": "MOVED"}
    assert failures(mapped) == {}
    # Created anew beside the old one: rows pointing at id 12 still name the old app.
    assert failures(stale) == {"content type 12 (initiatives.intakerequest)": "MOVED"}
    assert failures(deleted) == {"content type 12 (initiatives.intakerequest)": "LOST"}


def test_tables_empty_before_are_named_as_untested() -> None:
    before = counts(TABLES | {"django_session": 0})

    _, text = survival.summary(survival.compare(before, before), before)

    assert "Empty before, so not really tested (1): django_session" in text


def test_a_base_ref_this_clone_lacks_fails_clearly_before_doing_anything() -> None:
    result = subprocess.run(
        [PYTHON, str(SCRIPT), "--base", "no-such-ref-anywhere", "--database", "sqlite"],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "base ref 'no-such-ref-anywhere' is not a commit of this clone" in result.stderr
    assert result.stdout == ""


# --- The snippets, on this code (the script runs them on the base commit's) -----------------


def installed(*labels: str) -> type[Model]:
    """The first of these models that is installed (a model may move to another app)."""
    for label in labels:
        try:
            return apps.get_model(label)
        except LookupError:
            continue
    raise LookupError(f"none of {labels} is installed")


@pytest.fixture(autouse=True)
def _no_shipped_renames(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison's tests use tables of their own; the maps the script ships (intake's
    move) are tested on their own below."""
    if "shipped" not in request.node.name:
        monkeypatch.setattr(survival, "TABLE_RENAMES", {})
        monkeypatch.setattr(survival, "CONTENT_TYPE_RENAMES", {})


# Intake's models made after the move (they have nothing to be renamed from).
INTAKE_MODELS_AFTER_THE_MOVE = {"savedview"}


@pytest.mark.django_db
def test_the_shipped_maps_name_intakes_tables_and_content_types_as_they_are_now() -> None:
    tables = set(connection.introspection.table_names())
    assert sorted(survival.TABLE_RENAMES.values()) == sorted(
        name
        for name in tables
        if name.startswith("intake_")
        and name.removeprefix("intake_") not in INTAKE_MODELS_AFTER_THE_MOVE
    )
    assert not tables & set(survival.TABLE_RENAMES)
    labels = {f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    assert set(survival.CONTENT_TYPE_RENAMES.values()) == {
        label
        for label in labels
        if label.startswith("intake.")
        and label.removeprefix("intake.") not in INTAKE_MODELS_AFTER_THE_MOVE
    }
    assert not labels & set(survival.CONTENT_TYPE_RENAMES)


@pytest.mark.django_db
def test_the_count_snippet_counts_every_table_and_the_linked_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "counts.json"
    monkeypatch.setenv("SURVIVAL_OUT", str(out))
    # The snippet runs on the base's schema, where requests had an initiative column; on this
    # schema the same counting is shown on a column that exists, and one that no longer does.
    derived = [
        ["intake_intakerequest", "duplicate_of_id"],
        ["intake_intakerequest", "initiative_id"],
    ]
    monkeypatch.setenv("SURVIVAL_DERIVED", survival.json.dumps(derived))

    exec(survival.COUNT_SNIPPET, {"__name__": "count_snippet"})  # noqa: S102 — the script's own

    written = survival.json.loads(out.read_text())
    assert written["vendor"] == connection.vendor
    assert set(written["tables"]) == set(connection.introspection.table_names())
    rubric = installed("intake.Rubric", "initiatives.Rubric")  # the data migration's row
    assert written["tables"][rubric._meta.db_table] == rubric._default_manager.count() == 1
    assert written["derived"] == {"intake_intakerequest.duplicate_of_id": 0}
    content_type = ContentType.objects.get_for_model(rubric)
    assert written["content_types"][str(content_type.pk)] == rubric._meta.label_lower


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with data_for_module(django_db_blocker):
        call_command("seed_demo", stdout=StringIO())
        yield


@pytest.mark.django_db
def test_the_activity_snippet_submits_edits_and_imports_on_the_demo(
    seeded: None,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The test's transaction never commits: run what waits for the commit (the import job, the
    # roll-up, e-mail) at once, as it runs after each service's commit in the script.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    models = {
        "requests": installed("intake.IntakeRequest", "initiatives.IntakeRequest"),
        "batches": installed("metrics.ImportBatch"),
        "measurements": installed("metrics.Measurement"),
    }
    initiative = Initiative.objects.order_by("pk").first()
    assert initiative is not None
    before = {name: model._default_manager.count() for name, model in models.items()}

    exec(survival.ACTIVITY_SNIPPET, {"__name__": "activity_snippet"})  # noqa: S102

    after = {name: model._default_manager.count() for name, model in models.items()}
    assert {name: after[name] - before[name] for name in models} == {
        "requests": 1,
        "batches": 1,
        "measurements": 1,
    }
    edited = Initiative.objects.get(pk=initiative.pk)
    assert edited.version == initiative.version + 1
    assert edited.summary.endswith(" Reviewed at the quarterly portfolio check.")
    assert capsys.readouterr().out.startswith("submitted request ")
