"""The prompts the hotline plays, by name, with standard Asterisk sounds to fall back on.

The hotline's own recordings (Vietnamese and English) are referenced as ``hotline/<name>`` in the
sound directory of each language. Until they are recorded, each prompt falls back to sounds that
ship with Asterisk's core sound package, so a fresh installation never plays silence.
``PROMPTS`` doubles as the list of prompts to record (see docs/prompts.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    text_vi: str
    text_en: str
    fallback: tuple[str, ...]

    def media(self, *, custom: bool) -> tuple[str, ...]:
        """ARI media URIs to play, e.g. ``("sound:hotline/welcome",)``."""
        if custom:
            return (f"sound:hotline/{self.name}",)
        return tuple(f"sound:{s}" for s in self.fallback)


PROMPTS: dict[str, Prompt] = {
    p.name: p
    for p in (
        Prompt(
            "welcome",
            "Đường dây nóng phòng, chống mua bán người xin chào.",
            "Welcome to the national anti-trafficking hotline.",
            ("welcome",),
        ),
        Prompt(
            "choose-language",
            "Tiếng Việt bấm 1. For English press 2. Tiếng Khmer bấm 3. Tiếng H'Mông bấm 4.",
            "For Vietnamese press 1, English 2, Khmer 3, H'Mong 4.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "danger",
            "Nếu bạn đang gặp nguy hiểm ngay lúc này, bấm 9.",
            "If you are in danger right now, press 9.",
            ("pls-hold-while-try",),
        ),
        Prompt(
            "choose-region",
            "Miền Bắc bấm 1, miền Trung bấm 2, miền Nam bấm 3.",
            "North press 1, centre press 2, south press 3.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "province-option",
            "Để bấm mã tỉnh, thành phố nơi bạn đang ở, bấm 0.",
            "To key the code of the province or city where you are, press 0.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "enter-province",
            "Hãy bấm hai chữ số mã tỉnh, thành phố nơi bạn đang ở.",
            "Key the two digits of the code of the province or city where you are.",
            ("please-enter-your", "number"),
        ),
        Prompt(
            "province-unknown",
            "Mã tỉnh không đúng. Xin bấm lại hai chữ số.",
            "That is not a province code. Please key the two digits again.",
            ("option-is-invalid", "please-try-again"),
        ),
        Prompt(
            "please-hold",
            "Xin vui lòng giữ máy, tư vấn viên sẽ trả lời bạn ngay.",
            "Please hold, a counsellor will answer you shortly.",
            ("pls-hold-while-try",),
        ),
        Prompt(
            "position",
            "Bạn đang ở vị trí số",
            "You are caller number",
            ("queue-thereare",),
        ),
        Prompt(
            "expected-wait",
            "Thời gian chờ dự kiến khoảng (phút)",
            "The expected wait is about (minutes)",
            ("queue-holdtime",),
        ),
        Prompt(
            "callback-offer",
            "Để được gọi lại, bấm 1. Để tiếp tục chờ, bấm 2.",
            "To be called back, press 1. To keep waiting, press 2.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "callback-confirm-number",
            "Chúng tôi sẽ gọi lại số này. Bấm 1 nếu đúng và an toàn để gọi lại.",
            "We will call you back on this number. Press 1 if it is right and safe to call.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "callback-when",
            "Khi nào an toàn để gọi lại? Buổi sáng bấm 1, buổi chiều bấm 2, buổi tối bấm 3, "
            "bất kỳ lúc nào bấm 0.",
            "When is it safe to call you back? Morning 1, afternoon 2, evening 3, any time 0.",
            ("vm-enter-num-to-call",),
        ),
        Prompt(
            "callback-confirmed",
            "Yêu cầu gọi lại của bạn đã được ghi nhận. Xin cảm ơn.",
            "Your callback request is recorded. Thank you.",
            ("auth-thankyou",),
        ),
        Prompt(
            "all-busy-emergency",
            "Hiện tất cả tư vấn viên đều bận. Nếu khẩn cấp, hãy gọi Công an 113. "
            "Để được gọi lại, bấm 1.",
            "All counsellors are busy. In an emergency call the police on 113. "
            "To be called back, press 1.",
            ("tt-allbusy",),
        ),
        Prompt(
            "goodbye",
            "Xin cảm ơn bạn đã gọi. Tạm biệt.",
            "Thank you for calling. Goodbye.",
            ("goodbye",),
        ),
    )
}
