"""Evidence files are checked by their content: too large, refused or renamed → refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.evidence import DOCX, MAX_EVIDENCE_BYTES, ODT, XLSX, check_evidence_file
from tests.reporting.helpers import docx, pdf


def _zip(name, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (pdf(), "application/pdf"),
        (docx(), DOCX),
        (_zip("sheet.xlsx", {"[Content_Types].xml": "", "xl/workbook.xml": ""}), XLSX),
        (_zip("letter.odt", {"mimetype": ODT, "content.xml": ""}), ODT),
        (SimpleUploadedFile("photo.PNG", b"\x89PNG\r\n\x1a\n" + b"0" * 20), "image/png"),
        (SimpleUploadedFile("photo.jpeg", b"\xff\xd8\xff\xe0" + b"0" * 20), "image/jpeg"),
    ],
)
def test_accepted_types_are_recognised_by_content(upload, content_type):
    assert check_evidence_file(upload).content_type == content_type


def test_a_file_over_10_mb_is_refused_naming_it():
    with pytest.raises(ValidationError, match=r"big\.pdf is .* at most 10"):
        check_evidence_file(pdf("big.pdf", size=MAX_EVIDENCE_BYTES))


@pytest.mark.parametrize("name", ["script.exe", "page.html", "notes.txt", "noextension"])
def test_other_types_are_refused(name):
    with pytest.raises(ValidationError, match="not a file type we accept"):
        check_evidence_file(SimpleUploadedFile(name, b"MZ\x90\x00 whatever"))


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 a program renamed"),
        SimpleUploadedFile("page.pdf", b"<html><body>not a pdf</body></html>"),
        docx("report.pdf"),
        pdf("report.docx"),
        _zip("archive.docx", {"readme.txt": "a plain zip"}),
    ],
)
def test_a_file_renamed_to_look_like_an_accepted_type_is_refused(upload):
    with pytest.raises(ValidationError, match="does not contain what its name says"):
        check_evidence_file(upload)
