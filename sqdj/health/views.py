from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from sqdj.orgs.models import Org

from . import services


@login_required
def org_health(request, pk):
    org = get_object_or_404(Org.objects.restrict(request.user, "view").select_related("area"), pk=pk)
    findings = services.findings_for(org, user=request.user)
    return render(request, "health/org_health.html", {"org": org, **services.grouped(findings)})
