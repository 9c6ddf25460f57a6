import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf(name: str = "report.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% evidence\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx(name: str = "report.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/msword")
