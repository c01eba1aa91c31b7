"""PDF of a letter: the very ``.docx`` converted by LibreOffice, Chinese fonts embedded.

Why LibreOffice rather than Chromium printing an HTML rendering: the PDF is then the same
document as the ``.docx`` the bureau stamps — one layout, not two renderers that may break
lines differently — and LibreOffice embeds (subsets of) the CJK fonts as real text. Measured
here: ~2 s per letter after start-up (one ``soffice`` call converts a whole batch), +197 MB
installed (``libreoffice-writer-nogui``). Chromium stays the renderer of the archived reports.

Each conversion uses its own LibreOffice profile, so it neither waits for nor disturbs a desktop
LibreOffice the same user may have open.

The .docx names the official fonts (仿宋_GB2312, 方正小标宋简体, …), which this machine usually
lacks; ``substitutes`` (official name → installed family) is handed to LibreOffice as a
fontconfig file for this conversion only, so the PDF is set in the installed Noto CJK fonts
while the .docx keeps the official names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from casework.documents.fonts import fontconfig_file
from casework.errors import CaseworkError

TIMEOUT_S = 180


class ConverterMissing(CaseworkError):
    """LibreOffice (``soffice``) is not installed."""


def soffice() -> str:
    """The LibreOffice executable, or ConverterMissing naming the package to install."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise ConverterMissing(
            "未安装 LibreOffice，无法生成 PDF：请执行 make system-deps（libreoffice-writer-nogui）"
        )
    return exe


def docx_to_pdf(
    sources: Sequence[Path], outdir: Path, substitutes: Mapping[str, str] | None = None
) -> list[Path]:
    """Convert ``.docx`` files to PDF in ``outdir`` in one LibreOffice run; returns the PDFs.

    The PDFs are written to a scratch folder first and moved into ``outdir`` only when every one
    of them was made, so a failed batch leaves nothing half-made behind.
    """
    if not sources:
        return []
    exe = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="casework-lo-") as scratch:
        profile = Path(scratch, "profile").as_uri()
        made = Path(scratch, "out")
        cmd = [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(made),
            *(str(s) for s in sources),
        ]
        env = dict(os.environ)
        if substitutes:
            env["FONTCONFIG_FILE"] = str(fontconfig_file(substitutes, Path(scratch)))
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=env
        )
        results = [made / f"{Path(s).stem}.pdf" for s in sources]
        missing = [p.name for p in results if not p.exists() or p.stat().st_size == 0]
        if done.returncode != 0 or missing:
            raise CaseworkError(
                f"LibreOffice 转换 PDF 失败（{', '.join(missing) or done.returncode}）："
                f"{(done.stderr or done.stdout)[-500:]}"
            )
        return [Path(shutil.move(str(p), outdir / p.name)) for p in results]
