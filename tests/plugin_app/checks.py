from django.db.models import Count

from sqdj.core.rules import CheckContext, Finding, param, register, source_of

from .models import Note


@register("plugin.too_many_notes", "warning", title="Too many notes")
def too_many_notes(ctx: CheckContext):
    basis = "plugin.max_notes"
    limit = param(basis, ctx.on, default=None)
    if limit is None:
        return
    rows = (
        Note.objects.filter(org__path__startswith=ctx.org.path)
        .values("org_id", "org__code", "org__name")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["n"] > limit:
            yield Finding(
                "plugin.too_many_notes", "warning", "org", row["org__code"], row["org__name"],
                f"随手记{row['n']}条，超过{limit}条", source_of(basis, ctx.on), "整理随手记",
                object_id=row["org_id"], basis=basis,
            )  # fmt: skip
