"""Running the gateway: one process, or several workers sharing a port.

One process runs the application with an :class:`aiohttp.web.AppRunner`. On
SIGTERM (or SIGINT) it closes its listening sockets, gives the calls in
flight up to ``ops.shutdown_grace_period`` seconds to finish, closes the
adapters and returns normally, so the process exits 0.

With ``workers > 1`` this process becomes a supervisor: it starts that many
worker processes, each listening on the same address with ``SO_REUSEPORT``
so the kernel spreads connections between them, forwards SIGTERM/SIGINT to
them and waits for them. Their metrics are summed through prometheus-client's
multiprocess directory. A worker that dies on its own stops the others and
the supervisor exits 1, for the service manager to restart it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from multiprocessing.connection import wait
from types import FrameType

import structlog
from aiohttp import web
from prometheus_client.multiprocess import mark_process_dead

from gateway.adapter import BackendUnavailable
from gateway.app import create_app
from gateway.config import Config
from gateway.logs import configure_logging
from gateway.ops.app import create_ops_app
from gateway.ops.metrics import MULTIPROCESS_DIR_ENV
from gateway.plugins import PluginError

log = structlog.get_logger("gateway.serve")

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def serve(config: Config, *, workers: int = 1) -> int:
    """Serve ``config`` until SIGTERM or SIGINT; the process exit status."""
    if workers == 1:
        return _run(config, reuse_port=False)
    if config.server.port == 0 or config.ops.port == 0:
        log.error("several workers need fixed ports", workers=workers)
        return 2
    return _supervise(config, workers)


async def run_server(config: Config, *, reuse_port: bool) -> None:
    """Listen, serve until a stop signal, then shut down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)

    app = create_app(config)
    grace = config.ops.shutdown_grace_period
    runners = [web.AppRunner(app, access_log=None, shutdown_timeout=grace)]
    listeners = [(runners[0], config.server.host, config.server.port)]
    if config.ops.port is not None:
        ops_runner = web.AppRunner(create_ops_app(app), access_log=None, shutdown_timeout=grace)
        runners.append(ops_runner)
        listeners.append((ops_runner, config.ops.host or config.server.host, config.ops.port))
    try:
        for runner in runners:
            await runner.setup()
        for runner, host, port in listeners:
            await web.TCPSite(runner, host, port, reuse_port=reuse_port).start()
        log.info(
            "listening",
            url=f"http://{config.server.host}:{config.server.port}{config.server.base_path}",
            addresses=[f"{host}:{port}" for _, host, port in _bound(runners)],
            config=config.source,
        )
        await stop.wait()
        log.info("shutting down", grace_period_s=grace)
    finally:
        # The gateway first: stop accepting, let calls in flight finish, close adapters.
        for runner in runners:
            await runner.cleanup()
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)


def _bound(runners: list[web.AppRunner]) -> list[tuple[web.AppRunner, str, int]]:
    return [(runner, *address[:2]) for runner in runners for address in runner.addresses]


def _run(config: Config, *, reuse_port: bool) -> int:
    """Serve in this process; the exit status, 1 when it could not start."""
    try:
        asyncio.run(run_server(config, reuse_port=reuse_port))
    except OSError as exc:
        log.error("cannot listen", reason=str(exc))
        return 1
    except (BackendUnavailable, PluginError) as exc:
        log.error("an adapter could not start", reason=str(exc))
        return 1
    return 0


# --- several workers ---------------------------------------------------------


def _worker(config: Config) -> None:
    configure_logging(config.logging.level, config.logging.format)
    # The supervisor forwards the stop signal; a Ctrl-C reaching the whole
    # process group is handled the same way by run_server.
    sys.exit(_run(config, reuse_port=True))


def _supervise(config: Config, workers: int) -> int:
    own_dir = MULTIPROCESS_DIR_ENV not in os.environ
    metrics_dir = (
        tempfile.mkdtemp(prefix="retailops-gateway-metrics-")
        if own_dir
        else os.environ[MULTIPROCESS_DIR_ENV]
    )
    # Spawned workers start fresh interpreters that read this before any metric exists.
    os.environ[MULTIPROCESS_DIR_ENV] = metrics_dir
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(config,), name=f"gateway-worker-{index}")
        for index in range(workers)
    ]
    stopping = False

    def stop_workers(signum: int, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    previous = {signum: signal.signal(signum, stop_workers) for signum in _STOP_SIGNALS}
    failed = False
    try:
        for process in processes:
            process.start()
        log.info("workers started", pids=[process.pid for process in processes])
        if stopping:  # a stop signal came while they were starting
            stop_workers(signal.SIGTERM)
        running = list(processes)
        while running:
            wait([process.sentinel for process in running], timeout=1.0)
            for process in [p for p in running if not p.is_alive()]:
                running.remove(process)
                mark_process_dead(process.pid, metrics_dir)  # type: ignore[no-untyped-call]
                # A worker still starting when told to stop dies of the signal itself.
                if process.exitcode not in (0, -signal.SIGTERM) or not stopping:
                    failed = True
                    log.error("worker exited", pid=process.pid, exit_code=process.exitcode)
                if not stopping and running:
                    stop_workers(signal.SIGTERM)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if own_dir:
            del os.environ[MULTIPROCESS_DIR_ENV]
            shutil.rmtree(metrics_dir, ignore_errors=True)
    log.info("workers stopped")
    return 1 if failed else 0
