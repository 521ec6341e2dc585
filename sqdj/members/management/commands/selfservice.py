from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.core.services import ScopeViolation
from sqdj.members.models import Member
from sqdj.members.self_service import do_link_user


class Command(SqdjCommand):
    help = gettext_lazy(
        "Member self service: `link USERNAME MEMBER_ID` lets that user account (with the role `member`) see its own "
        "member record; `unlink MEMBER_ID` ends it. The member is given by its id (see the member's page), never by "
        "an ID number."
    )
    acts_as_user = True

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["link", "unlink"])
        parser.add_argument("values", nargs="+", metavar="ARG")

    def handle(self, *args, **options):
        action, values = options["action"], options["values"]
        if len(values) != (2 if action == "link" else 1):
            raise CommandError(
                _("Usage: selfservice link USERNAME MEMBER_ID | selfservice unlink MEMBER_ID"), returncode=2
            )
        acting_user = self.acting_user(options)
        member_id = values[-1]
        member = Member.objects.filter(pk=int(member_id)).first() if member_id.isdigit() else None
        if member is None or (
            acting_user is not None and not Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists()
        ):
            raise CommandError(_("No such member: %(id)s") % {"id": member_id}, returncode=1)
        user = None
        if action == "link":
            user = get_user_model().objects.filter(username=values[0], is_active=True).first()
            if user is None:
                raise CommandError(_("No such user: %(name)s") % {"name": values[0]}, returncode=1)
        try:
            do_link_user(member, user, acting_user=acting_user)
        except (ValidationError, ScopeViolation) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)])), returncode=1) from exc
        if user is None:
            self.stdout.write(_("Member %(id)d is no longer linked to a user account.") % {"id": member.pk})
        else:
            self.stdout.write(
                _("User %(user)s now sees the member record %(id)d (and only that).") % {"user": user, "id": member.pk}
            )
