"""Errors a user can act on, shared by the core, the backends, the CLI and the window. Each
message names the file or setting and says what is wrong with it."""


class ModelFileError(Exception):
    """A model file cannot be used; the message names the file and the reason."""


class BackendMissing(ModelFileError):
    """The framework a model needs is not installed."""


class UnknownBackend(ModelFileError, ValueError):
    """A backend name or file suffix that no backend answers to."""


class DeviceUnavailable(Exception):
    """The chosen device cannot be used here; the message lists the ones that can."""


class Unsupported(Exception):
    """A backend was asked for something it cannot do (e.g. training an ONNX model)."""


class DatasetError(Exception):
    """A data file is missing or not valid (MNIST, pen drawings); the message names the file."""
