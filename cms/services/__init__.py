"""State changes of a center's site: drafting reports and notices from operations records."""
