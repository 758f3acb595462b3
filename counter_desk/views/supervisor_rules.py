"""The supervisor window's *Rules* tab: the office's rules and the stages' wait targets, saved together in one
transaction (Ctrl+S), beside the holiday calendar (:mod:`~counter_desk.views.supervisor_holidays`).

The editors are built when the rules arrive; the wait targets when the first dashboard brings the stages.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_desk.i18n import _, lookup
from counter_desk.services import rules
from counter_desk.services.dashboard import Dashboard
from counter_desk.views.supervisor_common import Host, button
from counter_desk.views.supervisor_holidays import HolidaysBox


def rule_editor(rule: rules.Rule, value: Any) -> QWidget:
    """The editor of one rule, holding ``value``."""
    if rule.kind == "int":
        spin = QSpinBox()
        spin.setRange(rule.minimum if rule.minimum is not None else 0, rule.maximum or 1_000_000)
        spin.setValue(int(value))
        return spin
    if rule.kind == "choice":
        combo = QComboBox()
        for choice in rule.choices:
            combo.addItem(lookup(rules.CHOICE_LABELS.get(choice, choice)), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    edit = QLineEdit("" if value is None else str(value))
    if rule.kind == "optional_int":
        edit.setPlaceholderText(_("no limit"))
    return edit


class RulesTab(QWidget):
    """The rules, the wait targets and *Save rules*; the holidays beside them.

    Signals:
        saved(dict): the rules were saved; carries every rule as it now is.
    """

    saved = Signal(dict)

    def __init__(self, host: Host) -> None:
        super().__init__()
        self._host = host
        #: The rules as last read or saved (None until they arrive).
        self.rules: dict[str, Any] | None = None
        self.rule_editors: dict[str, QWidget] = {}
        self._target_editors: dict[str, QSpinBox] = {}
        columns = QHBoxLayout(self)
        outer = QVBoxLayout()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.rules_form = QFormLayout(inner)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        row = QHBoxLayout()
        self.save_rules_button = button(_("&Save rules"), "saveRulesButton", self.save_rules)
        self.save_rules_button.setToolTip(_("Rules and wait targets are saved together, or not at all (Ctrl+S)"))
        self.save_rules_button.setEnabled(False)
        row.addStretch(1)
        row.addWidget(self.save_rules_button)
        outer.addLayout(row)
        columns.addLayout(outer, 3)
        self.holidays_box = HolidaysBox(host)
        columns.addWidget(self.holidays_box, 2)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_rules)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def load(self) -> None:
        """Read the office's rules on the worker and build their editors; the holidays too."""
        host = self._host
        host.read(lambda: host.desk(rules.current, host.office), self._show_rules)
        self.holidays_box.load()

    def update_buttons(self) -> None:
        self.save_rules_button.setEnabled(not self._host.busy and self.rules is not None)
        self.holidays_box.update_buttons()

    def focus_first(self) -> None:
        """The first editor takes the focus (Save when there is none yet)."""
        first = next(iter(self.rule_editors.values()), self.save_rules_button)
        first.setFocus(Qt.FocusReason.TabFocusReason)

    def _show_rules(self, values: dict[str, Any]) -> None:
        self.rules = dict(values)
        while self.rules_form.rowCount():
            self.rules_form.removeRow(0)
        self.rule_editors.clear()
        self._target_editors.clear()
        for key, rule in rules.RULES.items():
            editor = rule_editor(rule, values.get(key, rule.default))
            editor.setObjectName(f"rule_{key}")
            self.rule_editors[key] = editor
            self.rules_form.addRow(lookup(rule.label), editor)
        if self._host.dashboard is not None:
            self.fill_targets(self._host.dashboard)
        self._tab_order()
        self.update_buttons()

    def _tab_order(self) -> None:
        """The editors are built after the window: put them first in the tab's Tab order, then Save, then the
        holidays (else Tab would reach them last, after every other tab's widgets)."""
        chain: list[QWidget] = [
            *self.rule_editors.values(),
            *self._target_editors.values(),
            self.save_rules_button,
            self.holidays_box.view,
            self.holidays_box.add_button,
            self.holidays_box.remove_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def fill_targets(self, d: Dashboard) -> None:
        """One spin box per stage for its wait target, after the rules (built once, kept when editing)."""
        if self.rules is None or self._target_editors:
            return
        for s in d.stages:
            spin = QSpinBox()
            spin.setObjectName(f"target_{s.code}")
            spin.setRange(1, 600)
            spin.setSuffix(" " + _("min"))
            spin.setValue(s.wait_target_minutes)
            self._target_editors[s.code] = spin
            self.rules_form.addRow(_("Wait target: {stage}", stage=s.name), spin)
        self._tab_order()

    def rule_values(self) -> dict[str, Any]:
        """What the rule editors hold now (as the rules service accepts them)."""
        out: dict[str, Any] = {}
        for key, editor in self.rule_editors.items():
            if isinstance(editor, QSpinBox):
                out[key] = editor.value()
            elif isinstance(editor, QComboBox):
                out[key] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                text = editor.text().strip()
                out[key] = (text or None) if rules.RULES[key].kind == "optional_int" else text
        return out

    def save_rules(self) -> None:
        """Save the changed rules and wait targets in one transaction (all or nothing; each change audited)."""
        host = self._host
        if self.rules is None or host.busy:
            return
        before = self.rules
        changes = {k: v for k, v in self.rule_values().items() if v != before.get(k)}
        d = host.dashboard
        stages = {s.code: s.wait_target_minutes for s in d.stages} if d is not None else {}
        targets = {
            code: spin.value() for code, spin in self._target_editors.items() if stages.get(code) != spin.value()
        }
        supervision = host.supervision

        def ok(values: dict[str, Any]) -> None:
            self.rules = dict(values)
            host.info(_("Rules saved"))
            self.saved.emit(values)
            host.refresh()

        host.run_job("saving the rules", lambda: supervision.save_rules(changes, targets), ok)
