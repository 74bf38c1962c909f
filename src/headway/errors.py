"""The one error type Headway shows to people: a plain message and what to do next."""


class HeadwayError(Exception):
    """An error an analyst can act on. `message` says what is wrong, `hint` what to do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)  # both in args, so the error survives pickling
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()
