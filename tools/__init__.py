"""One-off scripts that built the reviewed data files in `fixtures/` from `fixtures/sources/`.

Outside the apps on purpose: the site loads the data files and never runs these.
"""
