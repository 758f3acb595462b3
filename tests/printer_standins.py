"""Stand-in receipt printers made of real sockets and pseudo-terminals, for the printer tests: a TCP server on
127.0.0.1 and a pty pair that take the bytes and answer the ESC/POS real-time status requests (DLE EOT n) the way
a thermal printer does. Only the printer is stood in for (the house rule allows it for hardware).
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
import time
import tty

from counter_desk.config import NetworkPrinter, SerialPrinter

# ESC/POS real-time status answers (DLE EOT n), bit by bit as the Epson ESC/POS reference gives them. Every answer
# has bits 1 and 4 set and bits 0 and 7 clear (0x12); python-escpos decodes them with RT_MASK_*.
ONLINE = 0x12  # DLE EOT 1, printer status: bit 3 clear = online
OFFLINE = 0x1A  # bit 3 set: offline (cover open, paper out, an error)
PAPER_OK = 0x12  # DLE EOT 4, roll paper sensors: paper present
PAPER_NEAR_END = 0x1E  # bits 2-3: the roll is near its end
PAPER_OUT = 0x72  # bits 5-6: no paper
PAPER_OUT_AND_NEAR_END = 0x7E  # what most printers send with the roll empty: both sensors
DLE_EOT_1, DLE_EOT_4 = b"\x10\x04\x01", b"\x10\x04\x04"
WAIT = 10.0  # seconds a stand-in printer may take to hand over what it received (a ceiling, not a measurement)


class _Printer:
    """What both stand-in printers share: the status they report and answering DLE EOT n in the byte stream."""

    def __init__(self, online: int = ONLINE, paper: int = PAPER_OK, *, answer: bool = True) -> None:
        self.status = {1: online, 2: 0x12, 3: 0x12, 4: paper}
        self.answer = answer
        #: Received bytes: one entry per connection (network), or the whole stream (serial).
        self.jobs: list[bytes] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()

    def _answers(self, data: bytes | bytearray, start: int) -> tuple[bytes, int]:
        """Answers to the status requests in ``data`` from ``start``; where the next search starts."""
        out = bytearray()
        while True:
            i = data.find(b"\x10\x04", start)
            if i == -1:
                return bytes(out), max(start, len(data) - 1)
            if i + 2 >= len(data):
                return bytes(out), i
            out.append(self.status.get(data[i + 2], 0x12))
            start = i + 3

    def _record(self, data: bytes, *, index: int | None = None) -> None:
        with self._changed:
            if index is None:
                self.jobs.append(data)
            else:
                self.jobs[index] = data
            self._changed.notify_all()

    def wait_for(self, check: object) -> None:
        assert callable(check)
        with self._changed:
            assert self._changed.wait_for(check, timeout=WAIT), f"the printer received {self.jobs!r}"


class TcpPrinter(_Printer):
    """A network receipt printer on 127.0.0.1: one connection at a time, like the real ones on port 9100.

    ``drop_after``: after that many bytes of a connection it resets it, as a printer switched off mid-job.
    """

    def __init__(self, online: int = ONLINE, paper: int = PAPER_OK, *, answer: bool = True, drop_after: int = 0):
        super().__init__(online, paper, answer=answer)
        self.drop_after = drop_after
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self.spec = NetworkPrinter("127.0.0.1", self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self._server.accept()
            except TimeoutError:
                continue
            self._serve_one(conn)

    def _serve_one(self, conn: socket.socket) -> None:
        data, start = bytearray(), 0
        conn.settimeout(0.05)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                if self.drop_after and len(data) >= self.drop_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                    break
                answers, start = self._answers(data, start)
                if answers and self.answer:
                    conn.sendall(answers)
        self._record(bytes(data))

    def stop(self) -> None:
        """Stop serving; a connection still waiting in the backlog (a second attempt) is counted as a job."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._server.setblocking(False)
        while True:
            try:
                conn, _address = self._server.accept()
            except BlockingIOError:
                break
            conn.close()
            self._record(b"<not served>")
        self._server.close()


class PtyPrinter(_Printer):
    """A serial receipt printer: the master side of a pseudo-terminal; pyserial opens the slave's tty path.

    ``drop_after``: after that many bytes the master is closed, as a serial cable pulled mid-job.
    """

    def __init__(self, online: int = ONLINE, paper: int = PAPER_OK, *, drop_after: int = 0) -> None:
        super().__init__(online, paper)
        self.drop_after = drop_after
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self.spec = SerialPrinter(self.path, 19200)
        self.jobs.append(b"")
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        data, start = bytearray(), 0
        while not self._stop.is_set():
            ready, _w, _x = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: the slave side is closed for now
                time.sleep(0.01)
                continue
            data += chunk
            if self.drop_after and len(data) >= self.drop_after:
                os.close(self._master)
                self._master = -1
                self._record(bytes(data), index=0)
                return
            answers, start = self._answers(data, start)
            if answers:
                os.write(self._master, answers)
            self._record(bytes(data), index=0)

    @property
    def received(self) -> bytes:
        return self.jobs[0]

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
