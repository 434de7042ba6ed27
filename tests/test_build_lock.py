"""One index build per SHELFMAP_HOME: a second one fails at once with one line naming
the first; a killed holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import build_lock

CLI = Path(sys.executable).with_name("shelfmap")


def test_a_second_holder_is_refused_at_once_and_the_lock_is_free_after(tmp_path):
    path = build_lock.path_for(tmp_path)
    me = {**build_lock.whoami(), "index": "shelfmap-20260101000000000000"}
    with build_lock.held(path, me):
        assert build_lock.holder(path).items() >= me.items()
        started = time.monotonic()
        with pytest.raises(build_lock.BuildRunning,
                           match=rf"another `shelfmap index` is running from {tmp_path} "
                                 rf"\(pid {os.getpid()} on .+, building "
                                 r"shelfmap-20260101000000000000\); wait for it to finish"):
            with build_lock.held(path, build_lock.whoami()):
                pass
        assert time.monotonic() - started < 1
    assert build_lock.holder(path) is None
    with build_lock.held(path, build_lock.whoami()):
        pass


def test_shelfmap_index_refuses_while_another_build_holds_the_home(tmp_path):
    home = tmp_path / "home"
    me = {**build_lock.whoami(), "index": "shelfmap-x"}
    with build_lock.held(build_lock.path_for(home), me):
        started = time.monotonic()
        done = subprocess.run([str(CLI), "index"], capture_output=True, text=True, timeout=60,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                   "SHELFMAP_HOME": str(home)})
        took = time.monotonic() - started
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: another `shelfmap index` is running from {home} "
        f"({build_lock.describe(me)}); wait for it to finish"]
    assert took < 20  # the time to start the command: it waits for nothing


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    path = build_lock.path_for(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from index import build_lock\n"
         "with build_lock.held(build_lock.path_for(sys.argv[1]), build_lock.whoami()):\n"
         "    print('held', flush=True); time.sleep(60)\n", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert build_lock.holder(path)["pid"] == holder.pid
        with pytest.raises(build_lock.BuildRunning):
            with build_lock.held(path, build_lock.whoami()):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        # The kernel released the lock with the process; the file still names it, but
        # holder() sees the process is gone.
        assert build_lock.holder(path) is None
        with build_lock.held(path, build_lock.whoami()):
            pass
    finally:
        holder.kill()
        holder.wait()
