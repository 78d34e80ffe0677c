"""Readers for each kind of source, one module per kind; :mod:`insights.data.read` picks the right one.

Every reader returns a :class:`~insights.data.sources.base.RawData`: the rows as read (text kept as
text wherever the format has text), where each row came from, and what was left out on the way.
"""
