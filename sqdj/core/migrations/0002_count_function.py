"""`sqdj_count(query, exact_limit, trust_above)`: a list's count in one round trip (core.paging.cheap_count).

PostgreSQL only: other databases count with a plain COUNT(*)."""

from django.db import migrations

COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION sqdj_count(query text, exact_limit bigint, trust_above bigint)
RETURNS bigint[] LANGUAGE plpgsql VOLATILE AS $$
-- [rows, 1 when exact / 0 when the planner's estimate]. The query text comes from the ORM with its parameters
-- quoted by the driver (core.paging); it is read, never written through.
DECLARE
  plan json;
  estimate bigint;
  n bigint;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  estimate := round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric);
  IF estimate > trust_above THEN
    RETURN ARRAY[estimate, 0];
  END IF;
  EXECUTE 'SELECT count(*) FROM (' || query || ' LIMIT ' || (exact_limit + 1) || ') AS counted' INTO n;
  IF n <= exact_limit THEN
    RETURN ARRAY[n, 1];
  END IF;
  IF estimate > exact_limit THEN
    RETURN ARRAY[estimate, 0];
  END IF;
  -- the planner guessed fewer rows than were seen: count exactly rather than show a wrong estimate
  EXECUTE 'SELECT count(*) FROM (' || query || ') AS counted' INTO n;
  RETURN ARRAY[n, 1];
END
$$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COUNT_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sqdj_count(text, bigint, bigint)")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
