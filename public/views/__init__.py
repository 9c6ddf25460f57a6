"""The views of the public site, one module per part of it."""
