"""The demo: three realistic service centers and a head office, seeded by ``manage.py seed_demo``.

This app sits above tenants, portal, operations and cms: it calls their real services and
nothing imports it (``tests/demo/test_layering.py`` checks that). Production defaults that
every center starts with are not here but in the data modules of the app that owns them
(``operations/data/``, ``tenants/roles.py``).
"""
