"""Service failures (never a modeled syscall's errno): one exception class per gRPC status."""

from __future__ import annotations

import grpc


class MmlabError(Exception):
    """A failure of the service: its gRPC status code and message."""

    code: grpc.StatusCode
    """The call's gRPC status code."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


class NotFound(MmlabError):
    """No machine with that id for this tenant."""


class InvalidArgument(MmlabError):
    """A malformed request (the message names the field)."""


class ResourceExhausted(MmlabError):
    """A quota, or a full server."""


class Unauthenticated(MmlabError):
    """A missing or unknown bearer token."""


class DeadlineExceeded(MmlabError):
    """The call's deadline passed."""


class Unavailable(MmlabError):
    """The server cannot be reached or is shutting down."""


class FailedPrecondition(MmlabError):
    """A snapshot whose replayed state does not match its digest."""


class OutOfRange(MmlabError):
    """A message over the server's size limit."""


_BY_CODE = {
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
}


def from_rpc_error(e: grpc.RpcError) -> MmlabError:
    """The typed error of a failed call."""
    code = e.code() if hasattr(e, "code") else grpc.StatusCode.UNKNOWN
    details = e.details() if hasattr(e, "details") else str(e)
    return _BY_CODE.get(code, MmlabError)(code, details or "")
