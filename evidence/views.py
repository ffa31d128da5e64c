"""Evidence files leave the platform only through this permission-checked view (and its twin in
the API, `GET /api/v1/evidence/{id}/file/`: same rule, same response, evidence.files)."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from .files import evidence_file_response
from .selectors import get_evidence_for_user


@login_required
@require_GET
def evidence_download(request, pk):
    return evidence_file_response(get_evidence_for_user(request.user, pk))
