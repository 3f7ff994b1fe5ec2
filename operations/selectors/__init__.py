"""Named reads (``<entities>_<what>(...)``) used by views, exports, jobs and dashboards."""
