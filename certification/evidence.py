"""Hardened evidence uploads: the size limit while streaming, the type from
the content (never the name or the client's MIME header), a safe original
name. Pure functions and an upload handler; the writes are in services."""

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

# The detected type -> the file name endings it may carry. A name that does
# not end like its content (report.pdf.exe) is refused: the downloader's
# system opens a file by its name.
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    CSV: (".csv",),
}
ALLOWED_LABEL = gettext_lazy("PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or CSV")
MAX_NAME_LENGTH = 200
# Multipart framing and the form's other fields, on top of the file itself.
REQUEST_OVERHEAD_BYTES = 64 * 1024


class EvidenceRejected(Exception):
    """The file is refused, with a message the user can read."""


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str
    name: str


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def too_large_message() -> str:
    return _("The file is larger than the limit of %(size)s.") % {"size": filesizeformat(max_bytes())}


def clean_name(name: str) -> str:
    """The original name, kept as data: no folders, no control or format
    characters (bidi overrides included), at most MAX_NAME_LENGTH characters
    keeping the ending."""
    if "/" in name or "\\" in name or "\x00" in name:
        raise EvidenceRejected(_("The file name must not contain folders."))
    cleaned = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r"\s+", " ", cleaned).strip().lstrip(".")
    if not cleaned:
        raise EvidenceRejected(_("The file has no usable name."))
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, ending = cleaned.rpartition(".")
        ending = f"{dot}{ending}" if dot and len(ending) <= 10 else ""
        cleaned = (stem if ending else cleaned)[: MAX_NAME_LENGTH - len(ending)] + ending
    return cleaned


def _sniff_zip(file) -> str | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def _sniff_head(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def inspect_upload(file, *, name: str) -> Inspected:
    """Stream the file once: count and hash it, stop as soon as it passes the
    limit, and detect its type from the bytes. Reads only; stores nothing."""
    name = clean_name(name)
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    # Only read while it can still be CSV: UTF-8 text with no NUL byte.
    text_decoder = codecs.getincrementaldecoder("utf-8")()
    is_text = True
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(64 * 1024), b""):
        size += len(chunk)
        if size > limit:
            raise EvidenceRejected(too_large_message())
        digest.update(chunk)
        if len(head) < 8:
            head += chunk[:8]
        if is_text:
            try:
                text_decoder.decode(chunk)
                is_text = b"\x00" not in chunk
            except UnicodeDecodeError:
                is_text = False
    if size == 0:
        raise EvidenceRejected(_("The file is empty."))
    if is_text:
        try:
            text_decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_text = False
    content_type = _sniff_head(head)
    if content_type is None and head.startswith(b"PK\x03\x04"):
        content_type = _sniff_zip(file)
    if content_type is None and is_text and _looks_like_csv(file):
        content_type = CSV
    if content_type is None:
        raise EvidenceRejected(
            _("This kind of file is not accepted. Upload a %(allowed)s file.") % {"allowed": ALLOWED_LABEL}
        )
    if not name.lower().endswith(EXTENSIONS[content_type]):
        raise EvidenceRejected(
            _("The file name does not match its content (%(kind)s): rename it to end in %(ext)s.")
            % {"kind": content_type, "ext": EXTENSIONS[content_type][0]}
        )
    file.seek(0)
    return Inspected(content_type=content_type, size=size, sha256=digest.hexdigest(), name=name)


def _looks_like_csv(file) -> bool:
    """Text with a delimiter on its first line."""
    file.seek(0)
    first = file.read(64 * 1024).decode("utf-8", errors="ignore").lstrip("\ufeff")
    line = first.splitlines()[0] if first.splitlines() else ""
    return any(delimiter in line for delimiter in (",", ";", "\t"))


class EvidenceSizeHandler(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit (evidence's,
    or the one given), before the rest is written anywhere, and marks the
    request (`upload_too_large`) so the view can say why."""

    def __init__(self, request=None, *, limit: int | None = None):
        super().__init__(request)
        self.limit = max_bytes() if limit is None else limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def request_too_large(request, *, limit: int | None = None) -> bool:
    """Refuse early, from the declared length, without reading the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > (max_bytes() if limit is None else limit) + REQUEST_OVERHEAD_BYTES


def unreadable_upload(request) -> str | None:
    """Parse the body now, under the handlers already installed: None when it
    could be read, else why not, for the page. Called before the CSRF check,
    which would turn the parser's error into a bare "Bad Request (400)"; a
    body that cannot be read changes nothing, so showing the form again
    without the check is safe."""
    try:
        request.POST  # noqa: B018 (reading it parses the body)
    except MultiPartParserError as error:
        # Django caps one part's headers at 1 KB, and the file name travels in them.
        if "header size" in str(error):
            return _(
                "The file could not be received because its name is too long. "
                "Rename it to a shorter name (at most %(max)d characters) and upload it again."
            ) % {"max": MAX_NAME_LENGTH}
        return _("The upload could not be read. Choose the file again and upload it.")
    return None
