"""Errors the model raises; the ARI server turns them into Asterisk's status codes."""

from __future__ import annotations


class PbxError(Exception):
    """Base: ``message`` is Asterisk's wording, ``status`` the ARI status code."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(PbxError):
    status = 400


class NotFound(PbxError):
    status = 404


class Conflict(PbxError):
    status = 409


class Unprocessable(PbxError):
    status = 422


class NotBooted(PbxError):
    status = 503


class AllocationFailed(PbxError):
    """Asterisk's 500 ``{"error": "Allocation failed"}`` (unknown endpoint on originate)."""

    status = 500
