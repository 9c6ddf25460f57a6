"""Evidence files are checked by their content: too large, refused or renamed → refused."""

import io
import random
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


# Zip bombs (issue 22, item 13): an office file is a zip archive, checked for how far it
# unzips before it is accepted, as the workbook import checks its workbooks.


def _deflated(name: str, members: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("name", "part"),
    [("report.docx", "word/document.xml"), ("figures.xlsx", "xl/workbook.xml")],
)
def test_a_zip_bomb_is_refused_as_an_office_file(name, part):
    bomb = _deflated(name, {"[Content_Types].xml": b"<Types/>", part: b"0" * 20_000_000})
    assert bomb.size < 100_000
    with pytest.raises(
        ValidationError,
        match=rf"{name} cannot be accepted: it holds a part "
        r"that expands [\d,]+ times when unzipped; at most 200 times",
    ):
        check_evidence_file(bomb)


def test_an_odt_bomb_is_refused():
    bomb = _deflated("letter.odt", {"mimetype": ODT.encode(), "content.xml": b" " * 5_000_000})
    with pytest.raises(ValidationError, match=r"letter\.odt cannot be accepted"):
        check_evidence_file(bomb)


def test_an_office_file_that_unzips_past_the_total_is_refused(settings):
    settings.EVIDENCE_MAX_UNZIPPED_BYTES = 1024 * 1024
    # Pictures do not compress: a low ratio, but 2 MB unzipped.
    upload = _deflated(
        "photos.docx",
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<document/>",
            "word/media/image1.png": random.randbytes(2 * 1024 * 1024),
        },
    )
    with pytest.raises(
        ValidationError,
        match=r"photos.docx cannot be accepted: it unzips to 2 MB; the "
        "largest accepted is 1 MB",
    ):
        check_evidence_file(upload)


def test_a_real_sized_office_file_is_accepted():
    """Text compresses 3 to 30 times: a long report is not a bomb."""
    rng = random.Random(22)
    words = [
        rng.choice(["major", "incident", "plan", "exercise", "casualty", "London", "the"])
        for _ in range(600_000)
    ]
    document = f"<document>{' '.join(words)}</document>".encode()
    upload = _deflated(
        "report.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": document}
    )
    assert check_evidence_file(upload).content_type == DOCX
