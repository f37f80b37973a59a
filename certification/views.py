"""Certification pages outside the portal: the evidence download that
business users, association staff and assigned auditors share."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from .models import Evidence


@login_required
def evidence_download(request, pk: int):
    """Only through here, never from a media URL: scoped to the user, always
    an attachment, and the browser must not guess another type."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    response = FileResponse(
        evidence.file.storage.open(evidence.file.name, "rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
