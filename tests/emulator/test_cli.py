"""The command line: defaults, argument validation, and a server that prints no request data."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from langsmith_emulator.testing import API_KEY, TENANT_ID, free_port

from .conftest import DEFAULT_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def _wait_ok(url, process):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if requests.get(f"{url}/ok", timeout=5).json() == {"ok": True}:
                return
        except requests.RequestException:  # not listening yet, or too busy to answer in time (CPU load)
            time.sleep(0.05)
    raise AssertionError("emulator did not start")


def test_default_database_location_and_silent_server(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # No PYTHONPATH: the installed package (editable or not) is what a user runs.
    env = {"PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, "-m", "langsmith_emulator", "--port", str(port), "--build-seconds", "0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ok(url, process)
        assert (tmp_path / ".emulator" / "control-plane.sqlite3").exists()
        headers = {"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID}
        secret = "sk-super-secret-value-42"
        body = {
            "name": "quiet",
            "source": "external_docker",
            "source_config": {"resource_spec": {}},
            "source_revision_config": {"image_uri": "img:1"},
            "secrets": [{"name": "TOKEN", "value": secret}],
        }
        assert requests.post(f"{url}/v2/deployments", json=body, headers=headers).status_code == 201
        assert requests.post(f"{url}/v2/deployments", json=body, headers=headers).status_code == 409
        bad = {**body, "source": 42}
        assert requests.post(f"{url}/v2/deployments", json=bad, headers=headers).status_code == 422
        settings = requests.get(f"{url}/_emulator/settings").json()
        assert settings == {**DEFAULT_SETTINGS, "build_seconds": 0.1}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why it stopped.
    assert process.returncode in (0, -signal.SIGTERM)
    assert secret.encode() not in output
    assert b"Traceback" not in output


def test_invalid_arguments_are_rejected():
    for args in (
        ["--fault-rate", "1.5"],
        ["--build-seconds", "-1"],
        ["--port", "x"],
        ["--api", "older"],
        ["--max-agent-servers", "0"],
        ["--agent-idle-seconds", "0"],
        ["--upload-url-seconds", "0"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "langsmith_emulator", *args], capture_output=True, cwd=ROOT, timeout=30
        )
        assert result.returncode == 2
        assert b"usage: langsmith-emulator" in result.stderr


def test_agent_runner_flags():
    from langsmith_emulator.__main__ import parse_args

    config = parse_args(
        ["--run-agents", "--agent-cache", "/tmp/x", "--max-agent-servers", "3", "--agent-idle-seconds", "60"]
    )
    assert config.settings.run_agents and config.agent_cache == "/tmp/x"
    assert (config.max_agent_servers, config.agent_idle_seconds) == (3, 60.0)
    default = parse_args([])
    assert (default.settings.run_agents, default.agent_cache, default.agent_idle_seconds) == (False, None, None)
    assert parse_args(["--upload-url-seconds", "30"]).settings.upload_url_seconds == 30.0


def test_logged_exceptions_keep_the_traceback_but_not_the_message():
    import logging

    from langsmith_emulator.server import RedactExceptionMessages

    secret = "-".join(["sk", "super", "secret"])  # built at run time, so no source line shows it
    try:
        raise ValueError(f"input was {secret}")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    assert RedactExceptionMessages().filter(record)
    text = logging.Formatter().format(record)
    assert secret not in text
    assert "ValueError: <message redacted>" in text and "test_cli.py" in text


def test_agent_mapping_flags(tmp_path):
    from langsmith_emulator.__main__ import parse_args

    config = parse_args(
        [
            "--run-agents",
            f"--agent-repo=https://github.com/Acme/Agent.git={tmp_path}",
            f"--agent-image=registry.example.com:5000/team/agent:v1={tmp_path}",
        ]
    )
    assert config.settings.agent_repos == {"https://github.com/acme/agent": str(tmp_path)}
    assert config.settings.agent_images == {"registry.example.com:5000/team/agent": str(tmp_path)}
    for args in (
        [f"--agent-repo=https://github.com/a/b={tmp_path}"],  # without --run-agents
        ["--run-agents", f"--agent-repo=https://github.com/a/b={tmp_path / 'missing'}"],
        ["--run-agents", "--agent-image=no-directory-given"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "langsmith_emulator", *args], capture_output=True, cwd=ROOT, timeout=30
        )
        assert result.returncode == 2, args
        assert b"--agent-" in result.stderr


def test_mapping_keys_are_normalised():
    from langsmith_emulator.agents.mapping import image_repository, mapped_dir, normalise_repo

    assert normalise_repo("https://github.com/Acme/Agent.git/") == "https://github.com/acme/agent"
    pinned = "registry.example.com:5000/team/agent:v1@sha256:abc"
    assert image_repository(pinned) == "registry.example.com:5000/team/agent"
    assert image_repository("agent") == "agent" and image_repository("localhost:5000/agent") == "localhost:5000/agent"
    repos, images = {"https://github.com/acme/agent": "/a"}, {"registry.example.com/agent": "/b"}
    assert mapped_dir("github", "https://github.com/ACME/agent", None, repos, images) == "/a"
    assert mapped_dir("external_docker", None, "registry.example.com/agent@sha256:1", repos, images) == "/b"
    assert mapped_dir("external_docker", None, "registry.example.com/other:1", repos, images) is None
    assert mapped_dir("internal_source", None, None, repos, images) is None
