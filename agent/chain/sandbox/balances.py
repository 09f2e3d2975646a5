"""Free balances of one chain (the Coretime chain or the relay), with an existential deposit.

Why: prices, fees and auto-renewals move real money in the sandbox: a short sibling account
must make its auto-renewal fail exactly as the runtime's `Currency::withdraw` would. Only free
balance is modelled (no reserves, holds or freezes). An account below the existential deposit
is reaped; what is left of it is lost as dust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.chain.sandbox.dispatch import Emit, event, token_error


@dataclass
class Ledger:
    existential_deposit: int
    free: dict[str, int] = field(default_factory=dict)

    def balance(self, who: str) -> int:
        return self.free.get(who, 0)

    def set_balance(self, who: str, planck: int) -> None:
        """Set a balance directly (like `dev_setStorage`): no events, no checks."""
        if planck < 0:
            raise ValueError("a balance cannot be negative")
        if planck == 0:
            self.free.pop(who, None)
        else:
            self.free[who] = planck

    def can_pay(self, who: str, amount: int, *, keep_alive: bool) -> bool:
        free = self.balance(who)
        if free < amount:
            return False
        return not keep_alive or free - amount >= self.existential_deposit or amount == 0

    def withdraw(self, who: str, amount: int, emit: Emit, *, keep_alive: bool) -> None:
        """Take ``amount`` from ``who``; ``Token.FundsUnavailable`` / ``NotExpendable`` if not."""
        free = self.balance(who)
        if free < amount:
            raise token_error("FundsUnavailable")
        if keep_alive and amount and free - amount < self.existential_deposit:
            raise token_error("NotExpendable")
        if amount == 0:
            return
        emit(event("Balances", "Withdraw", who=who, amount=amount))
        self._settle(who, free - amount, emit)

    def deposit(self, who: str, amount: int, emit: Emit) -> None:
        """Credit ``who``; a new account needs at least the existential deposit."""
        if amount == 0:
            return
        free = self.balance(who)
        if free == 0 and amount < self.existential_deposit:
            raise token_error("BelowMinimum")
        if free == 0:
            emit(event("System", "NewAccount", account=who))
            emit(event("Balances", "Endowed", account=who, free_balance=amount))
        self.free[who] = free + amount
        emit(event("Balances", "Deposit", who=who, amount=amount))

    def transfer(
        self, source: str, dest: str, amount: int, emit: Emit, *, keep_alive: bool
    ) -> None:
        free = self.balance(source)
        if free < amount:
            raise token_error("FundsUnavailable")
        if keep_alive and free - amount < self.existential_deposit:
            raise token_error("NotExpendable")
        if self.balance(dest) == 0 and amount < self.existential_deposit:
            raise token_error("BelowMinimum")
        if source == dest or amount == 0:
            return
        new_dest = self.balance(dest) == 0
        self.free[dest] = self.balance(dest) + amount
        if new_dest:
            emit(event("System", "NewAccount", account=dest))
            emit(event("Balances", "Endowed", account=dest, free_balance=amount))
        emit(event("Balances", "Transfer", **{"from": source, "to": dest, "amount": amount}))
        self._settle(source, free - amount, emit)

    def _settle(self, who: str, remaining: int, emit: Emit) -> None:
        if remaining >= self.existential_deposit:
            self.free[who] = remaining
            return
        self.free.pop(who, None)
        if remaining:
            emit(event("Balances", "DustLost", account=who, amount=remaining))
        emit(event("System", "KilledAccount", account=who))
