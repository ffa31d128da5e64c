"""The privacy page (issue 20): what personal data the platform keeps, why, for how long, and how a
person downloads it or asks for its erasure. Public; the lengths are read from the same settings
that beat's retention (greenlist.retention) and the data export (accounts.personal_data) apply."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def privacy(request):
    context = {
        "comment_days": settings.RETENTION_COMMENT_PERSONAL_DAYS,
        "concern_days": settings.RETENTION_CONCERN_PERSONAL_DAYS,
        "upload_days": settings.RETENTION_REJECTED_UPLOAD_DAYS,
        "export_days": settings.PERSONAL_DATA_EXPORT_DAYS,
    }
    return render(request, "privacy.html", context)
