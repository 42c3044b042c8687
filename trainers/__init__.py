"""What training shares across backends: the settings, the callbacks protocol, the one loop,
the learning-rate schedule, augmentation and the data splits. No Qt, and nothing specific to
one framework (that lives in digitpad.backends)."""
