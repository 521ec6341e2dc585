"""The figures the services app's migrations carry, as the rulebook names them, and the words of
`services.request_due_days`'s keys (the national categories' codes; an org's own category keeps its code)."""

from importlib import import_module

from django.utils.translation import gettext_lazy

from sqdj.core.rules import describe_parameters, describe_values

describe_parameters(
    {
        "services.request_due_days": gettext_lazy("Days to answer a resident's request, by category"),
        "services.urgent_due_days": gettext_lazy("Days to answer an urgent request"),
        "services.escalate_after_days": gettext_lazy("Days past due before a request goes to the subdistrict"),
        "workorder.response_hours": gettext_lazy("Hours to respond to a 12345 work order"),
        "workorder.progress_days": gettext_lazy("Days without progress before a work order is flagged"),
        "workorder.unsatisfied_streak": gettext_lazy("Unsatisfied answers in a row before a work order is flagged"),
        "services.household_retention_years": gettext_lazy("Years a closed household's record is kept"),
        "services.household_review_months": gettext_lazy("Months between reviews of a household's help"),
        "services.visit_coverage_months": gettext_lazy("Months without a visit before a building counts as unvisited"),
    }
)
describe_values(
    "days",
    {},
    keys={
        "default": gettext_lazy("other categories"),
        **dict(import_module("sqdj.services.migrations.0002_seed").CATEGORIES),
    },
)
