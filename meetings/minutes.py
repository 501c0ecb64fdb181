"""The minutes as a PDF (WeasyPrint, Noto CJK as the annual report), with the decisions table."""

from django.template.loader import render_to_string
from django.utils import translation

CSS = """
@page { size: A4; margin: 20mm 18mm; @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; } }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10.5pt; line-height: 1.6; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 12pt; margin: 6mm 0 2mm; }
.meta { text-align: center; color: #333; margin-bottom: 6mm; }
.demo { color: #a00; text-align: center; font-weight: bold; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.6pt solid #555; padding: 1.5mm 2mm; vertical-align: top; }
th { background: #e8eef5; font-family: "Noto Sans CJK SC", sans-serif; }
thead { display: table-header-group; } tr { break-inside: avoid; }
.decisions th, .decisions td { white-space: nowrap; }
.decisions .text { white-space: normal; width: 100%; }
"""


def render_pdf(meeting) -> bytes:
    from weasyprint import CSS as Stylesheet
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override("zh-hans"):
        html = render_to_string("meetings/minutes.html", {"meeting": meeting})
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[Stylesheet(string=CSS, url_fetcher=fetcher)])
