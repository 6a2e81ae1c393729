"""Errors of the users layer, part of the one tree rooted at ``MasterstreamError``.

MasterstreamError
└── UserError                   (name)
    ├── UserNotFoundError       no such account
    ├── UserExistsError         the name is taken
    ├── InvalidUserError        a name or password that cannot be used (also an
    │                           InvalidRequestError, so the API answers 422)
    └── LastAdminError          the change would leave no admin
"""

from __future__ import annotations

from ..errors import InvalidRequestError, MasterstreamError


class UserError(MasterstreamError):
    """Something about an account went wrong."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class UserNotFoundError(UserError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no user named {name!r}", name=name)


class UserExistsError(UserError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a user named {name!r} already exists", name=name)


class InvalidUserError(UserError, InvalidRequestError):
    """A user name or password that does not meet the rules."""


class LastAdminError(UserError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is the last admin; make another user admin first", name=name)


class RenderBudgetError(MasterstreamError):
    """A principal has used its cold renders for now (``retry_after_s`` until the next)."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(
            f"render budget used up: cached chunks still play, new renders in {retry_after_s:.0f} s"
        )
