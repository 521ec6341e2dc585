"""Reading the PDFs the app makes, for tests: the text (a Chinese line joined back where it wrapped) and the fonts,
which must be embedded Noto CJK SC faces (core.pdf embeds them: a letter prints the same on any machine)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def read_pdf(pdf: bytes) -> tuple[PdfReader, str]:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # a Chinese line wraps anywhere, even inside an org's name: join the lines of a paragraph back
    return reader, re.sub(r"(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])", "", text)


def pdf_fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font the pages use; a composite (Type0) font is embedded when its
    descendant font carries the font program."""

    def embedded(font) -> bool:
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return True
        return any(embedded(d.get_object()) for d in font.get("/DescendantFonts", []))

    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            found.append((str(font["/BaseFont"]), embedded(font)))
    return found


def assert_cjk_fonts_embedded(reader: PdfReader) -> None:
    fonts = pdf_fonts(reader)
    assert fonts, "the pages use no font"
    for name, embedded in fonts:
        assert embedded, f"{name} is not embedded"
        assert "CJK" in name and "SC" in name, f"{name} is not a Noto CJK SC face"
