"""What the station window's panels share: the frame they live in (:class:`Frame`), the keys, small helpers.

The station window (:mod:`counter_desk.views.station`) is a frame -- sign-in, banner, status widgets, live
feed, scanner routing -- around one panel per station kind (:mod:`~counter_desk.views.station_reception`,
:mod:`~counter_desk.views.station_counter` with :mod:`~counter_desk.views.station_booth`,
:mod:`~counter_desk.views.station_adjudicator` and :mod:`~counter_desk.views.station_pickup`) and a receipt
desk (:mod:`~counter_desk.views.receipt_desk`). A panel acts through the frame's action runner and shows what
it did in the frame's banner; it never touches the database itself.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from counter_desk.i18n import _
from counter_desk.qt.forms import child
from counter_desk.qt.models import QueueModel, QueuePositions
from counter_desk.qt.operations import Operations
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.services.stations import StationSnapshot
from counter_desk.services.views import TicketView
from counter_desk.states import Status
from counter_desk.views.receipt_desk import ReceiptDesk

A = TypeVar("A")
A_co = TypeVar("A_co", covariant=True)

#: Keyboard shortcuts: F-keys, so they never collide with what a scanner types.
SHORTCUTS = {
    "call_next": "F2",
    "recall": "F3",
    "start": "F4",
    "no_show": "F6",
    "return": "F7",
    "transfer": "F8",
    "finish": "F9",
    "call_ticket": "F10",
    "walk_in": "Ctrl+W",
    "code": "Ctrl+L",
    "approve": "Ctrl+Return",
    "reject": "Ctrl+R",
    "pickup_receipt": "F11",
    "handover": "F12",
    "reprint": "Ctrl+P",
    "image": "Ctrl+O",
    "camera": "Ctrl+K",
    "park": "F5",
    "resume": "Shift+F5",
    "pause": "Ctrl+B",
}


#: The action buttons of the form (``call_next`` is ``callNextButton``).
BUTTONS = (
    *("call_next", "recall", "start", "no_show", "return", "transfer", "finish", "approve", "reject"),
    *("call_ticket", "pickup_receipt", "handover", "reprint", "park", "resume", "pause"),
)


class StationForm:
    """The widgets of the station's form (``station.ui``), by name."""

    def bind_form(self, f: QWidget) -> None:
        self.office_label = child(f, QLabel, "officeLabel")
        self.station_label = child(f, QLabel, "stationLabel")
        self.officer_label = child(f, QLabel, "officerLabel")
        self.connection_label = child(f, QLabel, "connectionLabel")
        self.clock_label = child(f, QLabel, "clockLabel")
        self.banner = child(f, QLabel, "banner")
        self.queue_title = child(f, QLabel, "queueTitle")
        self.queue_view = child(f, QTableView, "queueView")
        self.check_in_box = child(f, QGroupBox, "checkInBox")
        self.code_edit = child(f, QLineEdit, "codeEdit")
        self.check_in_button = child(f, QPushButton, "checkInButton")
        self.walk_in_button = child(f, QPushButton, "walkInButton")
        self.image_button = child(f, QPushButton, "imageButton")
        self.camera_button = child(f, QPushButton, "cameraButton")
        self.camera_preview = child(f, QWidget, "cameraPreview")
        self.result_number = child(f, QLabel, "resultNumber")
        self.result_detail = child(f, QLabel, "resultDetail")
        self.current_box = child(f, QGroupBox, "currentBox")
        self.current_number = child(f, QLabel, "currentNumber")
        self.current_status = child(f, QLabel, "currentStatus")
        self.serving_timer = child(f, QLabel, "servingTimer")
        self.served_label = child(f, QLabel, "servedLabel")
        self.arrival_flag = child(f, QLabel, "arrivalFlag")
        self.id_check = child(f, QLabel, "idCheck")
        self.override_button = child(f, QPushButton, "overrideButton")
        self.applicant_label = child(f, QLabel, "applicantLabel")
        self.booth_state = child(f, QLabel, "boothState")
        self.buttons = {name: child(f, QPushButton, _camel(name) + "Button") for name in BUTTONS}
        self.printer_label = child(f, QLabel, "printerLabel")


def _camel(name: str) -> str:
    """``call_next`` -> ``callNext``: a button's name in the form."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


class Dialog(Protocol[A_co]):
    """A dialog of :mod:`counter_desk.views.dialogs`: its widget, and ``exec`` giving the answer or None."""

    @property
    def dialog(self) -> QDialog: ...

    def exec(self) -> A_co | None: ...


class Frame(Protocol):
    """The station window as its panels see it."""

    queue: QueueService
    pickups: PickupService
    ops: Operations
    receipts: ReceiptDesk
    model: QueueModel
    buttons: dict[str, QPushButton]
    queue_view: QTableView
    check_in_box: QGroupBox
    code_edit: QLineEdit
    check_in_button: QPushButton
    walk_in_button: QPushButton
    image_button: QPushButton
    camera_button: QPushButton
    override_button: QPushButton
    result_number: QLabel
    result_detail: QLabel
    arrival_flag: QLabel
    id_check: QLabel
    current_box: QGroupBox
    current_number: QLabel
    current_status: QLabel
    serving_timer: QLabel
    applicant_label: QLabel
    booth_state: QLabel

    @property
    def station(self) -> str:
        """The station's code."""
        ...

    @property
    def user(self) -> str | None:
        """The officer signed in."""
        ...

    @property
    def snapshot(self) -> StationSnapshot | None:
        """What the station last read (None until the first read)."""
        ...

    @property
    def current(self) -> TicketView | None:
        """The ticket called or served here."""
        ...

    def window(self) -> QWidget:
        """The window itself: what the panels' dialogs belong to."""
        ...

    def ask(self, dialog: Dialog[A]) -> A | None: ...

    def error(self, message: str, *, tone: bool = False, refusal: bool = True) -> None: ...

    def info(self, message: str) -> None: ...

    def tick(self) -> None: ...

    def update_buttons(self) -> None: ...

    def clear_result(self) -> None: ...


def show_key(button: QPushButton, key: str) -> None:
    """The key on the button itself ("Call next (F2)"), and in its tooltip: learnt where the mouse would go."""
    text = f"{button.text()} ({key})"
    button.setText(text)
    button.setToolTip(text)


def enable(buttons: dict[str, QPushButton], wanted: dict[str, bool], busy: bool) -> None:
    """Enable the ``wanted`` buttons, none while the station is busy."""
    for name, enabled in wanted.items():
        buttons[name].setEnabled(enabled and not busy)


def setup_queue_view(view: QTableView, model: QueueModel) -> None:
    """The station's queue table: its positions down the side, columns of fixed widths, whole rows selected."""
    view.setVerticalHeader(QueuePositions(view))
    view.setModel(model)
    # Fixed widths from the font, measured once: sizing columns to their contents costs every refresh.
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    for column, sample in (
        (QueueModel.NUMBER, "WW-0000"),
        (QueueModel.SLOT, _("Booked slot")),
        (QueueModel.PRIORITY, _("Priority")),
        (QueueModel.WAITED, _("Waiting") + " 000"),
    ):
        header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
    header.setSectionResizeMode(QueueModel.CATEGORY, QHeaderView.ResizeMode.Stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)


def status_text(t: TicketView, station: str | None) -> str:
    """Where a ticket stands after an action, for the banner."""
    labels = {
        Status.WAITING: _("waiting at {stage}", stage=t.stage),
        Status.CALLED: _("called to {station}", station=station or ""),
        Status.SERVING: _("being served at {station}", station=station or ""),
        Status.NO_SHOW: _("marked no-show"),
        Status.PARKED: _("parked at {station}", station=station or ""),
        Status.DONE: _("finished"),
    }
    return labels[Status(t.status)]
