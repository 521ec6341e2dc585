"""`sqdj_count`: past the exact limit, a planner's estimate below the trust threshold is no longer shown.

Such an estimate has already proved low (more rows were seen than the limit), and it can be far off: a district's
members filtered by the district's own path beside the scope's (two LIKEs on one column) were estimated at 10,036 for
99,189. Between the limit and the trust threshold the rows are now counted exactly; above the threshold the estimate
stays (a planner that expects millions is right about the order of magnitude)."""

import importlib

from django.db import migrations

_PREVIOUS = importlib.import_module("sqdj.core.migrations.0002_count_function").COUNT_FUNCTION

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
  -- more rows than the limit where the planner expected no more than the threshold: its guess is not to be shown
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
        schema_editor.execute(_PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
