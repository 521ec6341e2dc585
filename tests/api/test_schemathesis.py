"""Property-based tests of the REST API against its own OpenAPI schema (schemathesis, stateless).

The schema is loaded from the running app (`/api/schema/` through Django's WSGI app, no network), with the
demo city loaded, and every operation is called as a community administrator (scoped: most objects are out of
scope, writes under a sibling fail) and as the superuser (unrestricted: creates, moves and deletes succeed).
Everything runs inside the test's transaction and is rolled back.
"""

from __future__ import annotations

import zlib

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from sqdj.areas.models import Area
from sqdj.demo.mobility import generate_mobility
from sqdj.orgs.models import Org
from sqdj.transfers.models import Inflow, Outflow, Transfer

MAX_EXAMPLES = 20

CONFIG = {
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # no stateful phase: the links between operations are not described (stateless checks only)
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            # Allow-listed, for writes only: a schema-valid body may still break a rule no schema can state — the
            # parent must exist and be visible to the caller, the type must be allowed under the parent's type,
            # codes are unique, a node with children cannot be deleted or change into a type its children cannot
            # sit under. Those answer 400 with field errors (the 400 response is documented and its body is
            # checked against the schema like any other). Reads keep the default: valid input must give 2xx.
            "include-method": ["POST", "PUT", "PATCH", "DELETE"],
            # 409: a transfer case acted on at a stale version or in another state (a correct answer)
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}},
        }
    ],
}


@pytest.fixture(params=["sq_admin", "sysadmin"])
def api_user(request, city):
    return request.param


@pytest.fixture
def api_token(api_user, token_for):
    return token_for(api_user)


def _load_schema():
    # Generated at collection by the app's own schema generator — exactly what /api/schema/ serves, which only
    # signed-in users may read — and bound to the app's WSGI handler (schemathesis' lazy `from_fixture` does not
    # run on pytest 9.2: it writes `Item._nodeid`, which pytest 9.2 no longer has). No database is touched.
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=SchemathesisConfig.from_dict(CONFIG))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture
def object_ids(city):
    """Ids of every org, area, transfer case and mobile-member record (in and out of the caller's scope): most
    generated ids name nothing. The demo's cases and records are added (every state of a case)."""

    generate_mobility()
    return {
        "orgs": sorted(Org.objects.values_list("pk", flat=True)),
        "areas": sorted(Area.objects.values_list("pk", flat=True)),
        "transfers": sorted(Transfer.objects.values_list("pk", flat=True)),
        "outflows": sorted(Outflow.objects.values_list("pk", flat=True)),
        "inflows": sorted(Inflow.objects.values_list("pk", flat=True)),
    }


def _aim_at_real_object(case, object_ids):
    """For schema-valid fuzzing cases on /{id}/, half the time use the id of an existing object, so that reads
    and writes reach the services (moves, type changes, deletes) and not only the 404. Chosen from the case's
    own content (crc32, not hash(): the run stays deterministic)."""
    if "id" not in (case.path_parameters or {}) or case.meta is None:
        return
    if case.meta.phase.name.value != "fuzzing" or not case.meta.generation.mode.is_positive:
        return
    kind = next((k for k in ("orgs", "transfers", "outflows", "inflows") if f"/{k}/" in case.operation.path), "areas")
    pool = object_ids[kind]
    if not pool:
        return
    pick = zlib.crc32(repr((case.path_parameters, case.body)).encode())
    if pick % 2:
        case.path_parameters["id"] = pool[(pick // 2) % len(pool)]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api(case, api_token, object_ids, wsgi_app):
    _aim_at_real_object(case, object_ids)
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"})
