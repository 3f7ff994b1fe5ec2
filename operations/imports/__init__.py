"""Imports of center data from spreadsheets: parse, plan (preview), apply through the services."""
