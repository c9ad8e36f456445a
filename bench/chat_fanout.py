"""Chat fan-out: delivery latency through real ASGI servers and the Redis channel layer.

    .venv/bin/python bench/chat_fanout.py [--sockets 500] [--servers 2] [--rate 100]
        [--duration 30] [--redis-db 9] [--json bench/results/chat_fanout.json]

What it does: creates (or recreates) the database in BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hms_bench_chat) and migrates it; creates demo-like
conversations whose socket counts add up to --sockets, each of 2 to 5 participants: a
doctor and a patient (with a portal account) in a chart conversation, or a teleconsult
appointment happening now with its consult room and one to three invited nurses; starts
--servers daphne processes on free ports (REDIS_URL=redis://127.0.0.1:6379/<--redis-db>, so
the channel layer and the cache are Redis); opens one WebSocket per participant with a bearer
token, spreading the participants of each conversation over the servers, so most deliveries
cross from one process to another through Redis. Then every socket sends messages at random
(exponential) intervals, --rate messages per second in all, for --duration seconds, and waits
for the last deliveries.

It reports, for deliveries to the other participants (the sender's own copy is counted apart):
p50/p95/p99/max latency from the send to the receipt, the number lost (a stored message some
other participant never received), doubled or out-of-order, refused sends, and the servers'
CPU time. It first checks through daphne that refusals arrive with their close codes (4401 for
a bad token, 4404 for an unknown conversation). Target: p95 < 100 ms, 0 lost.

Clients and servers share the machine: the client side (one asyncio process, autobahn) is part
of the measured time.
"""

import argparse
import asyncio
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from benchlib import cpu_seconds, ensure_database, free_port

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "backend"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hms_bench_chat"


def room_sizes(total: int, rng: random.Random) -> list[int]:
    """Conversation sizes of 2 to 5 sockets adding up to `total` (at least 2)."""
    sizes = []
    left = total
    while left > 0:
        size = rng.randint(2, 5)
        if left - size == 1:  # never leave a room of one
            size += 1 if size < 5 else -1
        size = min(size, left)
        sizes.append(size)
        left -= size
    return sizes


def create_conversations(sizes: list[int], rng: random.Random) -> list[dict]:
    """Demo-like doctors, patients and nurses in conversations of the given sizes.

    Returns, per conversation, its id and its participants' bearer tokens."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from hms.accounts.models import DoctorProfile, User
    from hms.appointments.models import Appointment
    from hms.patients.models import CareAssignment, Patient
    from hms.patients.services import mrn_allocate, patient_set_derived_fields
    from hms.telemedicine.services import (
        consult_invite,
        consult_room_ensure,
        conversation_get_or_create_chart,
    )

    first_names = ["Amina", "Carlos", "Mei", "Olu", "Sofia", "Tomas", "Yara", "Jonas", "Leila"]
    last_names = ["Okafor", "Nguyen", "Garcia", "Smith", "Kowalski", "Haddad", "Silva", "Ito"]
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(minutes=5)
    mrns = mrn_allocate(count=len(sizes))

    def user(username: str, role: str) -> User:
        account = User(
            username=username,
            role=role,
            first_name=rng.choice(first_names),
            last_name=rng.choice(last_names),
        )
        account.set_unusable_password()
        account.save()
        return account

    nurse_pool = [user(f"bench_nurse{i}", "nurse") for i in range(20)]
    conversations = []
    for index, size in enumerate(sizes):
        doctor = user(f"bench_dr{index}", "doctor")
        DoctorProfile.objects.create(user=doctor, specialization="General practice")
        account = user(f"bench_pt{index}", "patient")
        patient = Patient(
            first_name=account.first_name,
            last_name=account.last_name,
            user=account,
            email=f"bench_pt{index}@example.org",
        )
        patient_set_derived_fields(patient)
        patient.mrn = mrns[index]
        patient.save()
        members = [doctor, account]
        if size == 2:
            CareAssignment.objects.create(patient=patient, doctor=doctor, active=True)
            conversation, _ = conversation_get_or_create_chart(actor=doctor, patient=patient)
        else:
            # A teleconsult booked for now (the booking rules are not what is measured).
            local_start = timezone.localtime(start)
            appointment = Appointment.objects.create(
                patient=patient,
                doctor=doctor,
                date=local_start.date(),
                slot=local_start.time(),
                start_at=start,
                end_at=start + timedelta(minutes=60),
                booked_by=account,
                reason="Follow-up by video",
                visit_type="teleconsult",
            )
            room = consult_room_ensure(appointment=appointment)
            conversation = room.conversation
            for nurse in rng.sample(nurse_pool, size - 2):
                consult_invite(actor=doctor, appointment=appointment, user=nurse)
                members.append(nurse)
        conversations.append(
            {
                "id": str(conversation.public_id),
                "tokens": [str(AccessToken.for_user(member)) for member in members],
            }
        )
    return conversations


def make_data(sockets: int, seed: int) -> None:
    """(In the child process) create the conversations and print them as JSON."""
    sys.path.insert(0, str(BACKEND))
    import django

    django.setup()
    rng = random.Random(seed)
    print(json.dumps(create_conversations(room_sizes(sockets, rng), rng)))


def wait_for_server(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"daphne on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"daphne on port {port} did not answer within {timeout:.0f} s")


# --- the client side ------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        # client_id -> time.time() at send (clients and servers share the machine's clock)
        self.sent_at: dict[str, float] = {}
        self.room_of: dict[str, int] = {}  # client_id -> conversation index
        self.sender_of: dict[str, object] = {}
        self.stored: set[str] = set()  # client ids the sender got back (stored)
        self.received: dict[str, set] = {}  # client_id -> sockets (other than the sender's)
        self.latencies: list[float] = []  # to the other participants
        self.echo_latencies: list[float] = []  # back to the sender
        self.send_to_stored: list[float] = []  # send -> the message's created_at
        self.stored_to_received: list[float] = []  # created_at -> receipt by the others
        self.refused = Counter()
        self.doubled = 0
        self.out_of_order = 0
        self.unexpected_closes = Counter()


def make_protocol(stats: Stats):
    from autobahn.asyncio.websocket import WebSocketClientProtocol

    class BenchSocket(WebSocketClientProtocol):
        def __init__(self) -> None:
            super().__init__()
            self.ready = asyncio.get_running_loop().create_future()
            self.closed = asyncio.get_running_loop().create_future()
            self.last_seq = 0
            self.closing = False

        def onMessage(self, payload, isBinary):
            now = time.time()
            frame = json.loads(payload)
            event = frame.get("event")
            if event == "hello":
                self.last_seq = frame["last_seq"]
            elif event == "caught_up":
                if not self.ready.done():
                    self.ready.set_result(True)
            elif event == "message":
                message = frame["message"]
                seq = message["seq"]
                if seq <= self.last_seq:
                    stats.doubled += 1
                    return
                if seq != self.last_seq + 1:
                    stats.out_of_order += 1
                self.last_seq = seq
                client_id = message["client_id"]
                sent = stats.sent_at.get(client_id)
                if sent is None:
                    return
                created = datetime.fromisoformat(message["created_at"]).timestamp()
                if stats.sender_of[client_id] is self:
                    stats.stored.add(client_id)
                    stats.echo_latencies.append(now - sent)
                    stats.send_to_stored.append(created - sent)
                else:
                    stats.received.setdefault(client_id, set()).add(id(self))
                    stats.latencies.append(now - sent)
                    stats.stored_to_received.append(now - created)
            elif event == "error":
                stats.refused[frame["code"]] += 1

        def onClose(self, wasClean, code, reason):
            if not self.ready.done():
                self.ready.set_exception(ConnectionError(f"closed {code} {reason}"))
            if not self.closing:
                stats.unexpected_closes[code] += 1
            if not self.closed.done():
                self.closed.set_result(code)

        def send_frame(self, frame: dict) -> None:
            self.sendMessage(json.dumps(frame).encode())

    return BenchSocket


async def open_socket(protocol_class, port: int, path: str, token: str | None):
    from autobahn.asyncio.websocket import WebSocketClientFactory

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    factory = WebSocketClientFactory(f"ws://127.0.0.1:{port}{path}", headers=headers)
    factory.protocol = protocol_class
    # 500 sockets closing at once wait their turn on the servers.
    factory.setProtocolOptions(closeHandshakeTimeout=30)
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(factory, "127.0.0.1", port)
    return protocol


async def check_close_codes(port: int, conversation_id: str, valid_token: str) -> dict:
    """A bad token and an unknown conversation, through daphne: the close codes arrive."""
    protocol_class = make_protocol(Stats())
    codes = {}
    for name, path, token in (
        ("bad_token", f"/ws/conversations/{conversation_id}/", "not-a-token"),
        ("unknown_conversation", f"/ws/conversations/{uuid.uuid4()}/", valid_token),
    ):
        sock = await open_socket(protocol_class, port, path, token)
        sock.closing = True
        codes[name] = await asyncio.wait_for(sock.closed, 10)
        sock.ready.exception()  # refused before caught_up, as expected
    return codes


async def run_clients(args, conversations: list[dict], ports: list[int]) -> dict:
    stats = Stats()
    protocol_class = make_protocol(stats)
    close_codes = await check_close_codes(
        ports[0], conversations[0]["id"], conversations[0]["tokens"][0]
    )

    sockets = []  # (conversation index, protocol)
    plan = []
    for index, conversation in enumerate(conversations):
        for position, token in enumerate(conversation["tokens"]):
            port = ports[(index + position) % len(ports)]  # a room's members on different servers
            plan.append((index, port, conversation["id"], token))
    connect_started = time.perf_counter()
    for start in range(0, len(plan), 50):  # 50 handshakes at a time
        batch = plan[start : start + 50]
        opened = await asyncio.gather(
            *(
                open_socket(protocol_class, port, f"/ws/conversations/{cid}/", token)
                for _, port, cid, token in batch
            )
        )
        await asyncio.gather(*(asyncio.wait_for(sock.ready, 30) for sock in opened))
        sockets.extend((index, sock) for (index, *_), sock in zip(batch, opened, strict=True))
    connect_seconds = time.perf_counter() - connect_started
    room_size = Counter(index for index, _ in sockets)

    per_socket_rate = args.rate / len(sockets)
    deadline = time.perf_counter() + args.duration
    rng = random.Random(args.seed)

    async def sender(index: int, sock) -> None:
        while True:
            delay = rng.expovariate(per_socket_rate)
            if time.perf_counter() + delay >= deadline:
                return
            await asyncio.sleep(delay)
            client_id = str(uuid.uuid4())
            stats.sent_at[client_id] = time.time()
            stats.room_of[client_id] = index
            stats.sender_of[client_id] = sock
            sock.send_frame(
                {"action": "send", "client_id": client_id, "body": f"Bench message {client_id}"}
            )

    await asyncio.gather(*(sender(index, sock) for index, sock in sockets))
    # Let the last deliveries arrive: until nothing is missing, at most --drain seconds.
    drain_deadline = time.perf_counter() + args.drain
    while time.perf_counter() < drain_deadline:
        missing = sum(
            room_size[stats.room_of[cid]] - 1 - len(stats.received.get(cid, ()))
            for cid in stats.stored
        )
        if missing == 0 and len(stats.stored) + sum(stats.refused.values()) >= len(stats.sent_at):
            break
        await asyncio.sleep(0.2)
    for _, sock in sockets:
        sock.closing = True
        sock.sendClose()
    await asyncio.gather(*(asyncio.wait_for(sock.closed, 10) for _, sock in sockets))

    expected = sum(room_size[stats.room_of[cid]] - 1 for cid in stats.stored)
    delivered = sum(len(stats.received.get(cid, ())) for cid in stats.stored)

    def percentile(values, q):
        if not values:
            return None
        return round(statistics.quantiles(values, n=1000, method="inclusive")[q - 1] * 1000, 1)

    return {
        "sockets": len(sockets),
        "conversations": len(conversations),
        "room_sizes": dict(sorted(Counter(room_size.values()).items())),
        "connect_seconds": round(connect_seconds, 1),
        "sent": len(stats.sent_at),
        "stored": len(stats.stored),
        "refused": dict(stats.refused),
        "deliveries_expected": expected,
        "deliveries": delivered,
        "lost": expected - delivered,
        "doubled": stats.doubled,
        "out_of_order": stats.out_of_order,
        "unexpected_closes": dict(stats.unexpected_closes),
        "latency_ms": {
            "p50": percentile(stats.latencies, 500),
            "p95": percentile(stats.latencies, 950),
            "p99": percentile(stats.latencies, 990),
            "max": round(max(stats.latencies) * 1000, 1) if stats.latencies else None,
        },
        "sender_echo_ms": {
            "p50": percentile(stats.echo_latencies, 500),
            "p95": percentile(stats.echo_latencies, 950),
        },
        # The two halves of a delivery: until the server stamped the message (queue, checks,
        # insert), and from then until another participant had it (commit, push, Redis, send).
        "send_to_stored_ms": {
            "p50": percentile(stats.send_to_stored, 500),
            "p95": percentile(stats.send_to_stored, 950),
        },
        "stored_to_received_ms": {
            "p50": percentile(stats.stored_to_received, 500),
            "p95": percentile(stats.stored_to_received, 950),
        },
        "close_codes_through_daphne": close_codes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--servers", type=int, default=2, help="daphne processes")
    parser.add_argument("--rate", type=float, default=100.0, help="messages per second, in all")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of sending")
    parser.add_argument("--drain", type=float, default=15.0, help="seconds to wait at the end")
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--make-data", type=int, metavar="SOCKETS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_data:
        make_data(args.make_data, args.seed)
        return

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "HMS_WARM_UP_AT_START": "0",
        "PYTHONPATH": str(BACKEND),
    }
    print(f"database: {db_url}  redis: {env['REDIS_URL']}", flush=True)
    ensure_database(db_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BACKEND,
        env=env,
        check=True,
    )

    # The data is made in a process of its own: Django's apps (daphne among them) set up
    # Twisted for txaio, and the clients here run autobahn on asyncio.
    started = time.perf_counter()
    made = subprocess.run(
        [sys.executable, __file__, "--make-data", str(args.sockets), "--seed", str(args.seed)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    conversations = json.loads(made.stdout.strip().splitlines()[-1])
    print(
        f"created {len(conversations)} conversations in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    ports = [free_port() for _ in range(args.servers)]
    servers = [
        subprocess.Popen(
            [
                str(VENV_BIN / "daphne"),
                *("-v", "0"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=BACKEND,
            env=env,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for_server(port, server)
        cpu_before = cpu_seconds(s.pid for s in servers)
        results = asyncio.run(run_clients(args, conversations, ports))
        results["servers"] = args.servers
        results["rate_per_s"] = args.rate
        results["duration_s"] = args.duration
        results["server_cpu_seconds"] = round(cpu_seconds(s.pid for s in servers) - cpu_before, 1)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

    print(json.dumps(results, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    target_met = (
        results["lost"] == 0
        and results["latency_ms"]["p95"] is not None
        and results["latency_ms"]["p95"] < 100
    )
    print("target (p95 < 100 ms, 0 lost):", "met" if target_met else "NOT met")
    sys.exit(0 if target_met else 1)


if __name__ == "__main__":
    main()
