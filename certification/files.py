"""Stored files (evidence, certificate PDFs) go to the browser only through
here, never from a media URL: the browser must not guess another type and
must not keep a copy."""

from django.http import FileResponse


def serve_file(fieldfile, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    response = FileResponse(
        fieldfile.storage.open(fieldfile.name, "rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
