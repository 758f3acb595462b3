"""Devices: scanners, printers, sound. Headless (Qt-based device glue lives in counter_desk.qt)."""
