"""Certification pages outside the portal: the evidence download that
business users, association staff and assigned auditors share."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from .files import serve_file
from .models import Evidence


@login_required
def evidence_download(request, pk: int):
    """Only through here, never from a media URL: scoped to the user, always
    an attachment, and the browser must not guess another type."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return serve_file(evidence.file, filename=evidence.original_name, content_type=evidence.content_type)
