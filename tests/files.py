"""Small real files for upload tests, made by the libraries that also check them."""

import io

import pypdf
from PIL import Image


def one_page_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind: str = "JPEG", size=(4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, kind)
    return out.getvalue()
