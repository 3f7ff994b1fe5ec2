"""Service functions: every state change of an operations record goes through one of these.

Names are ``<entity>_<action>``; arguments keyword-only; each runs in one transaction,
validates with ``full_clean()``, records an audit entry with the acting user and sends
notifications on commit.
"""
