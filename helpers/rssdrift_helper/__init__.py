"""The modules of rssdrift's root helper (helpers/rss_stat.py is its entry point).

They run on the target, as root, sent over stdin by src/sources/helper-launch.ts (which bundles
this directory with the entry script), or straight from a checkout. Python 3 standard library
only; drgn is imported only by the drgn reader.
"""
