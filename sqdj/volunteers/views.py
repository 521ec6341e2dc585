from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from sqdj.core.forms import EndForm
from sqdj.core.views import ModelViews, action_page
from sqdj.orgs.models import Org

from . import services
from .choices import UnitRegistrationEnd
from .filtersets import UnitRegistrationFilterSet
from .forms import UnitRegistrationForm
from .models import UnitRegistration
from .tables import UnitRegistrationTable


class UnitRegistrationViews(ModelViews):
    """单位报到 as both sides list them: the unit's org line and the community's territory."""

    model = UnitRegistration
    queryset = UnitRegistration.objects.select_related("org", "community")
    table = UnitRegistrationTable
    filterset = UnitRegistrationFilterSet
    form = UnitRegistrationForm
    create_service = staticmethod(services.do_register_unit)
    update_service = staticmethod(services.do_update_unit_registration)
    detail_template = "volunteers/unitregistration.html"

    @classmethod
    def detail_context(cls, obj, user):
        org_visible = Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists()
        rows = [
            (_("the unit's party organization"), obj.org.name, obj.org.get_absolute_url() if org_visible else None),
            (_("community"), obj.community.name, None),
            (_("registered on"), f"{obj.registered_on:%Y-%m-%d}", None),
            (_("what the unit offers"), obj.commitments or "—", None),
        ]
        if not obj.active:
            rows += [
                (_("ended on"), f"{obj.ended_on:%Y-%m-%d}" if obj.ended_on else "—", None),
                (_("why it ended"), obj.get_end_reason_display() or "—", None),
                (_("note on the end"), obj.end_note or "—", None),
            ]
        may_change = UnitRegistration.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        return {"rows": rows, "may_end": obj.active and may_change}


@login_required
def unitregistration_end(request, pk):
    reg = get_object_or_404(UnitRegistration.objects.restrict(request.user, "change"), pk=pk)
    back = reg.get_absolute_url()
    return action_page(
        request, reg, EndForm(request.POST or None, reasons=UnitRegistrationEnd.choices), _("End the registration"),
        back=back, next_url=back, done_message=_("The registration has ended."),
        call=lambda d: services.do_end_unit_registration(reg, acting_user=request.user, **d),
    )  # fmt: skip
