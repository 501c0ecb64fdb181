"""Evidence files: checked by content, stored under MEDIA_ROOT, served only to those who may see the report."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tasks import services
from tasks.evidence import check_evidence_file
from tasks.models import Evidence, QuarterlyReport, ReportEvent
from tests.files import image_bytes, one_page_pdf

pytestmark = pytest.mark.django_db

PDF = one_page_pdf()  # a real PDF: uploads are parsed, not sniffed
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


def png_bytes() -> bytes:
    """A real 1×1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
DOCX = zip_bytes(
    {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>七里海湿地造林验收</w:t></w:r></w:p></w:body></w:document>",
    }
)
XLSX = zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>"})
PLAIN_ZIP = zip_bytes({"readme.txt": "只是一个压缩包。"})

ACCEPTED = [
    ("验收报告.pdf", PDF, "application/pdf"),
    ("现场照片.png", png_bytes(), "image/png"),
    ("会议纪要.docx", DOCX, None),
    ("台账.xlsx", XLSX, None),
]
MISMATCH = "的内容与文件名不符"
REFUSED = [
    ("照片冒充.pdf", png_bytes(), MISMATCH),
    ("程序.pdf", EXE, MISMATCH),
    ("压缩包.docx", PLAIN_ZIP, MISMATCH),
    ("表格冒充文档.docx", XLSX, MISMATCH),
    ("文本冒充.png", "纯文本内容".encode(), MISMATCH),
    ("程序.exe", EXE, "的文件类型不被接受"),
    ("无扩展名", PDF, "的文件类型不被接受"),
]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fresh(report) -> QuarterlyReport:
    return QuarterlyReport.objects.get(pk=report.pk)


def first_task(report) -> int:
    return report.task_updates.order_by("pk").first().task_id


def upload(client, report, name, content, task=None, follow=False):
    return client.post(
        reverse("tasks:evidence-upload", args=[report.pk, task or first_task(report)]),
        {"file": SimpleUploadedFile(name, content)},
        follow=follow,
    )


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- accepted ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, content_type", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_real_files_are_accepted_and_stored_under_media_root(
    name, content, content_type, report_a, dept_a_client, media
):
    task = first_task(report_a)
    response = upload(dept_a_client, report_a, name, content, task=task)

    assert response.status_code == 302
    assert response.url == f"{reverse('tasks:report-detail', args=[report_a.pk])}#task-{task}"
    evidence = Evidence.objects.get()
    assert evidence.task_update.report_id == report_a.pk
    assert evidence.task_update.task_id == task
    assert evidence.original_name == name
    assert evidence.size == len(content)
    if content_type:
        assert evidence.content_type == content_type
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(media.resolve())
    assert stored.read_bytes() == content
    # STATICFILES_DIRS entries are paths or (prefix, path) pairs
    static_dirs = [entry[1] if isinstance(entry, tuple) else entry for entry in django_settings.STATICFILES_DIRS]
    static_roots = [Path(django_settings.STATIC_ROOT), *map(Path, static_dirs)]
    assert not any(stored.is_relative_to(root.resolve()) for root in static_roots)


def test_upload_is_recorded_in_the_history_with_the_file_name(report_a, dept_a_user, dept_a_client, media):
    version = fresh(report_a).version

    upload(dept_a_client, report_a, "验收报告.pdf", PDF)

    event = ReportEvent.objects.filter(report=report_a).order_by("-pk").first()
    assert (event.action, event.actor, event.status_before, event.status_after) == (
        ReportEvent.Action.UPLOAD,
        dept_a_user,
        "draft",
        "draft",
    )
    assert [(c.field, c.before, c.after, c.task_id) for c in event.changes.all()] == [
        ("evidence", "", "验收报告.pdf", first_task(report_a))
    ]
    assert event.version == fresh(report_a).version == version + 1


def test_report_page_lists_the_uploaded_file_and_its_history_entry(report_a, dept_a_client, media):
    """Regression: the 'evidence' change used to be looked up as a model field and crash the page."""
    response = upload(dept_a_client, report_a, "验收报告.pdf", PDF, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "文件已上传。" in html
    evidence = Evidence.objects.get()
    assert reverse("tasks:evidence-download", args=[evidence.pk]) in html
    history = html[html.index('id="history"') :]
    assert "上传佐证材料" in history
    assert "佐证材料" in history  # the field's label in the change table
    assert '<td class="after">验收报告.pdf</td>' in history


def test_office_can_still_open_a_report_with_evidence(evidence, office_client):
    response = office_client.get(reverse("tasks:report-detail", args=[evidence.task_update.report_id]))
    assert response.status_code == 200
    assert "验收报告.pdf" in response.content.decode()


# --- refused -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_files_whose_content_is_not_what_their_name_says_are_refused(
    name, content, message, report_a, dept_a_client, media
):
    version = fresh(report_a).version

    response = upload(dept_a_client, report_a, name, content, follow=True)

    html = response.content.decode()
    assert f"“{name}”{message}" in html
    assert not Evidence.objects.exists()
    assert not report_a.events.filter(action=ReportEvent.Action.UPLOAD).exists()
    assert fresh(report_a).version == version
    assert files_under(media) == []


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_file_over_the_size_limit_is_refused(report_a, dept_a_client, media):
    big = PDF + b"0" * 2048

    response = upload(dept_a_client, report_a, "大文件.pdf", big, follow=True)

    html = response.content.decode()
    assert "“大文件.pdf”超过单个文件 1.0\xa0KB 的上限：请压缩或拆分后重新上传。" in html
    assert not Evidence.objects.exists()
    assert files_under(media) == []


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_file_at_the_size_limit_is_accepted(report_a, dept_a_client, media):
    exact = PDF + b"0" * (1024 - len(PDF))
    assert upload(dept_a_client, report_a, "刚好.pdf", exact).status_code == 302
    assert Evidence.objects.get().size == 1024


def test_upload_without_a_file_asks_for_one(report_a, dept_a_client, media):
    response = dept_a_client.post(
        reverse("tasks:evidence-upload", args=[report_a.pk, first_task(report_a)]), {}, follow=True
    )
    assert "请选择要上传的文件。" in response.content.decode()
    assert not Evidence.objects.exists()


def test_upload_to_a_task_outside_the_report_is_404(report_a, dept_a_client, media):
    from targets.models import Task

    other = Task.objects.exclude(pk__in=report_a.task_updates.values("task_id")).first()
    assert upload(dept_a_client, report_a, "a.pdf", PDF, task=other.pk).status_code == 404


@pytest.mark.parametrize("name, content, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_the_check_itself_refuses_with_a_chinese_message(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile(name, content))
    assert message in refused.value.messages[0]


def test_office_cannot_attach_evidence_through_the_service(report_a, office_user, media):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_evidence(
            task_update=report_a.task_updates.first(), by=office_user, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert files_under(media) == []


# --- download ----------------------------------------------------------------------------------------------


@pytest.fixture
def evidence(report_a, dept_a_user, media) -> Evidence:
    return services.add_evidence(
        task_update=report_a.task_updates.order_by("pk").first(),
        by=dept_a_user,
        upload=SimpleUploadedFile("验收报告.pdf", PDF),
    )


def test_own_department_downloads_the_file_as_an_attachment(evidence, dept_a_client, dept_a_colleague):
    for client in (dept_a_client, Client()):
        if client is not dept_a_client:
            client.force_login(dept_a_colleague)
        response = client.get(reverse("tasks:evidence-download", args=[evidence.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")


def test_other_department_cannot_download_the_file(evidence, dept_b_client):
    assert dept_b_client.get(reverse("tasks:evidence-download", args=[evidence.pk])).status_code == 404


def test_anonymous_user_is_sent_to_login_instead_of_the_file(evidence):
    response = Client().get(reverse("tasks:evidence-download", args=[evidence.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_viewer_cannot_download_evidence_of_an_unapproved_report(evidence, viewer_client):
    assert viewer_client.get(reverse("tasks:evidence-download", args=[evidence.pk])).status_code == 404


def test_stored_file_has_no_public_address(evidence):
    client = Client()
    for prefix in ("/media/", "/static/", "/", f"/{django_settings.STATIC_URL.strip('/')}/"):
        assert client.get(prefix + evidence.file.name).status_code in (302, 404)


# --- verified by parsing (issue 17) ------------------------------------------------------------------------


def zip_bomb_xlsx() -> bytes:
    """A well-formed workbook skeleton carrying 200 MB of zeros (about 200 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/media/zeros.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                part.write(block)
    return buffer.getvalue()


HOSTILE = [
    ("炸弹.xlsx", zip_bomb_xlsx(), "zip bomb"),
    ("网页冒充.pdf", b"%PDF-1.4<html><script>alert(document.cookie)</script></html>", "pdf as html"),
    ("网页冒充.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<html><script>alert(1)</script></html>", "jpeg magic + html"),
    (
        "网页冒充.docx",
        zip_bytes(
            {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<html><script>alert(1)</script></html>"}
        ),
        "docx holding html",
    ),
    (
        "坏文档.docx",
        zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document"}),
        "broken xml",
    ),
    ("截断.png", png_bytes()[:-20], "truncated png"),
    ("越界.docx", zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "../word/document.xml": "<document/>"}), "path"),
]


@pytest.mark.parametrize("name, content, why", HOSTILE, ids=[h[2] for h in HOSTILE])
def test_files_that_only_look_right_are_refused_after_parsing(name, content, why, report_a, dept_a_client, media):
    response = upload(dept_a_client, report_a, name, content, follow=True)

    assert f"“{name}”{MISMATCH}" in response.content.decode()
    assert not Evidence.objects.exists() and files_under(media) == []


def test_a_zip_bomb_is_named_as_such():
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile("炸弹.xlsx", HOSTILE[0][1]))
    assert "压缩炸弹" in refused.value.messages[0]


@pytest.mark.parametrize("name, content", [("现场.jpg", image_bytes("JPEG")), ("现场.png", image_bytes("PNG"))])
def test_real_photos_decode_and_are_accepted(name, content, report_a, dept_a_client, media):
    assert upload(dept_a_client, report_a, name, content).status_code == 302
    assert Evidence.objects.get().original_name == name


def test_a_name_of_120_four_byte_characters_is_stored_under_a_generated_name(report_a, dept_a_client, media):
    """The file system limits names to 255 bytes; 120 × 4 bytes + .pdf used to raise OSError (errno 36)."""
    name = "𠀀" * 120 + ".pdf"
    assert len(name.encode()) > 255

    response = upload(dept_a_client, report_a, name, PDF)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == name
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == PDF and len(stored.name.encode()) < 64 and stored.suffix == ".pdf"
    download = dept_a_client.get(reverse("tasks:evidence-download", args=[evidence.pk]))
    assert "𠀀" * 120 in download["Content-Disposition"] or "%F0%A0%80%80" in download["Content-Disposition"]


def test_folders_and_control_characters_leave_the_shown_name(report_a, dept_a_client, media):
    upload(dept_a_client, report_a, "..\\..\\报告\x07.pdf", PDF)
    assert Evidence.objects.get().original_name == "报告.pdf"


def test_evidence_is_served_as_an_attachment_of_its_checked_type_never_sniffed(evidence, dept_a_client):
    response = dept_a_client.get(reverse("tasks:evidence-download", args=[evidence.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
