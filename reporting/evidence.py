"""What an evidence file may be: checked by its content, never by its name alone.

A file's type is read from its first bytes (PDF, PNG, JPEG) or, for the office formats that
are zip archives (DOCX, XLSX, ODT), from the members the archive holds. The name's
extension must agree with the content, so a renamed file is refused either way.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

from recommendations.spreadsheets import zip_expansion_problem

#: The largest evidence file accepted, in bytes.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

#: The types that are zip archives, checked for how far they unzip.
ZIP_TYPES = (DOCX, XLSX, ODT)

#: extension → the content type its content must show.
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
}
ALLOWED_NAMES = "PDF, DOCX, XLSX, ODT, PNG or JPEG"
#: content type → the name a reader knows the type by.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    DOCX: "Word document",
    XLSX: "Excel spreadsheet",
    ODT: "OpenDocument text",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int

    @property
    def extension(self) -> str:
        """ ".pdf", ".docx"…: the name's, in lower case (checked against the content)."""
        return PurePath(self.name).suffix.lower()


def _zip_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            # The mimetype entry is a few dozen bytes: a larger one is not read (a zip bomb).
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype == ODT else None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The allowed type the file's content shows, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    return None


def check_evidence_file(upload: UploadedFile) -> CheckedFile:
    """The file's name, type and size, or ValidationError naming the file and what is wrong."""
    name = PurePath(upload.name or "file").name
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"{name} is {filesizeformat(upload.size)}: evidence files may be at most "
            f"{filesizeformat(MAX_EVIDENCE_BYTES)}.",
            code="too_large",
        )
    expected = ALLOWED.get(PurePath(name).suffix.lower())
    if expected is None:
        raise ValidationError(
            f"{name} is not a file type we accept: send a {ALLOWED_NAMES} file.",
            code="refused_type",
        )
    found = sniff_content_type(upload)
    if found != expected:
        raise ValidationError(
            f"{name} does not contain what its name says: it is not a real "
            f"{PurePath(name).suffix.lstrip('.').upper()} file. Send a {ALLOWED_NAMES} file.",
            code="content_mismatch",
        )
    if found in ZIP_TYPES:
        _check_expansion(upload, name)
    return CheckedFile(name=name, content_type=found, size=upload.size)


def _check_expansion(upload: UploadedFile, name: str) -> None:
    """Refuse an office file that would unzip to far more than it weighs (a zip bomb): it
    would fill the disk or memory of whatever opens it, an officer's computer included."""
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        problem = zip_expansion_problem(
            archive,
            max_bytes=settings.EVIDENCE_MAX_UNZIPPED_BYTES,
            max_ratio=settings.EVIDENCE_MAX_ZIP_RATIO,
        )
    upload.seek(0)
    if problem:
        raise ValidationError(
            f"{name} cannot be accepted: it {problem}. Save it again from the program that "
            "made it, or send it as a PDF.",
            code="zip_bomb",
        )


def file_response(evidence) -> FileResponse:
    """An evidence file streamed from storage as a download, with its checked content type.

    The caller has decided who may have it (staff with permission, or anyone for a file an
    officer made public); a file missing from storage is a 404.
    """
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(f"The file of {evidence} is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
