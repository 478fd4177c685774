"""`langsmith-emulator` (= `python -m langsmith_emulator`): run the control-plane emulator (see its README)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

from .agents.build import CACHE_ENV_VAR, DEFAULT_CACHE_DIR
from .agents.mapping import MappingError, parse_mapping
from .apishape import API_SHAPES
from .config import DEFAULT_DB, DEFAULT_HOST, DEFAULT_PORT, SECRET_MASKING, EmulatorConfig, Settings


def parse_args(argv: Sequence[str] | None = None) -> EmulatorConfig:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="langsmith-emulator", description="Local LangSmith Deployment control plane emulator."
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--db", default=DEFAULT_DB, help="SQLite file, or :memory: (default: %(default)s)")
    parser.add_argument("--build-seconds", type=float, default=defaults.build_seconds)
    parser.add_argument("--deploy-seconds", type=float, default=defaults.deploy_seconds)
    parser.add_argument("--delete-seconds", type=float, default=defaults.delete_seconds)
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate, help="0..1")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--api",
        choices=API_SHAPES,
        default=defaults.api,
        help="API shape: 'current' (today's service) or 'spec' (only the vendored spec; default: %(default)s)",
    )
    parser.add_argument(
        "--keep-revisions",
        type=int,
        default=defaults.keep_revisions,
        help="keep at most N revisions per deployment, pruning the oldest finished ones (0: all; default: %(default)s)",
    )
    parser.add_argument(
        "--mask-secrets",
        nargs="?",
        const="mask",
        choices=SECRET_MASKING,
        default=defaults.mask_secrets,
        help="secret values in Deployment bodies: off, mask ('********', the bare flag) or absent"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        metavar="RPS",
        help="answer 429 above RPS requests per second per API key (0: no limit; default: %(default)s)",
    )
    parser.add_argument(
        "--rate-burst",
        type=int,
        default=None,
        metavar="N",
        help="bucket size of --rate-limit (default: one second's worth)",
    )
    parser.add_argument(
        "--upload-url-seconds",
        type=float,
        default=defaults.upload_url_seconds,
        help="how long an upload URL accepts its PUT (default: %(default)s)",
    )
    parser.add_argument(
        "--run-agents",
        action="store_true",
        default=defaults.run_agents,
        help="really build and serve internal_source revisions as Agent Servers (default: simulated)",
    )
    parser.add_argument(
        "--agent-cache",
        default=None,
        metavar="DIR",
        help=f"agent environments and unpacked revisions (default: ${CACHE_ENV_VAR} or {DEFAULT_CACHE_DIR})",
    )
    parser.add_argument(
        "--agent-repo",
        action="append",
        default=[],
        metavar="REPO_URL=DIR",
        help="with --run-agents: build and serve DIR (a git checkout: at the revision's repo_ref) for github "
        "deployments of REPO_URL (repeatable; default: simulated)",
    )
    parser.add_argument(
        "--agent-image",
        action="append",
        default=[],
        metavar="IMAGE=DIR",
        help="with --run-agents: build and serve DIR for external_docker deployments of IMAGE, any tag or "
        "digest (repeatable; default: simulated)",
    )
    parser.add_argument("--max-agent-servers", type=int, default=8, help="running Agent Servers at most (default: 8)")
    parser.add_argument(
        "--agent-idle-seconds", type=float, default=None, help="stop an Agent Server idle this long (default: never)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        help="accept only this key (repeatable); without it any non-empty key is accepted",
    )
    args = parser.parse_args(argv)
    for name in ("build_seconds", "deploy_seconds", "delete_seconds"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0")
    if args.upload_url_seconds <= 0:
        parser.error("--upload-url-seconds must be > 0")
    if args.max_agent_servers < 1:
        parser.error("--max-agent-servers must be >= 1")
    if args.agent_idle_seconds is not None and args.agent_idle_seconds <= 0:
        parser.error("--agent-idle-seconds must be > 0")
    repos: dict[str, str] = {}
    images: dict[str, str] = {}
    try:
        for target, kind, given in ((repos, "repo", args.agent_repo), (images, "image", args.agent_image)):
            target.update(parse_mapping(arg, kind) for arg in given)
    except MappingError as exc:
        parser.error(str(exc))
    if (repos or images) and not args.run_agents:
        parser.error("--agent-repo and --agent-image need --run-agents")
    if args.keep_revisions < 0:
        parser.error("--keep-revisions must be >= 0")
    if not 0 <= args.fault_rate <= 1:
        parser.error("--fault-rate must be between 0 and 1")
    if not 0 <= args.rate_limit < math.inf:  # also refuses nan
        parser.error("--rate-limit must be a finite number >= 0")
    if args.rate_burst is not None and args.rate_burst < 1:
        parser.error("--rate-burst must be >= 1")
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        db=args.db,
        settings=Settings(
            build_seconds=args.build_seconds,
            deploy_seconds=args.deploy_seconds,
            delete_seconds=args.delete_seconds,
            fault_rate=args.fault_rate,
            seed=args.seed,
            api=args.api,
            keep_revisions=args.keep_revisions,
            mask_secrets=args.mask_secrets,
            rate_limit=args.rate_limit or None,
            rate_burst=args.rate_burst,
            upload_url_seconds=args.upload_url_seconds,
            run_agents=args.run_agents,
            agent_repos=repos,
            agent_images=images,
        ),
        api_keys=tuple(args.api_keys),
        agent_cache=args.agent_cache,
        max_agent_servers=args.max_agent_servers,
        agent_idle_seconds=args.agent_idle_seconds,
    )


def main(argv: Sequence[str] | None = None) -> None:
    from .schema import IncompatibleDatabase
    from .server import serve  # imported late so `--help` stays fast

    config = parse_args(argv)
    try:
        serve(config)
    except IncompatibleDatabase as exc:  # one line, no traceback: the message says what to do
        raise SystemExit(f"langsmith-emulator: {exc}") from None


if __name__ == "__main__":
    main()
