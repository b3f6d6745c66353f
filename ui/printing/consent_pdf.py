"""The citizen's authorisation (授权书) as a PDF."""

from __future__ import annotations

from pathlib import Path

from desktop.documents.consent import ConsentData, consent_document
from ui.printing.pdf import write_pdf


def render_consent_pdf(data: ConsentData, path: Path | str) -> Path:
    """Validate `data` and write its form to `path`; raises DocumentDataError or DocumentOutputError."""
    return write_pdf(consent_document(data), path)
