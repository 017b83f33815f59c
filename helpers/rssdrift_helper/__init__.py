"""The modules of rssdrift's helper (helpers/rss_stat.py is its entry point).

They run on the target, as root (the procfs backend as any user), sent over stdin by
src/sources/helper-launch.ts (which bundles this directory with the entry script), or straight
from a checkout. Python 3 standard library
only; drgn is imported only by the drgn reader.
"""
