"""pytest plugin (entry point ``pytest11``): a summary of each conformance run at the end.

Loaded by pytest wherever retailops-gateway is installed; it only reads the
reports of ``test_conformance[...]`` tests, and prints nothing when there are none.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pytest import TerminalReporter

from gateway.testing.checks import CHECKS

_MARKER = "::test_conformance["


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    tally: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            suite, marker, _ = getattr(report, "nodeid", "").partition(_MARKER)
            if marker and (outcome != "passed" or report.when == "call"):
                tally[suite][outcome] += 1
    if not tally:
        return
    terminalreporter.section("adapter conformance")
    for suite, counts in sorted(tally.items()):
        terminalreporter.line(
            f"{suite}: {counts['passed']} passed, {counts['failed'] + counts['error']} failed, "
            f"{counts['skipped']} skipped (of {len(CHECKS)} checks)"
        )
