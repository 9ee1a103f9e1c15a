"""LibreOffice opens the case document (``soffice --headless --convert-to pdf``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile

import pytest

from tests.committee.test_committee_template import make_template


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) must be installed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice (soffice) is not installed here")
    return found


def convert(docx, out_dir, tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", "pdf", "--outdir", str(out_dir), str(docx),
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    pdf = out_dir / (docx.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return pdf.read_bytes()


@pytest.mark.slow
def test_libreoffice_opens_the_case_document(cli, approved, tmp_path):
    soffice()
    template = tmp_path / "skabelon.docx"
    make_template(template)
    cli("area", "set", "Socialområdet", "--committee", "Socialudvalget")
    cli("committee", "item", "--cycle", approved.id, "--meeting", "2026-04-14", "-o", "built.zip")
    cli(
        "committee", "item", "--cycle", approved.id, "--meeting", "2026-04-14",
        "--template", template, "-o", "filled.zip",
    )  # fmt: skip
    for name in ("built", "filled"):
        folder = tmp_path / name
        folder.mkdir()
        docx = folder / "sagsfremstilling.docx"
        docx.write_bytes(zipfile.ZipFile(tmp_path / f"{name}.zip").read("sagsfremstilling.docx"))
        pdf = convert(docx, folder, tmp_path)
        assert pdf.startswith(b"%PDF")
