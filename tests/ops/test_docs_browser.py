"""Swagger UI at /docs, loaded in headless Chromium from the gateway alone (no internet).

The screenshot is kept in tests/artifacts/docs.png for a person to look at.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from gateway.contract import ACTIONS
from tests.conftest import GatewayFactory
from tests.ops.support import probe_config

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_TIMEOUT = 90.0
# Headless, no sandbox (CI runs as root), and nothing that reaches beyond the page.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    # Virtual time runs until the page is idle (scripts loaded, document fetched, rendered).
    "--virtual-time-budget=15000",
)


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary on PATH (Debian package 'chromium', installed by .ci/run)")


async def run_chromium(url: str, work: Path, *options: str) -> bytes:
    """Chromium's standard output for ``url``, with a profile of its own in ``work``.

    A fresh profile each run: a second browser on a profile still locked by the
    first would hand its work to that one and exit at once.
    """
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    process = await asyncio.create_subprocess_exec(
        chromium_binary(),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        *options,
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(), CHROMIUM_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, errors.decode(errors="replace")[-2000:]
    return output


async def test_swagger_ui_lists_the_11_calls(gateway: GatewayFactory, tmp_path: Path) -> None:
    chromium_binary()
    client = await gateway(probe_config())
    url = str(client.client.make_url("/docs"))

    dom = (await run_chromium(url, tmp_path, "--dump-dom")).decode()
    listed = re.findall(r'id="operations-(?!tag-)[a-z]+-([a-z_]+)"', dom)
    assert sorted(listed) == sorted(ACTIONS)
    assert "OAS 3.1" in dom

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "docs.png"
    screenshot.unlink(missing_ok=True)
    await run_chromium(url, tmp_path, "--window-size=1280,1800", f"--screenshot={screenshot}")
    image = screenshot.read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(image) > 20_000  # a rendered page, not a blank one
