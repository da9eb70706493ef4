"""Hostile uploads: a Word file that inflates to hundreds of megabytes, a PDF of endless pages, text past
its bound and a reader that runs too long are refused with a 4xx saying why, store nothing, and the upload
limit is one and the same for the page and the API (K1 kept safe to run)."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.integration.test_api import json_body, send, token_client
from tests.support.personas import Personas
from watchkeeper.learning.actions.common import upload_max_bytes
from watchkeeper.learning.models import Document
from watchkeeper.learning.parsing import limits

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def docx_bomb(paragraphs: int = 400_000) -> bytes:
    """A small .docx whose body inflates to tens of megabytes of text (the 715 KB file that became 300
    million characters, in miniature)."""
    paragraph = "<w:p><w:r><w:t>" + "A" * 200 + "</w:t></w:r></w:p>"
    body = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body>' + paragraph * paragraphs + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def upload_api(client: Client, data: bytes, filename: str) -> Any:
    return send(client, "POST", "/api/learning/documents",
                {"filename": filename, "content_base64": base64.b64encode(data).decode()})


def test_a_zip_bomb_docx_is_refused_unread_and_nothing_is_stored(people: Personas) -> None:
    bomb = docx_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire
    response = upload_api(token_client(people.learning), bomb, "lessons.docx")
    assert response.status_code == 422, response.content
    assert "compressed" in json_body(response)["message"] and "refused unread" in json_body(response)["message"]
    assert Document.objects.count() == 0


def test_text_longer_than_its_bound_is_refused(people: Personas) -> None:
    text = ("Learning the lessons. " * 100_000).encode()
    assert len(text) > limits.MAX_TEXT_CHARS
    browser = Client()
    browser.force_login(people.learning)
    upload = io.BytesIO(text)
    upload.name = "long.txt"
    response = browser.post(reverse("learning:upload"), {"documents": upload})
    assert response.status_code == 422
    assert "longer than 2,000,000 characters" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_pdf_with_more_pages_than_the_bound_is_refused_from_the_page(people: Personas) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=8)
    for i in range(limits.MAX_PDF_PAGES + 1):
        pdf.add_page()
        pdf.cell(text=f"Page {i}")
    data = bytes(pdf.output())
    browser = Client()
    browser.force_login(people.learning)
    upload = io.BytesIO(data)
    upload.name = "endless.pdf"
    response = browser.post(reverse("learning:upload"), {"documents": upload})
    assert response.status_code == 422
    assert f"{limits.MAX_PDF_PAGES + 1} pages" in response.content.decode()
    assert Document.objects.count() == 0


def test_reading_past_its_time_limit_is_stopped_and_refused(people: Personas, settings: Any) -> None:
    settings.DOCUMENT_PARSE_SECONDS = 0.001
    response = upload_api(token_client(people.learning), b"Learning the lessons\n\nA short note.", "note.txt")
    assert response.status_code == 422, response.content
    assert "took longer than" in json_body(response)["message"]
    assert Document.objects.count() == 0


def test_the_upload_limit_is_one_setting_for_the_page_and_the_api(people: Personas, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 512 * 1024
    data = b"Learning the lessons\n\n" + b"x" * (512 * 1024)
    api_response = upload_api(token_client(people.learning), data, "big.txt")
    browser = Client()
    browser.force_login(people.learning)
    upload = io.BytesIO(data)
    upload.name = "big.txt"
    page_response = browser.post(reverse("learning:upload"), {"documents": upload})
    assert api_response.status_code == page_response.status_code == 413
    assert "larger than 512 KB" in json_body(api_response)["message"]
    assert "larger than 512 KB" in page_response.content.decode()
    assert Document.objects.count() == 0


def test_the_api_body_limit_admits_the_largest_upload_the_page_admits(settings: Any) -> None:
    """The API carries a document as base64 in JSON: a body limit below the upload limit's base64 made the
    API refuse (413) documents the page accepted."""
    largest_body = (upload_max_bytes() + 2) // 3 * 4 + 200
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= largest_body
