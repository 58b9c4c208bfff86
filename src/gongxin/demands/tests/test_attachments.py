"""Attachments: real small PDF, PNG, JPEG, DOCX and XLSX files are accepted and stored
under the demand; a type not allowed, a file whose name lies about its content, an empty
file, one too large and one too many are refused with a message naming the file; and when
one file of several is refused, nothing at all is written (no rows, no files)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.core import attachments
from gongxin.demands import services
from gongxin.demands.choices import Action, Source, Status
from gongxin.demands.models import Demand, DemandAttachment, DemandEvent
from gongxin.demands.tests import test_loop

pytestmark = pytest.mark.django_db

#: The enterprise, its district and officer, the desk, 人社局 leading and 金融局 co-handling.
walk = test_loop.walk

MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Small real files, made here -----------------------------------------------------------


def pdf_bytes(padding: int = 0) -> bytes:
    """A one-page PDF with a correct cross-reference table (and `padding` bytes of comment
    to make it as large as a test needs)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if padding:
        out += b"%" + b"x" * (padding - 2) + b"\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_of_size(size: int) -> bytes:
    padding = size - len(pdf_bytes())
    data = pdf_bytes(padding=padding)
    data = pdf_bytes(padding=padding - (len(data) - size))  # startxref grew a few digits
    assert len(data) == size
    return data


def png_bytes() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """An 8×8 grey baseline JPEG: one component, one Huffman code each for DC 0 and EOB."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([1] * 64))
        + segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # DC difference 0, end of block, padded with ones
        + b"\xff\xd9"
    )


def docx_bytes(text: str = "企业诉求说明") -> bytes:
    """A Word document as Word writes its parts: content types, relationships, body."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["岗位", "人数"])
    sheet.append(["普工", 80])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024  # the old Office container

GOOD = {
    "营业执照.pdf": (pdf_bytes, MIME["pdf"]),
    "厂房照片.png": (png_bytes, MIME["png"]),
    "现场.jpg": (jpeg_bytes, MIME["jpeg"]),
    "现场2.jpeg": (jpeg_bytes, MIME["jpeg"]),
    "SCAN.PDF": (pdf_bytes, MIME["pdf"]),
    "情况说明.docx": (docx_bytes, MIME["docx"]),
    "用工明细.xlsx": (xlsx_bytes, MIME["xlsx"]),
    "旧版说明.doc": (lambda: OLE, "application/msword"),
    "旧版明细.xls": (lambda: OLE, "application/vnd.ms-excel"),
}

BAD = {
    "setup.exe": (lambda: b"MZ\x90\x00" + b"\x00" * 200, "type"),
    "无扩展名": (pdf_bytes, "type"),
    "脚本.html": (lambda: b"<html><script>alert(1)</script></html>", "type"),
    "照片.pdf": (png_bytes, "content"),  # a PNG named .pdf
    "说明.docx": (lambda: "这是一个文本文件".encode(), "content"),  # text named .docx
    "压缩包.docx": (zip_bytes, "content"),  # a zip, but not a Word document
    "明细.xlsx": (docx_bytes, "content"),  # a Word document named .xlsx
    "说明2.docx": (xlsx_bytes, "content"),  # a workbook named .docx
    "图片.png": (jpeg_bytes, "content"),
    "旧版.doc": (pdf_bytes, "content"),
    "空文件.pdf": (lambda: b"", "empty"),
}


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    if data is None:
        data = (GOOD.get(name) or BAD[name])[0]()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGXIN_ATTACHMENT_MAX_MB = 1
    settings.GONGXIN_ATTACHMENT_MAX_FILES = 10
    return settings.MEDIA_ROOT


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def register(people, files, **kwargs) -> Demand:
    return services.demand_register(
        actor=people["enterprise"],
        enterprise=people["_enterprise"],
        title="招工难",
        text="急需普工80名，附用工明细。",
        source=Source.PORTAL,
        attachments=files,
        **kwargs,
    )


def named(error: pytest.ExceptionInfo, name: str) -> bool:
    return any(name in message for message in error.value.messages)


# The check of one file -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(GOOD))
def test_real_files_pass_with_the_type_their_content_shows(media, name):
    build, mime = GOOD[name]
    file = upload(name)
    assert attachments.check_upload(file) == (name, mime)
    assert file.tell() == 0  # read from the start when stored


@pytest.mark.parametrize("name", list(BAD))
def test_a_file_not_allowed_is_refused_naming_it(media, name):
    with pytest.raises(ValidationError) as error:
        attachments.check_upload(upload(name))
    assert error.value.code == BAD[name][1]
    assert name in error.value.messages[0]


def test_the_size_limit_is_the_setting(media):
    limit = 1024 * 1024
    assert attachments.check_upload(upload("刚好.pdf", pdf_of_size(limit)))[1] == MIME["pdf"]
    with pytest.raises(ValidationError) as error:
        attachments.check_upload(upload("超大.pdf", pdf_of_size(limit + 1)))
    assert error.value.code == "size" and "超大.pdf" in error.value.messages[0]


def test_the_name_is_the_files_own_name(media):
    name, _mime = attachments.check_upload(upload("../../etc/报告.pdf", pdf_bytes()))
    assert name == "报告.pdf"


# Attached with a demand or a step --------------------------------------------------------


def test_a_demand_registers_with_its_files(people, media):
    names = ["营业执照.pdf", "厂房照片.png", "现场.jpg", "情况说明.docx", "用工明细.xlsx"]
    sent = {n: GOOD[n][0]() for n in names}  # built once: a workbook carries its time
    demand = register(people, [upload(n, data) for n, data in sent.items()])
    rows = list(DemandAttachment.objects.filter(demand=demand).order_by("pk"))
    assert [a.name for a in rows] == names
    event = demand.events.get(action=Action.REGISTER)
    for attachment in rows:
        data, mime = sent[attachment.name], GOOD[attachment.name][1]
        assert (attachment.event, attachment.uploaded_by) == (event, people["enterprise"])
        assert (attachment.content_type, attachment.size) == (mime, len(data))
        assert attachment.uploaded_at == demand.registered_at
        assert attachment.file.name.startswith(f"demands/{demand.pk}/")
        path = media / attachment.file.name
        assert path.read_bytes() == data  # stored whole, from its first byte
    assert len(stored(media)) == 5


def test_a_step_attaches_its_files_to_its_event(people, media):
    demand = walk(people, register(people, []), Status.IN_PROGRESS)
    demand = services.demand_step(
        actor=people["lead"],
        demand=demand,
        action=Action.RESOLVE,
        text="已招到普工60名，名单见附件",
        attachments=[upload("用工明细.xlsx"), upload("SCAN.PDF")],
    )
    resolve = demand.events.get(action=Action.RESOLVE)
    assert sorted(resolve.attachments.values_list("name", flat=True)) == [
        "SCAN.PDF",
        "用工明细.xlsx",
    ]
    assert set(resolve.attachments.values_list("uploaded_by", flat=True)) == {people["lead"].pk}
    assert len(stored(media)) == 2


def test_a_file_name_cannot_leave_the_demands_folder(people, media):
    demand = register(people, [upload("../../../报告.pdf", pdf_bytes())])
    attachment = DemandAttachment.objects.get(demand=demand)
    assert attachment.name == "报告.pdf"
    assert attachment.file.name.startswith(f"demands/{demand.pk}/")
    assert [p.relative_to(media).parts[:2] for p in stored(media)] == [("demands", str(demand.pk))]


def test_two_files_of_one_name_are_both_kept(people, media):
    demand = register(people, [upload("营业执照.pdf"), upload("营业执照.pdf")])
    files = {a.file.name for a in demand.attachments.all()}
    assert len(files) == 2 and len(stored(media)) == 2


@pytest.mark.parametrize("bad", list(BAD))
def test_one_bad_file_and_nothing_is_registered(people, media, bad):
    files = [upload("营业执照.pdf"), upload(bad), upload("用工明细.xlsx")]
    with pytest.raises(ValidationError) as error:
        register(people, files)
    assert named(error, bad)
    assert not named(error, "营业执照.pdf") and not named(error, "用工明细.xlsx")
    assert not Demand.objects.exists()
    assert not DemandAttachment.objects.exists()
    assert stored(media) == []


def test_every_bad_file_is_named_at_once(people, media):
    files = [upload("setup.exe"), upload("营业执照.pdf"), upload("照片.pdf"), upload("空文件.pdf")]
    with pytest.raises(ValidationError) as error:
        register(people, files)
    assert len(error.value.messages) == 3
    assert all(named(error, name) for name in ("setup.exe", "照片.pdf", "空文件.pdf"))
    assert stored(media) == []


def test_a_file_over_the_limit_is_refused(people, media):
    files = [upload("营业执照.pdf"), upload("扫描件.pdf", pdf_of_size(1024 * 1024 + 1))]
    with pytest.raises(ValidationError) as error:
        register(people, files)
    assert named(error, "扫描件.pdf")
    assert not Demand.objects.exists() and stored(media) == []


def test_one_bad_file_and_the_step_is_not_taken(people, media):
    demand = walk(people, register(people, [upload("营业执照.pdf")]), Status.IN_PROGRESS)
    events = DemandEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.demand_step(
            actor=people["lead"],
            demand=demand,
            action=Action.RESOLVE,
            text="已解决",
            attachments=[upload("用工明细.xlsx"), upload("说明.docx")],
        )
    assert named(error, "说明.docx")
    assert Demand.objects.get(pk=demand.pk).status == Status.IN_PROGRESS
    assert DemandEvent.objects.count() == events
    assert list(DemandAttachment.objects.values_list("name", flat=True)) == ["营业执照.pdf"]
    assert len(stored(media)) == 1


def test_at_most_the_setting_files_per_demand(people, media, settings):
    settings.GONGXIN_ATTACHMENT_MAX_FILES = 3
    four = [upload(n) for n in ("营业执照.pdf", "厂房照片.png", "现场.jpg", "情况说明.docx")]
    with pytest.raises(ValidationError) as error:
        register(people, four)
    assert len(error.value.messages) == 1 and "3" in error.value.messages[0]  # no file is bad
    assert not Demand.objects.exists() and stored(media) == []
    # Two now, and the files of later steps count with them.
    demand = register(people, four[:2])
    demand = walk(people, demand, Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.demand_step(
            actor=people["lead"],
            demand=demand,
            action=Action.INTERIM,
            text="进展",
            attachments=[upload("现场.jpg"), upload("情况说明.docx")],
        )
    assert demand.attachments.count() == 2 and len(stored(media)) == 2
    services.demand_step(
        actor=people["lead"],
        demand=demand,
        action=Action.INTERIM,
        text="进展",
        attachments=[upload("现场.jpg")],
    )
    assert demand.attachments.count() == 3 and len(stored(media)) == 3


def test_attachments_add_checks_scope_through_the_step(people, media):
    """Files come with a step; a user who may not take the step attaches nothing."""
    demand = walk(people, register(people, []), Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.demand_step(
            actor=people["co"],
            demand=demand,
            action=Action.RESOLVE,
            text="已解决",
            attachments=[upload("营业执照.pdf")],
        )
    assert not DemandAttachment.objects.exists() and stored(media) == []


def test_attachments_add_alone_only_for_those_who_see_the_demand(people, media):
    demand = register(people, [])
    for outsider in ("other_enterprise", "other_district", "lead"):  # not dispatched yet
        with pytest.raises(PermissionDenied):
            services.attachments_add(
                actor=people[outsider], demand=demand, files=[upload("营业执照.pdf")]
            )
    assert not DemandAttachment.objects.exists() and stored(media) == []
    added = services.attachments_add(
        actor=people["desk"], demand=demand, files=[upload("营业执照.pdf")]
    )
    assert [(a.name, a.event, a.uploaded_by) for a in added] == [
        ("营业执照.pdf", None, people["desk"])
    ]
    assert len(stored(media)) == 1
