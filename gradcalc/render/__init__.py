"""Renderers: each turns a Result into text. They share the rows built in `rows.py`."""
