"""Locust users for bench/load.py (run by it, not by hand): the staff's mixed read workload and the trivial view.

Every user signs in with a session cookie prepared by bench/load.py (one admin of a community, a subdistrict, a
district, the city, taken in turn) and reads the key screens and API answers in the proportions a working day has
them: lists and search most, a member's page, the org tree, the statistics and the health check less often.
The plan (cookies, member and org ids in each scope) comes from the JSON file named by SQDJ_LOAD_PLAN.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["SQDJ_LOAD_PLAN"], encoding="utf-8").read())
WAIT = (float(PLAN["wait"][0]), float(PLAN["wait"][1]))
_next_account = itertools.count()


class _Signed(HttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self):
        self.account = PLAN["accounts"][next(_next_account) % len(PLAN["accounts"])]
        self.client.cookies.set(PLAN["cookie_name"], self.account["session"])
        self.rng = random.Random()

    def get(self, url, name):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {url}")


class StaffUser(_Signed):
    """The mixed workload (weights: how often a screen is opened in a working day, per the ux.md personas)."""

    @task(3)
    def home(self):
        self.get("/", "home")

    @task(6)
    def member_list_filtered(self):
        self.get(f"/members/?category={self.rng.choice(['retired', 'employed'])}", "members page: filter")

    @task(4)
    def member_search_pinyin(self):
        self.get(f"/members/?q={self.rng.choice(['zh', 'wang', 'li', 'liu'])}", "members page: pinyin search")

    @task(2)
    def member_list_deep(self):
        self.get(f"/members/?page={self.rng.randint(2, 40)}", "members page: page 2-40")

    @task(5)
    def member_detail(self):
        self.get(f"/members/{self.rng.choice(self.account['members'])}/", "member page")

    @task(3)
    def org_list(self):
        self.get("/orgs/?type=branch", "orgs page: branches")

    @task(1)
    def org_tree(self):
        self.get("/orgs/tree/", "org tree")

    @task(3)
    def org_detail(self):
        self.get(f"/orgs/{self.rng.choice(self.account['orgs'])}/", "org page")

    @task(1)
    def stats(self):
        self.get("/stats/", "statistics page")

    @task(1)
    def health(self):
        self.get(f"/health/org/{self.account['top_org']}/", "health check page")

    @task(2)
    def transfers(self):
        self.get("/transfers/", "transfers page")

    @task(4)
    def api_members(self):
        self.get(f"/api/v1/members/?limit=50&offset={self.rng.randrange(0, 500, 50)}", "members api")

    @task(2)
    def api_member_search(self):
        self.get(f"/api/v1/members/?limit=50&q={self.rng.choice(['zh', 'wang'])}", "members api: search")

    @task(2)
    def api_orgs(self):
        self.get("/api/v1/orgs/?limit=50", "orgs api")


class TrivialUser(HttpUser):
    """The floor of the run: as many users, the same waits, one cheap page (the login page, signed out: no query)."""

    wait_time = between(*WAIT)

    @task
    def trivial(self):
        with self.client.get("/login/", name="trivial: login page", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(str(r.status_code))
