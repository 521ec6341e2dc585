from django.db import models

from sqdj.core.models import ChangeLoggedModel


class Note(ChangeLoggedModel):
    """A note held by an org, scoped like every model: through the org it hangs on."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=100)

    scope_org_field = "org"

    def __str__(self):
        return self.text
