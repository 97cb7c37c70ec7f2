"""RollupPoint.series without a per-row foreign-key check: on PostgreSQL, statement-level
triggers give the same guarantees once per statement. Written points must name a series (whose
rows are locked FOR KEY SHARE until commit, as the constraint's check locks them), and deleting
series deletes their points. SQLite keeps no constraint (Django's delete cascades)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "metrics_rolluppoint"
SERIES = "metrics_rollupseries"

CREATE = f"""
CREATE FUNCTION metrics_rollup_point_series_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    named bigint[];
    found bigint;
BEGIN
    SELECT array_agg(DISTINCT series_id) INTO named FROM written;
    IF named IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM {SERIES} WHERE id = ANY (named) FOR KEY SHARE) locked;
    IF found < cardinality(named) THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'insert or update on table "{TABLE}" names a series that does not exist',
            TABLE = '{TABLE}';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER metrics_rollup_point_series_insert AFTER INSERT ON {TABLE}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_point_series_check();
CREATE TRIGGER metrics_rollup_point_series_update AFTER UPDATE ON {TABLE}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_point_series_check();

CREATE FUNCTION metrics_rollup_series_points_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TABLE} p USING gone g WHERE p.series_id = g.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER metrics_rollup_series_points_delete AFTER DELETE ON {SERIES}
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_series_points_delete();
"""

DROP = f"""
DROP TRIGGER metrics_rollup_series_points_delete ON {SERIES};
DROP FUNCTION metrics_rollup_series_points_delete();
DROP TRIGGER metrics_rollup_point_series_update ON {TABLE};
DROP TRIGGER metrics_rollup_point_series_insert ON {TABLE};
DROP FUNCTION metrics_rollup_point_series_check();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0008_rollup_fk_indexes_covered"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rolluppoint",
            name="series",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="rows", to="metrics.rollupseries"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
