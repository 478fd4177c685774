"""A git server over HTTPS on loopback, as a stranger's `pulumi package add <url>/plugin@vX.Y.Z` meets one.

The CLI (3.274) clones with go-git and takes only `https://` (`git://` is rewritten to it); a `:port`
in the host would become part of the plugin directory's name and break the plugin's virtualenv path,
so the server listens on port 443 of an address of its own in 127.0.0.0/8. Its certificate comes from a
throwaway CA, which the CLI trusts through `SSL_CERT_FILE` (a bundle of the system's CAs and this one,
so pip still reaches the package index). Requests go to the real `git http-backend` (smart HTTP) as CGI.
"""

from __future__ import annotations

import os
import random
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SYSTEM_CAS = Path("/etc/ssl/certs/ca-certificates.crt")


#: The server's name, which the tests map to its address in an /etc/hosts of their own (`hosts_file`):
#: the CLI takes a source for a URL only when its host ends in letters (`urlRegex` in
#: sdk/go/common/workspace/plugins.go, 3.274), so an IP address would be read as a local path.
NAME = "git.langsmith-iac.test"


@dataclass(frozen=True)
class GitServer:
    address: str
    ca_bundle: Path
    hosts_file: Path

    def url(self, repo: str) -> str:
        return f"https://{NAME}/{repo}"


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "release", "GIT_AUTHOR_EMAIL": "release@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "release", "GIT_COMMITTER_EMAIL": "release@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def publish_tree(files: list[Path], root: Path, bare: Path, tag: str) -> None:
    """A bare repository at `bare` whose one commit, tagged `tag`, holds `files` (relative to `root`)."""
    work = bare.parent / (bare.name + ".work")
    work.mkdir(parents=True)
    for rel in files:
        if (root / rel).is_file():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, work / rel)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", f"release {tag}", cwd=work)
    git("tag", tag, cwd=work)
    git("clone", "-q", "--bare", str(work), str(bare), cwd=work.parent)
    shutil.rmtree(work)


def _certificates(scratch: Path, host: str) -> tuple[Path, Path, Path]:
    """A CA, a certificate for NAME and `host` (its address) signed by it, and the trust bundle."""
    ca_key, ca, key, csr, cert = (str(scratch / n) for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem"))
    ext = scratch / "san.ext"
    ext.write_text(f"subjectAltName=DNS:{NAME},IP:{host}\n")
    new_key = ["-newkey", "rsa:2048", "-nodes"]
    make_ca = ["req", "-x509", *new_key, "-days", "2", "-subj", "/CN=test git CA", "-keyout", ca_key, "-out", ca]
    request = ["req", *new_key, "-subj", f"/CN={host}", "-keyout", key, "-out", csr]
    sign = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2"]
    for args in (make_ca, request, [*sign, "-extfile", str(ext), "-out", cert]):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    bundle = scratch / "bundle.pem"
    bundle.write_text((SYSTEM_CAS.read_text() if SYSTEM_CAS.exists() else "") + Path(ca).read_text())
    return Path(cert), Path(key), bundle


def _handler(project_root: Path) -> type[BaseHTTPRequestHandler]:
    backend = subprocess.run(["git", "--exec-path"], check=True, capture_output=True, text=True).stdout.strip()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: the test prints what fails
            pass

        def _cgi(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            env = {
                "PATH": os.environ.get("PATH", ""),
                "GIT_PROJECT_ROOT": str(project_root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": self.client_address[0],
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            out = subprocess.run([f"{backend}/git-http-backend"], input=body, env=env, capture_output=True).stdout
            head, _, payload = out.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _cgi
        do_POST = _cgi

    return Handler


@contextmanager
def serving(project_root: Path, scratch: Path, hosts: list[str] | None = None) -> Iterator[GitServer]:
    """Serve the bare repositories under `project_root` on port 443 of a 127.x.y.z address until exit,
    as https://NAME/ to a process that reads `hosts_file` as its /etc/hosts (`in_own_hosts`)."""
    scratch.mkdir(parents=True, exist_ok=True)
    rng = random.Random(os.getpid())
    server = None
    # An address of its own: two test runs side by side never share one.
    candidates = hosts or [
        f"127.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(2, 255)}" for _ in range(50)
    ]
    for host in candidates:
        try:
            server = ThreadingHTTPServer((host, 443), _handler(project_root))
            break
        except OSError:
            continue
    if server is None:
        raise RuntimeError("no free loopback address for port 443")
    cert, key, bundle = _certificates(scratch, host)
    hosts = scratch / "hosts"
    hosts.write_text(Path("/etc/hosts").read_text() + f"\n{host} {NAME}\n")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitServer(host, bundle, hosts)
    finally:
        server.shutdown()
        server.server_close()


def in_own_hosts(server: GitServer) -> list[str]:
    """A command prefix: run in a mount namespace of its own where /etc/hosts is `server.hosts_file`
    (the machine's hosts file is never touched; needs root, as `unshare -m` does)."""
    script = f'mount --bind {server.hosts_file} /etc/hosts && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh"]


def offline() -> list[str]:
    """A command prefix: run in a network namespace of its own, with only a loopback interface (the
    CLI talks to its language hosts over it), so nothing outside the machine can be reached."""
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
