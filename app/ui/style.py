"""The station look: large type, big touch targets, high contrast, readable at arm's length."""

from __future__ import annotations

STYLESHEET = """
QWidget { font-size: 14pt; }
QPushButton {
    min-height: 44px; padding: 6px 18px; border-radius: 6px;
    border: 2px solid #37474f; background: #eceff1; font-weight: 600;
}
QPushButton[compact="true"] { padding: 6px 4px; font-size: 13pt; }
QPushButton[nav="true"] { padding: 6px 2px; font-size: 12pt; }
QPushButton:checked, QPushButton[current="true"] { background: #263238; color: white; }
QPushButton:disabled { color: #9e9e9e; border-color: #cfd8dc; }
QLineEdit, QSpinBox { min-height: 40px; padding: 2px 8px; font-size: 15pt; }
QTableView, QTableWidget { font-size: 13pt; gridline-color: #cfd8dc; }
QHeaderView::section { font-weight: 700; padding: 4px 8px; background: #eceff1; border: none; }
QStatusBar QLabel { font-size: 12pt; padding: 0 12px; }
"""
