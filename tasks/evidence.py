"""Evidence files are checked by parsing what they contain, not by their name or first bytes.

Magic bytes alone let through a page of HTML behind "%PDF-1.4", HTML behind a JPEG marker, a zip bomb named
.xlsx, any zip named .docx. So each accepted kind is opened by a real parser, within bounds: a PDF must parse
and have pages, an image must decode (Pillow, with its decompression-bomb limit), an Office file must be a sane
zip (few parts, bounded unpacked size and ratio, no paths out of the archive) whose content-types and main
part are well-formed XML. Accepted files are still served only as attachments with nosniff (tasks.views).

`check_evidence_file` is the one entry point: the upload service calls it, and so may a form.
"""

from __future__ import annotations

import io
import logging
import posixpath
import uuid
import zipfile

import filetype
import pypdf
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

# extension -> the MIME types its content may sniff as
ALLOWED = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    "doc": {"application/msword", "application/x-ole-storage"},
    "xls": {"application/vnd.ms-excel", "application/x-ole-storage"},
}
# The part every real file of the kind has, which must parse as XML with this root element.
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
OOXML_ROOT = {"docx": "document", "xlsx": "workbook", "pptx": "presentation"}
OOXML_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Bounds for an Office file: far above real documents (a 20 MB upload of photos unpacks to about 20 MB;
# XML compresses ten- to thirty-fold), far below what ties up a worker or a reader's computer.
MAX_PARTS = 5_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_XML_PART_BYTES = 50 * 1024 * 1024
# A photo of a site or a scanned page; more pixels than this is a decompression bomb, not evidence.
MAX_IMAGE_PIXELS = 100_000_000
# The name shown and offered on download; the file on disk gets a generated name (see evidence_path).
MAX_NAME_CHARS = 200


class _Refused(Exception):
    """The content is not a sound file of its kind; the message (optional) says how."""


def sniff(head: bytes) -> str:
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    kind = filetype.guess(head)
    return kind.mime if kind else ""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def stored_name(name: str) -> str:
    """A generated file name that no user text reaches: the file system limits bytes, not characters."""
    return f"{uuid.uuid4().hex}.{extension_of(name)}"


def display_name(name: str) -> str:
    """The user's file name without folders or control characters, shortened in the middle if very long."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    if len(name) <= MAX_NAME_CHARS:
        return name
    extension = extension_of(name)
    keep = MAX_NAME_CHARS - len(extension) - 2
    return f"{name[:keep]}….{extension}"


def check_evidence_file(upload) -> str:
    """Return the content type of an acceptable file, or raise ValidationError in the user's language."""
    name = display_name(upload.name)
    extension = extension_of(name)
    if extension not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: PDF, images (PNG, JPG) and Office files.")
            % {"name": name}
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _(
                "“%(name)s” is larger than %(limit)s, the most one file may be: compress it or split it, then upload again."
            )
            % {"name": name, "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    mime = sniff(data[:8192])
    try:
        if mime not in ALLOWED[extension]:
            raise _Refused
        VERIFIERS[extension](data, extension)
    except Exception as refused:  # whatever a parser raises on a hostile file, it is not a sound file
        reasons = refused.args if isinstance(refused, _Refused) else ()
        message = _("The content of “%(name)s” does not match its name: it is not a real %(ext)s file.") % {
            "name": name,
            "ext": extension.upper(),
        }
        raise ValidationError(" ".join([message, *map(str, reasons)])) from None
    return OOXML_MIME.get(extension, mime)


def _verify_pdf(data: bytes, _extension: str) -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise _Refused(_("Remove the password from the PDF before uploading it."))
    if len(reader.pages) < 1:
        raise _Refused


def _verify_image(data: bytes, extension: str) -> None:
    with Image.open(io.BytesIO(data)) as image:
        if image.format != IMAGE_FORMATS[extension] or image.width * image.height > MAX_IMAGE_PIXELS:
            raise _Refused
        image.verify()  # the file's structure (chunks and their checksums)
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes every pixel: a marker followed by anything else fails here


def _verify_ooxml(data: bytes, extension: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _Refused
        unpacked = sum(p.file_size for p in parts)
        for part in parts:
            if part.filename.startswith("/") or ".." in part.filename.split("/"):
                raise _Refused
            if part.file_size > MAX_RATIO * max(part.compress_size, 1) and part.file_size > 1024 * 1024:
                raise _Refused(_("It unpacks to far more than its size (a “zip bomb”)."))
        if unpacked > MAX_UNPACKED_BYTES:
            raise _Refused(_("It unpacks to far more than its size (a “zip bomb”)."))
        for name, root in (("[Content_Types].xml", "Types"), (OOXML_MAIN_PART[extension], OOXML_ROOT[extension])):
            info = archive.getinfo(name)  # KeyError when the part is missing
            if info.file_size > MAX_XML_PART_BYTES:
                raise _Refused
            if ElementTree.fromstring(archive.read(info)).tag.rsplit("}", 1)[-1] != root:
                raise _Refused


def _verify_ole(data: bytes, _extension: str) -> None:
    """Legacy .doc/.xls: the compound-file header must be sane (byte order, sector sizes)."""
    if len(data) < 512 or data[28:30] != b"\xfe\xff" or data[30:32] not in (b"\x09\x00", b"\x0c\x00"):
        raise _Refused
    if data[32:34] != b"\x06\x00":
        raise _Refused


VERIFIERS = {
    "pdf": _verify_pdf,
    "png": _verify_image,
    "jpg": _verify_image,
    "jpeg": _verify_image,
    "docx": _verify_ooxml,
    "xlsx": _verify_ooxml,
    "pptx": _verify_ooxml,
    "doc": _verify_ole,
    "xls": _verify_ole,
}
