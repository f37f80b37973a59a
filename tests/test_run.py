"""`make run`: honcho starts config/Procfile.dev (web, worker, beat) and one
Ctrl-C stops all of them, leaving nothing behind."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults import spare_port

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)  # noqa: S310 (a local http URL)
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the server is up
    except OSError:
        return False
    return True


def _processes_with(marker: str) -> list[int]:
    """Our processes whose environment carries marker: whatever honcho
    started, however deep, wherever it was reparented to."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone, or not ours
        if marker.encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.worker
def test_make_run_processes_stop_together_on_one_ctrl_c(tmp_path):
    port = spare_port()
    marker = f"VAR_DIR={tmp_path / 'var'}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORT"}}
    env |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "honcho.log").open("wb")
    # Its own process group, as a terminal gives a foreground job: Ctrl-C is
    # SIGINT to the whole group.
    honcho = subprocess.Popen(
        [str(VENV_BIN / "honcho"), "--no-colour", "-f", "config/Procfile.dev", "start", "-p", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = tmp_path / "honcho.log"
    try:
        assert _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/"), 90), output.read_text()
        assert _wait_for(lambda: b" ready." in output.read_bytes(), 90), output.read_text()
        assert _wait_for(lambda: b"beat: Starting" in output.read_bytes(), 30), output.read_text()
        started = _processes_with(marker)

        os.killpg(honcho.pid, signal.SIGINT)
        stopping = time.monotonic()
        honcho.wait(timeout=15)
        all_gone = _wait_for(lambda: not _processes_with(marker), 10 - (time.monotonic() - stopping))
        stopped_after = time.monotonic() - stopping

        assert len(started) >= 6  # honcho, web (+ its reloader), worker (+ 2 children), beat
        assert all_gone, (_processes_with(marker), output.read_text())
        assert stopped_after < 10
        assert not _answers(f"http://127.0.0.1:{port}/")
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)
        if honcho.poll() is None:
            honcho.kill()
            honcho.wait()
        log.close()
