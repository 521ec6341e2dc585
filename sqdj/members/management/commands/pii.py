from __future__ import annotations

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import pii
from sqdj.core.management.base import SqdjCommand
from sqdj.members.models import Member


class Command(SqdjCommand):
    help = gettext_lazy(
        "Personal data keys: `rotate` re-encrypts every ID and phone number with the first key of SQDJ_PII_KEYS "
        "(put the new key first, keep the old ones after it until the rotation is done)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])

    def handle(self, *args, **options):
        pii.reset_keys()
        done = 0
        try:
            with transaction.atomic():
                pks = list(Member.objects.order_by("pk").values_list("pk", flat=True))
                for i in range(0, len(pks), 2000):  # plain chunks: no server-side cursor to break on an error
                    for member in Member.objects.filter(pk__in=pks[i : i + 2000]).only("pk", "id_number", "phone"):
                        # reading decrypts with any configured key; saving encrypts with the first one
                        Member.objects.filter(pk=member.pk).update(id_number=member.id_number, phone=member.phone)
                        done += 1
        except ValueError as exc:
            raise CommandError(
                _("A value could not be decrypted with the configured keys; nothing was changed."), returncode=1
            ) from exc
        self.stdout.write(_("Re-encrypted the personal data of %(n)d members.") % {"n": done})
