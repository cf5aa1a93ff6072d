"""Throttles on guessing passwords and on mail, without letting an attacker lock a victim out.

Counts live in Flask-Limiter's storage (memory per process; Redis when several
servers share `RATELIMIT_STORAGE_URI`), never in a Python dict, and are keyed
by a hash of the address so the store holds no emails.

Sign-in attempts count in buckets (limits in config.py):

- per (address, IP): one attacker's machine is slowed on one account;
- per address across all IPs, for browsers the account does not know: a
  botnet guessing one account is slowed;
- per known-device cookie: a browser where the owner signed in before skips
  both buckets above (OWASP's "device cookies"), so an attacker who trips
  them cannot lock the owner out; it gets a bucket of its own instead. The
  cookie is bound to the password: a new one forgets every other browser, so
  cookies gathered by someone who once had it stop counting.

Every attempt is counted *before* the password is checked (an atomic
increment), so parallel guesses cannot all slip through between a check and a
count; a successful sign-in stays counted. A throttled attempt is refused
before the password is checked, and the same way whether or not the address
has an account.

Account mail is capped per (address, requesting IP), so an attacker spending
an address's allowance does not spend the owner's own, plus a generous
ceiling per address against mail-bombing from many IPs; the owner's known
browser has its own cap instead of both. Security notices (password changed,
email changed or change requested) are never dropped.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask.wrappers import Response
from limits import RateLimitItem, parse

from . import tokens
from .extensions import limiter

DEVICE_PURPOSE = "device"


@dataclass(frozen=True)
class Bucket:
    """One counter: the limit (a config key) and what it is counted per."""

    setting: str
    keys: tuple[str, ...]

    @property
    def item(self) -> RateLimitItem:
        return parse(current_app.config[self.setting])


def enabled() -> bool:
    """Follow Flask-Limiter's switch, so tests and operators turn every throttle off at once."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _hashed(address: str) -> str:
    return tokens.digest("address:" + address)[:32]


def sign_in_buckets(address: str, ip: str, device: str | None) -> list[Bucket]:
    """Return the buckets a sign-in to `address` counts in; `device` is a trusted cookie's id."""
    who = _hashed(address)
    if device is not None:
        return [Bucket("SIGNIN_FAILURES_PER_DEVICE", ("signin-device", who, device))]
    return [
        Bucket("SIGNIN_FAILURES_PER_ADDRESS_AND_IP", ("signin-ip", who, ip)),
        Bucket("SIGNIN_FAILURES_PER_ADDRESS", ("signin", who)),
    ]


def seconds_to_wait(buckets: list[Bucket]) -> int:
    """Return how long until every bucket has room again (0: go ahead)."""
    if not enabled():
        return 0
    wait = 0.0
    for bucket in buckets:
        if not limiter.limiter.test(bucket.item, *bucket.keys):
            wait = max(wait, _seconds_to_reset(bucket))
    return math.ceil(wait)


def count_attempt(buckets: list[Bucket]) -> int:
    """Count one attempt in every bucket before it is made; return the wait (0: go ahead).

    A full bucket refuses without counting. Otherwise each bucket is hit (an
    atomic increment), and a hit that goes over the limit refuses too: of many
    parallel attempts, no more than the limit get through.
    """
    wait = seconds_to_wait(buckets)
    if wait or not enabled():
        return wait
    over = [bucket for bucket in buckets if not limiter.limiter.hit(bucket.item, *bucket.keys)]
    return math.ceil(max((_seconds_to_reset(bucket) for bucket in over), default=0.0))


def _seconds_to_reset(bucket: Bucket) -> float:
    reset_at, _ = limiter.limiter.get_window_stats(bucket.item, *bucket.keys)
    return max(reset_at - time.time(), 1.0)


def allow_mail(address: str, ip: str | None, device: str | None = None) -> bool:
    """Count one account mail to `address` asked for from `ip`; False once a cap is reached.

    Two caps: per (address, IP), so someone spending an address's allowance
    does not spend its owner's; and a higher one per address, against floods
    from many IPs (`ip` None counts only that one). A browser where the owner
    signed in before (`device`, a trusted cookie's id) counts apart instead: per
    browser, and under a ceiling of their own per address, so many IPs spending
    the strangers' ceiling cannot keep the owner's mail away, and cookies
    collected by someone who once had the password cannot lift the ceiling.
    Callers drop the mail silently, so the page looks the same. Security notices
    do not come here.
    """
    if not enabled():
        return True
    who = _hashed(address)
    if device is not None:  # a ceiling strangers cannot spend, nor old cookies exceed
        buckets = [Bucket("MAILS_PER_DEVICE", ("mail-device", who, device)),
                   Bucket("MAILS_PER_ADDRESS_FROM_KNOWN_DEVICES", ("mail-known", who))]  # fmt: skip
    else:
        buckets = [Bucket("MAILS_PER_ADDRESS", ("mail", who))]
        if ip is not None:
            buckets.insert(0, Bucket("MAILS_PER_ADDRESS_AND_IP", ("mail-ip", who, ip)))
    if any(not limiter.limiter.test(bucket.item, *bucket.keys) for bucket in buckets):
        return False
    return all([limiter.limiter.hit(bucket.item, *bucket.keys) for bucket in buckets])


def signup_attempt_bucket(token_hash: str) -> Bucket:
    """The count of passwords tried on one sign-up link."""
    return Bucket("SIGNUP_CONFIRM_ATTEMPTS", ("signup-confirm", token_hash[:32]))


def attempts_left(bucket: Bucket) -> int | None:
    """Return how many more attempts `bucket` allows now (None: throttles are off)."""
    if not enabled():
        return None
    _, remaining = limiter.limiter.get_window_stats(bucket.item, *bucket.keys)
    return remaining


def wait_message(seconds: int) -> str:
    """Say how long to wait, in whole minutes.

    >>> wait_message(30), wait_message(600)
    ('Too many attempts; try again in 1 minute.', 'Too many attempts; try again in 10 minutes.')
    """
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts; try again in {minutes} {unit}."


# ------------------------------------------------------------------ known-device cookie


def trusted_device(cookie: str | None, user, now: datetime) -> str | None:
    """Return the device id in `cookie` if it was issued to `user`'s browser under their
    current password, else None (a new password forgets every browser)."""
    if not cookie or user is None:
        return None
    max_age = timedelta(seconds=current_app.config["DEVICE_COOKIE_SECONDS"])
    data = tokens.unsign(DEVICE_PURPOSE, cookie, max_age=max_age, now=now)
    if (not data or data.get("u") != user.id or not isinstance(data.get("d"), str)
            or data.get("f") != _password_fingerprint(user)):  # fmt: skip
        return None
    return data["d"]


def remember_device(response: Response, cookie: str | None, user, now: datetime) -> None:
    """Mark this browser as one where `user` signed in (HttpOnly, Lax; Secure over HTTPS)."""
    config = current_app.config
    device = trusted_device(cookie, user, now) or tokens.random_token()[:22]
    data = {"u": user.id, "d": device, "f": _password_fingerprint(user)}
    value = tokens.sign(DEVICE_PURPOSE, data, now)
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        value,
        max_age=config["DEVICE_COOKIE_SECONDS"],
        httponly=True,
        samesite="Lax",
        secure=bool(config["SESSION_COOKIE_SECURE"]),
    )


def _password_fingerprint(user) -> str:
    return tokens.fingerprint(f"device\n{user.password_hash}")
