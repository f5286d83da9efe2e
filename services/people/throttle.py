"""The sign-in throttle: guessing costs the guesser, not the account's owner.

Misses are counted in the credential store (``signin_throttle``) under three keys, each
in a window of ``GONGKAI_SIGNIN_LOCKOUT_MINUTES`` (15):

- ``address:IP`` — every miss from the address, whatever the account: at
  ``GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES`` (20) the address is locked for the window
  (one address trying many accounts);
- ``account-address:NAME|IP`` — misses at one account from one address: at
  ``GONGKAI_SIGNIN_ACCOUNT_MAX_FAILURES`` (5) that address is locked out of that
  account for the window (one address guessing one password);
- ``account:NAME`` — misses at the account from anywhere: from the 5th on, each miss
  holds the account back for a delay that doubles (1 s, 2 s, 4 s, … up to
  ``GONGKAI_SIGNIN_DELAY_MAX_SECONDS``, 300). The delay applies only to addresses that
  have missed this account in the window, so many addresses guessing together are
  slowed to a trickle, while the owner, from an address that has not failed, is
  never held back: the right password succeeds.

There is no lock of the account itself: an attacker who knows a username cannot keep
its owner out. A success clears the misses of that account from that address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from domain.errors import TooManyAttemptsError
from infra.credentials import CredentialStore
from infra.settings import Settings

MAX_KEY_PART = 100


def too_many(what: str, until: datetime, now: datetime) -> TooManyAttemptsError:
    """429 until ``until``: ``what`` (此地址, 此账号…) failed too often."""
    seconds = max(1, ceil((until - now).total_seconds()))
    return TooManyAttemptsError(
        f"{what}失败的尝试过多，请 {seconds} 秒后再试", retry_after=seconds
    )


def delay_seconds(misses: int, free: int, longest: int) -> int:
    """The account's delay after ``misses`` misses: none below ``free``, then 1 s
    doubling with each miss, at most ``longest``."""
    if misses < free:
        return 0
    return min(longest, 1 << min(misses - free, 30))


@dataclass(frozen=True)
class SignInThrottle:
    """Counts sign-in misses and says when an attempt must wait."""

    store: CredentialStore
    settings: Settings

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.settings.signin_lockout_minutes)

    def refusal(
        self, name: str, address: str, now: datetime
    ) -> TooManyAttemptsError | None:
        """Why an attempt at ``name`` from ``address`` is refused now, if it is."""
        until = self.store.locked_until(_address_key(address), now)
        if until is not None:
            return too_many("此地址", until, now)
        pair = _pair_key(name, address)
        until = self.store.locked_until(pair, now)
        if until is not None:
            return too_many("此地址登录此账号", until, now)
        until = self.store.locked_until(_account_key(name), now)
        if until is not None and self.store.failures(pair, now, self.window):
            return too_many("此账号", until, now)
        return None

    def missed(self, name: str, address: str, now: datetime) -> None:
        """Count a wrong password (or activation code) at ``name`` from ``address``."""
        settings, window = self.settings, self.window
        self.store.fail(
            _address_key(address), now, settings.signin_address_max_failures, window
        )
        self.store.fail(
            _pair_key(name, address), now, settings.signin_account_max_failures, window
        )
        misses = self.store.count(_account_key(name), now, window)
        delay = delay_seconds(
            misses,
            settings.signin_account_max_failures,
            settings.signin_delay_max_seconds,
        )
        if delay:
            self.store.hold(_account_key(name), now + timedelta(seconds=delay))

    def succeeded(self, name: str, address: str) -> None:
        """Forget the misses of ``name`` from ``address`` (not the account's)."""
        self.store.clear(_pair_key(name, address))


def _account_key(username: str) -> str:
    return f"account:{username.lower()[:MAX_KEY_PART]}"


def _address_key(address: str) -> str:
    return f"address:{address[:MAX_KEY_PART]}"


def _pair_key(username: str, address: str) -> str:
    return f"account-address:{username.lower()[:MAX_KEY_PART]}|{address[:MAX_KEY_PART]}"
