"""我的 (/me/): the member's own page, phone first, assembled from the cards the apps declare (their mine.py:
core.plugins.MineSection) and the user's messages. A user without a member record gets a page saying so."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import Notification
from sqdj.core.plugins import MineSection, mine_sections

MESSAGES_SHOWN = 10


def _messages(request) -> dict:
    """The user's notifications, unread first, then the newest (the (user, read_at) index)."""
    notes = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created", "-pk"
    )
    return {"notes": list(notes[:MESSAGES_SHOWN])}


MESSAGES = MineSection("messages", _("Messages"), "workbench/me/_messages.html", _messages, order=1000)


@login_required
def me(request):
    sections = []
    for section in (*mine_sections(), MESSAGES):
        ctx = section.context(request)
        if ctx is not None:
            sections.append({"key": section.key, "label": section.label, "template": section.template, **ctx})
    # the cards other than messages need a member record: without one the page says whom to ask
    no_member = not any(s["key"] != MESSAGES.key for s in sections)
    return render(request, "workbench/me/me.html", {"sections": sections, "no_member": no_member})
