"""A minimal single-tenant Wagtail project: the yardstick of the residents' site benchmark.

Built the way ``wagtail start`` builds a site (its apps and middleware, one app of page models),
serving a notice page and a home page comparable to a center's (header, navigation of the site's
sections, the notice, recent notices). ``tests/bench/bench_site_baseline.py`` runs it beside ours
under the same gunicorn settings, against its own scratch database. Nothing of the project imports
it and it is in none of the project's settings; it imports nothing of the project.
"""
