"""Forms of the center admin, one module per area (``operations/forms/<area>.py``); shared pieces in ``base``."""
