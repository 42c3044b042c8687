"""The Qt window. The only package of digitpad that imports Qt."""
