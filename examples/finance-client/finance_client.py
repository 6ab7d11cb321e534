#!/usr/bin/env python3
"""A finance system's side of Suivi's NATS contract, written from proto/asyncapi.yaml alone.

It follows the approved instalments of one tenant and reports each one paid back to Suivi:

1. pulls the ledger from the durable consumer `finance-<tenant>` that Suivi creates on
   `<PREFIX>_LEDGER`, keeping the facts whose `fact` is `instalment_approved`;
2. publishes, with JetStream, a `payment_reported` message on `<prefix>.<tenant>.fin.payment_reported`
   for the fact's `net_to_pay_ttc`, with a `Nats-Msg-Id` derived from the fact's `source.event_id`
   (so a restart that sees the fact again never pays twice);
3. acknowledges the fact only once JetStream acknowledged the publish;
4. reads the rejections from its consumer `finance-<tenant>` on `<PREFIX>_FINANCE_DEAD` and prints them.

`--balance <contract_id>` asks the balance query service instead. See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import decimal
import json
import re
import sys
import time
from typing import Any, Optional

import nats
from nats.errors import NoRespondersError, TimeoutError as NatsTimeoutError
from nats.js.errors import APIError, NotFoundError

TENANT = re.compile(r"^[a-z0-9_-]{1,32}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# Pulled per request, and how long one pull waits for messages.
BATCH = 64
FETCH_SECONDS = 2.0


def log(*parts: Any) -> None:
    print(*parts, flush=True)


def warn(*parts: Any) -> None:
    print("warning:", *parts, file=sys.stderr, flush=True)


def stream_name(prefix: str, suffix: str) -> str:
    """`SUIVI_LEDGER` for the prefix `suivi`: the prefix in capitals, then `_<suffix>`.

    The AsyncAPI document only says "the prefix in capitals followed by a suffix"; for a prefix
    that is not a single alphanumeric token (e.g. `test.ab12`) we assume every other character
    becomes `_`. `--ledger-stream` and `--dead-stream` override the names.
    """
    token = "".join(c.upper() if c.isascii() and c.isalnum() else "_" for c in prefix)
    return f"{token}_{suffix}"


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Pay back Suivi's approved instalments over NATS (example finance client)."
    )
    p.add_argument("--server", default="nats://127.0.0.1:4222", help="NATS URL(s), comma-separated")
    p.add_argument("--prefix", default="suivi", help="first subject token (default: suivi)")
    p.add_argument("--tenant", required=True, help="the tenant whose finance this is")
    p.add_argument("--user", help="NATS user (with --password)")
    p.add_argument("--password", help="NATS password")
    p.add_argument("--nkey-seed", help="file holding the NATS nkey seed (SU...)")
    p.add_argument(
        "--inbox-prefix",
        help="inbox prefix for replies (default: _INBOX_<tenant>, the only one finance may use)",
    )
    p.add_argument("--paid-on", help="payment date YYYY-MM-DD (default: today)")
    p.add_argument(
        "--reference-prefix",
        default="FC",
        help="finance_reference = <this>-<contract number>-<instalment number> (default: FC)",
    )
    p.add_argument("--once", action="store_true", help="drain what is there, then exit (for CI)")
    p.add_argument("--balance", metavar="CONTRACT_ID", help="print the contract's balance and exit")
    p.add_argument(
        "--consumer-wait",
        type=float,
        default=60.0,
        help="seconds to wait for Suivi to create the consumers (it does within 30 s of a new tenant)",
    )
    p.add_argument("--ledger-stream", help="override the ledger stream's name (<PREFIX>_LEDGER)")
    p.add_argument("--dead-stream", help="override the dead-letter stream's name (<PREFIX>_FINANCE_DEAD)")
    args = p.parse_args(argv)
    if not TENANT.match(args.tenant):
        p.error("--tenant: 1 to 32 characters among a-z, 0-9, '-' and '_'")
    if args.paid_on is not None:
        try:
            if not DATE.match(args.paid_on):
                raise ValueError
            dt.date.fromisoformat(args.paid_on)
        except ValueError:
            p.error("--paid-on: a date YYYY-MM-DD")
    if args.balance is not None and not UUID.match(args.balance):
        p.error("--balance: a contract id (UUID)")
    if (args.user is None) != (args.password is None):
        p.error("--user and --password go together")
    if args.inbox_prefix is None:
        args.inbox_prefix = f"_INBOX_{args.tenant}"
    args.ledger_stream = args.ledger_stream or stream_name(args.prefix, "LEDGER")
    args.dead_stream = args.dead_stream or stream_name(args.prefix, "FINANCE_DEAD")
    args.consumer = f"finance-{args.tenant}"
    return args


async def connect(args: argparse.Namespace) -> nats.NATS:
    options: dict[str, Any] = {
        "servers": [s.strip() for s in args.server.split(",") if s.strip()],
        "name": f"finance-client-{args.tenant}",
        "inbox_prefix": args.inbox_prefix,
        "connect_timeout": 5,
        "max_reconnect_attempts": 5 if args.once else -1,
    }
    if args.user is not None:
        options["user"] = args.user
        options["password"] = args.password
    if args.nkey_seed is not None:
        options["nkeys_seed"] = args.nkey_seed

    async def on_error(error: Exception) -> None:
        warn(f"NATS: {error}")

    options["error_cb"] = on_error
    return await nats.connect(**options)


# ---------------------------------------------------------------------------------------------
# The balance query


async def balance(nc: nats.NATS, args: argparse.Namespace) -> int:
    subject = f"{args.prefix}.{args.tenant}.query.balance"
    request = json.dumps({"contract_id": args.balance}).encode()
    try:
        reply = await nc.request(subject, request, timeout=5)
    except NoRespondersError:
        warn(f"no service answers on {subject}: is Suivi running with this prefix?")
        return 1
    except NatsTimeoutError:
        warn(f"no answer on {subject} within 5 s")
        return 1
    headers = reply.headers or {}
    if "Nats-Service-Error-Code" in headers:
        code = headers.get("Nats-Service-Error-Code")
        warn(f"balance refused ({code}): {headers.get('Nats-Service-Error', '')}")
        return 1
    log(json.dumps(json.loads(reply.data), indent=2, ensure_ascii=False))
    return 0


# ---------------------------------------------------------------------------------------------
# Following the ledger


class Follower:
    def __init__(self, nc: nats.NATS, args: argparse.Namespace) -> None:
        self.nc = nc
        self.js = nc.jetstream(timeout=10)
        self.args = args
        self.payments_subject = f"{args.prefix}.{args.tenant}.fin.payment_reported"
        self.done: set[str] = set()  # event ids handled in this run (delivery is at least once)
        self.paid = 0
        self.ignored = 0
        self.failed = 0
        self.rejections = 0

    def paid_on(self) -> str:
        # Read per payment, so a long-running client does not keep yesterday's date.
        return self.args.paid_on or dt.date.today().isoformat()

    async def wait_for_consumers(self) -> None:
        """Suivi creates the consumers; finance may not. Wait for both to exist."""
        deadline = time.monotonic() + self.args.consumer_wait
        for stream in (self.args.ledger_stream, self.args.dead_stream):
            while True:
                try:
                    await self.js.consumer_info(stream, self.args.consumer)
                    break
                except NotFoundError:
                    if time.monotonic() >= deadline:
                        raise SystemExit(
                            f"error: no consumer {self.args.consumer} on {stream} after "
                            f"{self.args.consumer_wait:.0f} s: does the tenant exist in Suivi, and is "
                            "Suivi running with this prefix?"
                        )
                    await asyncio.sleep(1)

    async def pending(self, stream: str) -> int:
        info = await self.js.consumer_info(stream, self.args.consumer)
        return info.num_pending

    async def run(self) -> int:
        await self.wait_for_consumers()
        # Bind to Suivi's consumers: never create one (finance's user may not).
        ledger = await self.js.pull_subscribe_bind(self.args.consumer, self.args.ledger_stream)
        dead = await self.js.pull_subscribe_bind(self.args.consumer, self.args.dead_stream)
        log(
            f"following {self.args.ledger_stream} and {self.args.dead_stream} through "
            f"{self.args.consumer}; paying on {self.payments_subject}"
        )
        while True:
            got = await self.pull(ledger, self.on_fact)
            got += await self.pull(dead, self.on_rejection)
            if self.args.once and got == 0:
                if await self.pending(self.args.ledger_stream) == 0 and await self.pending(self.args.dead_stream) == 0:
                    break
        if self.paid:
            # Suivi takes a payment asynchronously: give the rejections of this run's payments a
            # moment to arrive, so `--once` prints them.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                await self.pull(dead, self.on_rejection)
        log(
            f"done: {self.paid} payment(s) reported, {self.ignored} fact(s) with nothing to pay, "
            f"{self.rejections} rejection(s), {self.failed} failure(s)"
        )
        return 1 if self.failed else 0

    async def pull(self, sub: Any, handle: Any) -> int:
        try:
            messages = await sub.fetch(BATCH, timeout=FETCH_SECONDS)
        except (NatsTimeoutError, asyncio.TimeoutError):  # nothing came
            return 0
        for msg in messages:
            await handle(msg)
        return len(messages)

    # -- ledger facts ---------------------------------------------------------------------------

    async def on_fact(self, msg: Any) -> None:
        headers = msg.headers or {}
        msg_id = headers.get("Nats-Msg-Id")
        try:
            fact = json.loads(msg.data)
            if not isinstance(fact, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:
            warn(f"{msg.subject}: not a ledger fact ({error}); left aside")
            await msg.term()  # it would never become readable: do not deliver it again
            return
        kind = fact.get("fact")
        source = fact.get("source") if isinstance(fact.get("source"), dict) else {}
        event_id = source.get("event_id")
        if msg_id != event_id or fact.get("tenant") != self.args.tenant:
            warn(f"{msg.subject}: Nats-Msg-Id {msg_id!r}, source.event_id {event_id!r}, tenant "
                 f"{fact.get('tenant')!r}: not a fact of Suivi for this tenant; ignored")
            await msg.ack_sync(timeout=5)
            return
        if kind != "instalment_approved":
            # Other facts (contract_awarded, late_payment_owed, …) are for other parts of finance.
            await msg.ack_sync(timeout=5)
            return
        if event_id in self.done:
            await msg.ack_sync(timeout=5)
            return
        body = self.payment_for(fact)
        if body is None:
            self.ignored += 1
            self.done.add(event_id)
            await msg.ack_sync(timeout=5)
            return
        if await self.report(body, f"paid-{event_id}"):
            await msg.ack_sync(timeout=5)
            self.done.add(event_id)
        else:
            self.failed += 1
            await msg.nak(delay=30)

    def payment_for(self, fact: dict[str, Any]) -> Optional[dict[str, Any]]:
        contract_id, number, net = fact.get("contract_id"), fact.get("number"), fact.get("net_to_pay_ttc")
        if not (isinstance(contract_id, str) and UUID.match(contract_id)):
            warn(f"instalment_approved without a contract id: {fact!r}")
            return None
        if not (isinstance(number, int) and number >= 0 and isinstance(net, str) and DECIMAL.match(net)):
            warn(f"instalment_approved of {contract_id} without a number or a net to pay: {fact!r}")
            return None
        if decimal.Decimal(net) <= 0:
            log(f"contract {contract_id} instalment {number}: net to pay {net}, nothing to pay")
            return None
        return {
            "contract_id": contract_id,
            "item": {"kind": "instalment", "number": number},
            "amount_ttc": net,
            "paid_on": self.paid_on(),
            "finance_reference": f"{self.args.reference_prefix}-{contract_id[:8]}-{number}",
        }

    async def report(self, body: dict[str, Any], message_id: str) -> bool:
        """Publish with JetStream until acknowledged (three tries: the same id, so harmless)."""
        data = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Nats-Msg-Id": message_id, "Suivi-Schema-Version": "1"}
        for attempt in (1, 2, 3):
            try:
                ack = await self.js.publish(self.payments_subject, data, timeout=5, headers=headers)
            except (NatsTimeoutError, NoRespondersError) as error:
                warn(f"publishing {message_id} (try {attempt}): {type(error).__name__}")
                await asyncio.sleep(attempt)
                continue
            except APIError as error:
                warn(f"publishing {message_id}: refused by JetStream: {error}")
                return False
            again = " (already sent: JetStream dropped the copy)" if ack.duplicate else ""
            log(
                f"paid: contract {body['contract_id']} instalment {body['item']['number']} "
                f"{body['amount_ttc']} TTC on {body['paid_on']}, message {message_id}, "
                f"{ack.stream} #{ack.seq}{again}"
            )
            self.paid += 1
            return True
        return False

    # -- rejections -----------------------------------------------------------------------------

    async def on_rejection(self, msg: Any) -> None:
        headers = msg.headers or {}
        try:
            rejection = json.loads(msg.data)
            if not isinstance(rejection, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:
            warn(f"{msg.subject}: unreadable rejection ({error})")
            await msg.ack_sync(timeout=5)
            return
        self.rejections += 1
        field = rejection.get("field")
        log(
            f"rejected: {headers.get('Nats-Msg-Id', '?')} message {rejection.get('message_id')!r} "
            f"on {rejection.get('subject')}: {rejection.get('code')}"
            + (f" ({field})" if field else "")
            + f": {rejection.get('detail')} / {rejection.get('detail_fr')}"
        )
        log(f"  as received: {rejection.get('payload')}")
        await msg.ack_sync(timeout=5)


async def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    try:
        nc = await connect(args)
    except Exception as error:  # noqa: BLE001 - any connection failure ends the run
        warn(f"cannot connect to {args.server}: {error}")
        return 2
    try:
        if args.balance is not None:
            return await balance(nc, args)
        return await Follower(nc, args).run()
    finally:
        # Acknowledgements were confirmed one by one (ack_sync): nothing is left to send.
        await nc.close()


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
