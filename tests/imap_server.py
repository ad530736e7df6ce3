"""A real IMAP server on loopback for the inbox tests: pymap's in-memory backend, started as a
subprocess (plain, or with STARTTLS and a certificate from a throwaway trustme CA)."""

from __future__ import annotations

import imaplib
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

USER, PASSWORD = "xcb@assoc.example.cn", "imap-auth-code-5Rq8"
START = "from pymap.main import main; main()"


@dataclass
class ImapServer:
    port: int
    process: subprocess.Popen[bytes]
    tls: bool

    def env(self, folder: str) -> dict[str, str]:
        return {
            "SVCMONTH_IMAP_HOST": "127.0.0.1",
            "SVCMONTH_IMAP_PORT": str(self.port),
            "SVCMONTH_IMAP_SECURITY": "starttls" if self.tls else "none",
            "SVCMONTH_IMAP_USER": USER,
            "SVCMONTH_IMAP_PASSWORD": PASSWORD,
            "SVCMONTH_IMAP_FOLDER": folder,
            "SVCMONTH_IMAP_TIMEOUT": "10",
        }

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            imap.starttls(context)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, folder: str, raw: bytes, when: datetime, create: bool = True) -> None:
        imap = self.client()
        try:
            if create:
                imap.create(folder)
            status, _data = imap.append(folder, None, imaplib.Time2Internaldate(when), raw)
            assert status == "OK"
        finally:
            imap.logout()

    def state(self, folder: str) -> list[tuple[int, str]]:
        """``(UID, FLAGS)`` of every message in ``folder``, read with EXAMINE."""
        imap = self.client()
        try:
            status, _n = imap.select(folder, readonly=True)
            assert status == "OK"
            _s, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            out = []
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                match = re.search(r"UID (\d+)", text)
                flags = re.search(r"FLAGS \(([^)]*)\)", text)
                if match and flags:
                    out.append((int(match.group(1)), flags.group(1)))
            return sorted(out)
        finally:
            imap.logout()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp: Path, cert: tuple[Path, Path] | None = None) -> ImapServer:
    port = free_port()
    args = [sys.executable, "-c", START, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--cert", str(cert[0]), "--key", str(cert[1])] if cert else ["--no-tls"]
    args += ["dict", "--demo-user", USER, "--demo-password", PASSWORD]
    log = (tmp / f"pymap-{port}.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):  # until it listens (a readiness wait, not a timed assertion)
        if process.poll() is not None:
            raise RuntimeError((tmp / f"pymap-{port}.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.05)
    return ImapServer(port, process, cert is not None)


class TlsFront:
    """TLS from the first byte (the port-993 style of QQ, 163 and Exchange) in front of a
    plain server: each connection is decrypted and piped to ``target``."""

    def __init__(self, context: ssl.SSLContext, target: int):
        self.context, self.target = context, target
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return
        plain = socket.create_connection(("127.0.0.1", self.target))
        try:
            while True:
                ready, _w, _x = select.select([tls, plain], [], [], 10)
                if not ready:
                    return
                for source in ready:
                    other = plain if source is tls else tls
                    data = source.recv(65536)
                    if not data:
                        return
                    other.sendall(data)
        except (ssl.SSLError, OSError):
            return
        finally:
            tls.close()
            plain.close()

    def close(self) -> None:
        self.closed = True
        self.listener.close()


class RecordingFront:
    """A plain-TCP relay in front of the test server that records every command line the
    client sends (``commands``: the verbs in order) and, with ``hide_id``, takes ``ID`` out of
    the capabilities the server announces: pymap advertises ID, as 163/网易 mail do; a server
    that does not is simulated by hiding it."""

    _CAPABILITY = re.compile(rb"^(\* OK \[CAPABILITY|\* CAPABILITY|\S+ OK \[CAPABILITY)")

    def __init__(self, target: int, hide_id: bool = False):
        self.target, self.hide_id = target, hide_id
        self.lines: list[str] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def commands(self) -> list[str]:
        """The command verbs the client sent, in order (``UID SEARCH`` counts as ``UID``)."""
        return [line.split()[1].upper() for line in self.lines if len(line.split()) > 1]

    def env(self, server: ImapServer, folder: str) -> dict[str, str]:
        return {**server.env(folder), "SVCMONTH_IMAP_PORT": str(self.port)}

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._client, args=(conn, upstream), daemon=True).start()
            threading.Thread(target=self._server, args=(upstream, conn), daemon=True).start()

    def _client(self, source: socket.socket, sink: socket.socket) -> None:
        pending = b""
        try:
            while data := source.recv(65536):
                pending += data
                *complete, pending = pending.split(b"\r\n")
                self.lines += [line.decode("utf-8", "replace") for line in complete]
                sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()

    def _server(self, source: socket.socket, sink: socket.socket) -> None:
        pending = b""
        try:
            while data := source.recv(65536):
                pending += data
                *complete, pending = pending.split(b"\r\n")
                out = [self._rewrite(line) for line in complete]
                sink.sendall(b"".join(line + b"\r\n" for line in out))
        except OSError:
            pass
        finally:
            sink.close()

    def _rewrite(self, line: bytes) -> bytes:
        if self.hide_id and self._CAPABILITY.match(line):
            return re.sub(rb" ID(?=[ \]]|$)", b"", line)
        return line

    def close(self) -> None:
        self.closed = True
        self.listener.close()
