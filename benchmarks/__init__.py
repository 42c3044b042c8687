"""Benchmark scripts (`make bench`). Importing digitpad first gives numpy the same thread
settings as the app has."""

import digitpad  # noqa: F401
