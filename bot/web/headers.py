"""Security headers of every page under ``/answer/``."""

from __future__ import annotations

from bot.web.render import stylesheet_hash


def security_headers() -> list[tuple[str, str]]:
    policy = "; ".join(
        (
            "default-src 'none'",
            f"style-src '{stylesheet_hash()}'",
            "img-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )
    return [
        ("Content-Security-Policy", policy),
        ("Referrer-Policy", "no-referrer"),  # the link's token never leaves in a Referer
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
        ("X-Robots-Tag", "noindex, nofollow"),
    ]
