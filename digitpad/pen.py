"""The pen a person draws with: its default width and the widths the window offers, in screen
pixels. The pen drawings digitpad trains on are drawn at the default width too."""

DEFAULT_WIDTH = 18
WIDTHS = (2, 60)  # the narrowest and widest the toolbar slider allows
