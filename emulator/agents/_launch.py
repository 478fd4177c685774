"""Agent Server launcher, run by the agent's own virtualenv interpreter (not the emulator's).

It does what `langgraph dev` does (`langgraph_cli.cli.dev` -> `langgraph_api.cli.run_server`) minus
the reload, browser, tunnel and PyPI version check, and it exits when its supervisor goes away so a
killed emulator leaves no server behind. Standard library only: it runs before anything else is known
to be importable. Usage: python _launch.py SPEC_JSON  (host, port, graphs, ...).
"""

import json
import os
import sys
import threading
import time


def _exit_with_parent(parent_pid: int) -> None:
    # Reparenting means the supervisor died without stopping us: take our process group down.
    while True:
        if os.getppid() != parent_pid:
            os.killpg(os.getpgrp(), 9)
        time.sleep(0.5)


def main() -> None:
    spec = json.loads(sys.argv[1])
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    from langgraph_api.cli import run_server

    run_server(
        spec["host"],
        int(spec["port"]),
        False,
        spec["graphs"],
        open_browser=False,
        studio_url="http://127.0.0.1",
        env=None,
        server_level=spec.get("server_level", "INFO"),
        http=spec.get("http"),
        store=spec.get("store"),
        auth=spec.get("auth"),
        checkpointer=spec.get("checkpointer"),
    )


if __name__ == "__main__":
    main()
