"""The baseline site's pages: a home page, section pages and notices."""
