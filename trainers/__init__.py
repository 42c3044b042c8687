"""Training for both backends, framework by framework. No Qt here: the app, the CLI and the tests
all call the same `train(config, data, callbacks)` functions."""
