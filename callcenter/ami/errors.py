"""Errors of the AMI adapter. Messages are in English and Vietnamese (operators read them)."""

from __future__ import annotations


class AmiError(Exception):
    """Base class of every AMI adapter error."""


class AmiAuthenticationError(AmiError):
    """Asterisk rejected the Login (wrong username/secret, or ``permit`` in manager.conf)."""

    def __init__(self, node: str, username: str, message: str) -> None:
        super().__init__(
            f"AMI login to {node} as {username!r} was rejected: {message}. "
            "Check the user and secret in manager.conf and CALLCENTER_AMI__USERNAME/SECRET. / "
            f"Asterisk {node} từ chối đăng nhập AMI của {username!r}: {message}. "
            "Hãy kiểm tra tên người dùng và mật khẩu trong manager.conf và cấu hình dịch vụ."
        )
        self.node = node
        self.username = username
        self.message = message


class AmiNotConnectedError(AmiError):
    """An action was requested while no AMI session is up."""

    def __init__(self, node: str) -> None:
        super().__init__(f"AMI of {node} is not connected / Chưa kết nối AMI tới Asterisk {node}")
        self.node = node


class AmiDisconnectedError(AmiError):
    """The connection ended before the action's answer came (the action is NOT re-sent)."""

    def __init__(self, node: str, action: str) -> None:
        super().__init__(
            f"AMI connection to {node} ended before {action} was answered; it was not re-sent / "
            f"Mất kết nối AMI tới {node} trước khi {action} được trả lời; lệnh không được gửi lại"
        )
        self.node = node
        self.action = action


class AmiActionError(AmiError):
    """Asterisk answered an action with ``Response: Error`` (``message`` is Asterisk's text)."""

    def __init__(self, node: str, action: str, message: str) -> None:
        super().__init__(f"AMI {action} on {node} failed: {message}")
        self.node = node
        self.action = action
        self.message = message


class AmiTimeoutError(AmiError, TimeoutError):
    """An action got no complete answer in time."""

    def __init__(self, node: str, action: str, seconds: float) -> None:
        super().__init__(f"AMI {action} on {node} got no answer within {seconds:g} s")
        self.node = node
        self.action = action
