"""Serial barcode scanners (RS-232 or USB-serial, e.g. /dev/ttyACM0): one code per line."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtSerialPort import QSerialPort

from counter_desk.i18n import _

log = logging.getLogger(__name__)
MAX_LINE = 4096


class SerialScanner(QObject):
    """Reads lines from a serial port and hands each one over as a scan.

    Signals:
        scanned(str): one line (without its CR/LF).
        failed(str): the port could not be opened or broke; a message for the window.
    """

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, port: str, baud: int = 9600, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = port
        self._port = QSerialPort(self)
        self._port.setPortName(port)
        self._port.setBaudRate(baud)
        self._buffer = bytearray()
        self._port.readyRead.connect(self._read)
        self._port.errorOccurred.connect(self._error)

    def open(self) -> bool:
        if self._port.open(QSerialPort.OpenModeFlag.ReadOnly):
            log.info("serial scanner on %s", self._name)
            return True
        self.failed.emit(
            _(
                "the scanner on {port} cannot be opened: {error}",
                port=self._name,
                error=self._port.errorString(),
            )
        )
        return False

    def close(self) -> None:
        if self._port.isOpen():
            self._port.close()

    def _read(self) -> None:
        self._buffer += bytes(self._port.readAll().data())
        while True:
            ends = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            line, self._buffer = bytes(self._buffer[:end]), self._buffer[end + 1 :]
            text = line.decode("utf-8", errors="replace").strip()
            if text:
                self.scanned.emit(text)
        if len(self._buffer) > MAX_LINE:  # a scanner that never ends its lines: drop, don't grow forever
            self._buffer.clear()
            self.failed.emit(_("the scanner sent a line without an end; check its suffix setting (CR or LF)"))

    def _error(self, error: QSerialPort.SerialPortError) -> None:
        if error in (QSerialPort.SerialPortError.NoError, QSerialPort.SerialPortError.TimeoutError):
            return
        if error == QSerialPort.SerialPortError.ResourceError:
            self.failed.emit(_("the scanner on {port} was disconnected", port=self._name))
            self.close()
