"""Settings for behaviour under faults: the database or the cache going away (make reliability)."""
