"""The pack bench's parts: checklist rows in large type, and the carton panel beside them."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.services.packing.views import CartonView, PackLine, PackView, PlannedCarton
from app.ui.screens.base import photo_placeholder


def text_label(
    size: int, *, bold: bool = False, color: str = "#1a1a1a", wrap: bool = False, fit: bool = False
) -> QLabel:
    """A plain-text label in a fixed size: names and codes are never markup. A label that
    does not `fit` its text gives way to its neighbours (a long name is cut, not the count)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setStyleSheet(
        f"font-size: {size}pt; font-weight: {700 if bold else 400}; color: {color};"
        " background: transparent; border: none;"
    )
    if not fit:
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


ROW_HEIGHT, SPACING = 76, 6
# (background, border, count colour): to scan, selected for a keyed count, complete.
ROW_LOOKS = {
    "todo": ("#ffffff", "#90a4ae", "#0d47a1"),
    "selected": ("#fff8e1", "#ff8f00", "#0d47a1"),
    "done": ("#e8f5e9", "#2e7d32", "#1b5e20"),
}


class ChecklistRow(QWidget):
    """One order line: picture placeholder, name and SKU, scanned of expected, and a tick."""

    clicked = Signal(int)  # the line id

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("line")
        self.line_id = 0
        self._frame: tuple[str, str, int] = (*ROW_LOOKS["todo"][:2], 2)
        self.picture = photo_placeholder(64, 9)
        self.name = text_label(17, bold=True)
        self.sku = text_label(13, color="#37474f")
        self.count = text_label(26, bold=True, fit=True)
        self.count.setTextFormat(Qt.TextFormat.RichText)  # numbers only: the colour is markup
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count.setMinimumWidth(110)
        self.tick = text_label(30, bold=True, color="#2e7d32", fit=True)
        self.tick.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tick.setFixedWidth(48)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.picture, 0, 0, 2, 1)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.sku, 1, 1)
        grid.addWidget(self.count, 0, 2, 2, 1)
        grid.addWidget(self.tick, 0, 3, 2, 1)
        grid.setColumnStretch(1, 1)
        self.setFixedHeight(ROW_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_line(self, line: PackLine, *, selected: bool) -> None:
        self.line_id = line.line_id
        look = "done" if line.done else "selected" if selected else "todo"
        background, border, count = ROW_LOOKS[look]
        self.name.setText(line.name)
        lots = f" · lot {', '.join(line.lots)}" if line.lots else ""
        self.sku.setText(f"SKU {line.sku}{lots}")
        # Colours by markup and by painting, not style sheets: a row changes look whenever a
        # line completes and the list re-sorts, and a style sheet costs milliseconds each time.
        self.count.setText(f'<span style="color:{count}">{line.packed} / {line.expected}</span>')
        self.tick.setText("✓" if line.done else "")
        frame = (background, border, 4 if selected and not line.done else 2)
        if frame != self._frame:
            self._frame = frame
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        background, border, width = self._frame
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(border), width))
        painter.setBrush(QColor(background))
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 6, 6)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit(self.line_id)
        super().mousePressEvent(event)


class Checklist(QWidget):
    """Every line of the order, lines still to scan on top, as many as fit (never making the
    window taller: a long order says how many more lines there are); rows are reused."""

    line_clicked = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ChecklistRow] = []
        self._shown: tuple[tuple[PackLine, ...], int | None] = ((), None)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.more = text_label(13, color="#37474f")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACING)
        self._layout.addWidget(self.more)
        self._layout.addStretch(1)

    def room(self) -> int:
        """How many rows fit (at least three: before the first layout the height is unknown)."""
        height = self.height() - 30  # the "more lines" note
        return max(3, (height + SPACING) // (ROW_HEIGHT + SPACING)) if height > 0 else 3

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.show_lines(*self._shown)

    def show_lines(self, lines: tuple[PackLine, ...], selected: int | None) -> None:
        """The lines that fit (to scan first), and how many more there are."""
        self._shown = (lines, selected)
        room = self.room()
        shown = lines[:room]
        while len(self.rows) < len(shown):
            row = ChecklistRow()
            row.clicked.connect(self.line_clicked)
            self._layout.insertWidget(len(self.rows), row)
            self.rows.append(row)
        for index, row in enumerate(self.rows):
            row.setVisible(index < len(shown))
            if index < len(shown):
                row.show_line(shown[index], selected=shown[index].line_id == selected)
        hidden = lines[room:]
        left = sum(1 for li in hidden if not li.done)
        self.more.setText(f"+ {len(hidden)} more line(s), {left} still to scan" if hidden else "")
        self.more.setVisible(bool(hidden))


def weight_text(grams: int) -> str:
    return f"{grams / 1000:.2f} kg" if grams >= 1000 else f"{grams} g"


def plan_text(plan: tuple[PlannedCarton, ...]) -> str:
    """`2 cartons planned: BOX-M (MUG-0001 × 2, …) + BOX-S (…)`."""
    if not plan:
        return ""
    parts = []
    for carton in plan[:3]:
        units = ", ".join(f"{sku} × {n}" for sku, n in carton.units[:3])
        if len(carton.units) > 3:
            units += ", …"
        parts.append(f"{carton.box or 'own packaging'} ({units})")
    more = f" + {len(plan) - 3} more" if len(plan) > 3 else ""
    return f"{len(plan)} carton(s) planned: " + " + ".join(parts) + more


class CartonPanel(QFrame):
    """The carton being filled: its number, box, expected weight, and the cartons closed."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("carton")
        self._flagged: bool | None = None
        self.title = text_label(26, bold=True)
        self.box = text_label(20, bold=True, color="#0d47a1")
        self.box_detail = text_label(13, color="#37474f", wrap=True)
        self.weight = text_label(18, bold=True)
        self.weight_check = text_label(16, bold=True, wrap=True)
        self.contents = text_label(14, wrap=True)
        self.plan = text_label(12, color="#37474f", wrap=True)
        self.closed = text_label(12, color="#1b5e20", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(4)
        widgets = (self.title, self.box, self.box_detail, self.weight, self.weight_check)
        for widget in (*widgets, self.contents):
            layout.addWidget(widget)
        layout.addSpacing(6)
        layout.addWidget(self.plan)
        layout.addWidget(self.closed)
        layout.addStretch(1)
        self._look(False)
        # Never makes the window taller: the least important lines at the bottom give way.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)

    def show_view(self, view: PackView, boxes: dict[str, str]) -> None:
        carton = view.open_carton
        self.title.setText(f"CARTON {view.carton_number} of {view.cartons_planned}")
        code = carton.box if carton is not None else (view.plan[0].box if view.plan else None)
        self.box.setText(f"Box {code}" if code else "No box fits: own packaging")
        detail = boxes.get(code or "", "")
        suggested = view.plan[0].box if view.plan else None
        hint = "suggested" if code == suggested else f"suggested: {suggested}"
        self.box_detail.setText(f"{detail} · {hint}" if detail else hint)
        units = carton.units if carton is not None else 0
        self.weight.setText(f"{units} unit(s) in it" if units else "Empty: scan the first item")
        flagged = carton is not None and carton.weight_flagged
        if flagged and carton is not None and carton.weight_g is not None:
            way = "too heavy" if carton.weight_g > carton.expected_weight_g else "too light"
            self.weight_check.setText(f"✗ Weighed {weight_text(carton.weight_g)}: {way}")
        else:
            self.weight_check.setText("")
        self.weight_check.setVisible(flagged)
        self._look(flagged)
        inside = [f"{li.sku} × {li.in_open}" for li in view.lines if li.in_open]
        self.contents.setText(f"In it: {', '.join(inside)}" if inside else "")
        self.contents.setVisible(bool(inside))
        self.plan.setText(plan_text(view.plan))
        self.closed.setText("\n".join(_closed_line(c) for c in view.cartons if c.status != "OPEN"))

    def _look(self, flagged: bool) -> None:
        if self._flagged is flagged:
            return
        self._flagged = flagged
        border = "#c62828" if flagged else "#0d47a1"
        background = "#ffebee" if flagged else "#f5f9ff"
        self.setStyleSheet(
            f"QFrame#carton {{ background: {background}; border: 4px solid {border};"
            " border-radius: 8px; }"
        )
        self.weight_check.setStyleSheet(
            "font-size: 16pt; font-weight: 700; color: #c62828; background: transparent;"
            " border: none;"
        )


def _closed_line(carton: CartonView) -> str:
    weight = weight_text(carton.weight_g or 0)
    where = f"{carton.carrier} {carton.tracking_number}"
    return f"✓ Carton {carton.number} · {carton.box} · {weight} · {where}"
