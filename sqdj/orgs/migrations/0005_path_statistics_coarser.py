"""The paths' histogram: 1,000 buckets instead of 10,000. The planner reads the histogram to judge a prefix
(`path LIKE '0001000100%'`) in every plan over a subtree; with 10,000 buckets that took 2.3 ms per statement
on the 1,000,000-member city (a member list plans four or five: its count, its rows), with 1,000 it takes 0.3-0.6
ms and the estimates stay within 2 % (a subdistrict's 3,550 retired members: 3,478; a district's 34,431: 34,491).
Estimates matter only for large subtrees (core.paging trusts them above 15,000 rows): a community's few nodes
sharing a bucket cost nothing."""

from django.db import migrations

from sqdj.core.migration_ops import fine_statistics


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_guidance_link")]

    operations = [fine_statistics("orgs_org", target=1_000, previous=10_000)]
