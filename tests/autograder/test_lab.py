"""`make lab`'s last step: JupyterLab starts on the student's folder and prints its URL."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from autograder.student.lab import free_port


def test_lab_starts_headless_and_prints_the_url(tmp_path):
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "hello.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    port = free_port(18888)
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "lab", "--skip-release", "--student-dir", str(tmp_path / "student"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "the lab command exited before printing a URL"
            m = re.search(r"Open: (http://127\.0\.0\.1:(\d+)/lab\?token=(\w+))", line)
            if m:
                url, token = m.group(1), m.group(3)
        assert url and f":{port}/" in url
        status = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, "JupyterLab exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=2) as r:
                    status = json.load(r)
                break
            except OSError:
                time.sleep(0.3)
        assert status is not None, "JupyterLab did not answer within 60 s"
        assert [c["name"] for c in status["content"]] == ["hello.ipynb"]  # served from the student folder
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
