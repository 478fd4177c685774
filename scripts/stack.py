"""Run the root stack (Pulumi.yaml + __main__.py) with the Pulumi CLI in .venv/bin: `make up` / `make down`.

It selects or creates the stack and sets its config (the local control plane's, or the one in the
environment), then runs the real commands a user types: `pulumi up --yes`, `pulumi stack output`,
`pulumi destroy --yes`.

Fallback: without the Python language host (`pulumi-language-python`, see README "Toolchain") the CLI
cannot start a Python program. Then the Automation API runs the same `__main__.py` as an inline
program: the real CLI and engine drive it through an in-process language server, with the same
state, config and dynamic-provider host as `pulumi up` would use.

    python scripts/stack.py up|preview|refresh|destroy|outputs
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import requests
import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[1]
STACK = os.environ.get("PULUMI_STACK", "dev")
DEMO_PASSPHRASE = "langsmith-local-demo"  # documented in README; override with PULUMI_CONFIG_PASSPHRASE
LOCAL = {
    "langsmith:controlPlaneUrl": "http://127.0.0.1:" + os.environ.get("EMULATOR_PORT", "8124"),
    "langsmith:apiKey": "local-demo-key",
    "langsmith:workspaceId": "11111111-1111-4111-8111-111111111111",
}
FROM_ENV = {
    "langsmith:controlPlaneUrl": "LANGSMITH_CONTROL_PLANE_URL",
    "langsmith:apiKey": "LANGSMITH_API_KEY",
    "langsmith:workspaceId": "LANGSMITH_WORKSPACE_ID",
}


PULUMI = ROOT / ".venv" / "bin" / "pulumi"
LANGUAGE_HOST = "pulumi-language-python"


def has_language_host() -> bool:
    """Where the CLI looks for it: beside its own binary, then on PATH."""
    beside = Path(os.path.realpath(PULUMI)).parent / LANGUAGE_HOST
    return beside.exists() or (PULUMI.parent / LANGUAGE_HOST).exists() or shutil.which(LANGUAGE_HOST) is not None


def program() -> None:
    runpy.run_path(str(ROOT / "__main__.py"), run_name="pulumi_program")


def stack_env() -> dict[str, str]:
    venv_bin = ROOT / ".venv" / "bin"
    return {
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEMO_PASSPHRASE),
        "PULUMI_BACKEND_URL": os.environ.get("PULUMI_BACKEND_URL", f"file://{ROOT / '.pulumi'}"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # Inline programs drop the project's virtualenv option: name the interpreter for the provider host.
        "PULUMI_PYTHON_CMD": str(venv_bin / "python"),
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def open_stack() -> auto.Stack:
    env = stack_env()
    (ROOT / ".pulumi").mkdir(exist_ok=True)
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    return auto.create_or_select_stack(
        stack_name=STACK,
        project_name=project,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(ROOT),
            pulumi_command=auto.PulumiCommand(root=str(ROOT / ".venv")),
            env_vars=env,
            secrets_provider="passphrase",
        ),
    )


def configure(stack: auto.Stack) -> None:
    """Environment values win; with no control plane URL in the environment, use the local one."""
    local = not os.environ.get("LANGSMITH_CONTROL_PLANE_URL")
    current = stack.get_all_config()
    for key, var in FROM_ENV.items():
        value = os.environ.get(var) or (LOCAL[key] if local else None)
        if value is not None:
            stack.set_config(key, auto.ConfigValue(value, secret=key.endswith("apiKey")))
    if "langsmith-demo:openaiApiKey" not in current:
        demo = os.environ.get("OPENAI_API_KEY", "sk-local-demo-not-a-real-key")
        stack.set_config("openaiApiKey", auto.ConfigValue(demo, secret=True))


def print_outputs(stack: auto.Stack) -> None:
    outputs = stack.outputs()
    print("\nOutputs:")
    for key, out in sorted(outputs.items()):
        print(f"  {key:<20} {'[secret]' if out.secret else out.value}")


def pulumi(*args: str) -> int:
    """Run one CLI command in the repository root, printed as a user would type it."""
    print(f"$ pulumi {' '.join(args)}", flush=True)
    env = {k: v for k, v in {**os.environ, **stack_env()}.items() if k != "PULUMI_PYTHON_CMD"}
    return subprocess.run([str(PULUMI), *args], cwd=ROOT, env=env, check=False).returncode


def ask_agent(stack: auto.Stack) -> None:
    """After `make up` on the local control plane: call the demo agent at its URL, as the README shows."""
    url = stack.outputs().get("url")
    if os.environ.get("LANGSMITH_CONTROL_PLANE_URL") or url is None or not url.value:
        return
    ok = requests.get(f"{url.value}/ok", timeout=30)
    print(f"\n$ curl {url.value}/ok\n{ok.text}")
    body = {"assistant_id": "agent", "input": {"message": "hello from make up"}}
    run = requests.post(f"{url.value}/runs/wait", json=body, timeout=60)
    print(f"$ curl -X POST {url.value}/runs/wait -d '{json.dumps(body)}'\n{run.text}", flush=True)


CLI_COMMANDS = {
    "up": [("up", "--yes"), ("stack", "output")],
    "preview": [("preview",)],
    "refresh": [("refresh", "--yes")],
    "destroy": [("destroy", "--yes")],
    "outputs": [("stack", "output")],
}


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command not in CLI_COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    stack = open_stack()
    if command in ("up", "preview", "refresh"):
        configure(stack)
    if has_language_host():
        for args in CLI_COMMANDS[command]:
            rc = pulumi(*args, "--stack", STACK)
            if rc:
                return rc
        if command == "up":
            ask_agent(stack)
        return 0
    print(
        f"[stack] no {LANGUAGE_HOST} (README: Toolchain): running __main__.py through the Automation API",
        flush=True,
    )
    if command == "up":
        stack.up(on_output=print, color="never")
        print_outputs(stack)
        ask_agent(stack)
    elif command == "preview":
        stack.preview(on_output=print, color="never")
    elif command == "refresh":
        stack.refresh(on_output=print, color="never")
    elif command == "destroy":
        stack.destroy(on_output=print, color="never")
    else:
        print_outputs(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
