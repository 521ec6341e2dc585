"""Query parameters of the API: a filter given with an empty value is an error unless it takes text."""

from __future__ import annotations

import pytest

from sqdj.testing.api import api_client

from .test_api_scope import assert_chinese_json_error


@pytest.mark.parametrize(
    "query",
    ["party_years_min=", "age_band=", "member_type=", "standing=", "category=", "descendants="],
)
def test_empty_number_choice_or_boolean_is_400(city, token_for, query):
    response = api_client(token=token_for("sq_admin")).get(f"/api/v1/members/?{query}")
    assert_chinese_json_error(response, 400)
    assert query.rstrip("=") in response.json()


@pytest.mark.parametrize("path", ["/api/v1/members/?q=", "/api/v1/members/?org=", "/api/v1/transfers/?q="])
def test_empty_text_means_no_filter(city, token_for, path):
    client = api_client(token=token_for("sq_admin"))
    everything = client.get(path.split("?")[0]).json()["count"]
    response = client.get(path)
    assert response.status_code == 200 and response.json()["count"] == everything


def test_given_values_still_filter(city, token_for):
    client = api_client(token=token_for("sq_admin"))
    every = client.get("/api/v1/members/").json()["count"]
    full = client.get("/api/v1/members/?member_type=full").json()["count"]
    assert 0 < full < every
