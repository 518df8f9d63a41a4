# UDP hole punching's rendezvous, on loopback: peers register a name with a rendezvous server ("REG name"),
# ask for another ("WHO name"); the server answers with the address it saw on the registration datagram
# (recvfrom()'s address, as NAT traversal needs) or "UNKNOWN"; each peer then sends PUNCH datagrams straight to
# the other from the same socket, answers a PUNCH with an ACK, and they chat. A peer that leaves ("BYE") is
# forgotten. Messages carry a request id; a reply with a stale id (a late duplicate the server sends on purpose)
# is discarded. Addresses are printed by name.
import json
import socket
import threading

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 0))
server.settimeout(5)
SERVER = server.getsockname()
names = {}
slog = []


def rendezvous(n):
    for _ in range(n):
        data, addr = server.recvfrom(512)
        req = json.loads(data)
        op, rid = req["op"], req["id"]
        if op == "REG":
            names[req["name"]] = addr
            reply = {"id": rid, "ok": True}
        elif op == "WHO":
            found = names.get(req["name"])
            reply = {"id": rid, "ok": found is not None, "addr": list(found) if found else None}
            if req["name"] == "bob" and rid == 2:
                server.sendto(json.dumps({"id": rid - 1, "ok": True, "addr": ["127.0.0.1", 9]}).encode(), addr)
        elif op == "BYE":
            names.pop(req["name"], None)
            reply = {"id": rid, "ok": True}
        else:
            reply = {"id": rid, "ok": False, "error": "bad op " + op}
        slog.append(f"{op} {req.get('name')} -> {reply['ok']}")
        server.sendto(json.dumps(reply).encode(), addr)


class Peer:
    def __init__(self, name):
        self.name = name
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(5)
        self.rid = 0
        self.log = []

    def ask(self, op, name):
        self.rid += 1
        self.s.sendto(json.dumps({"op": op, "name": name, "id": self.rid}).encode(), SERVER)
        while True:
            data, addr = self.s.recvfrom(512)
            if addr != SERVER:
                self.log.append("not from the server: " + data.decode())
                continue
            reply = json.loads(data)
            if reply["id"] != self.rid:
                self.log.append(f"stale reply id {reply['id']} (want {self.rid}) discarded")
                continue
            return reply


alice, bob = Peer("alice"), Peer("bob")
label = {alice.s.getsockname(): "alice's socket", bob.s.getsockname(): "bob's socket"}
t = threading.Thread(target=rendezvous, args=(8,))
t.start()
print("alice REG:", alice.ask("REG", "alice"))
print("alice WHO bob:", alice.ask("WHO", "bob"))
print("bob REG:", bob.ask("REG", "bob"))
r = alice.ask("WHO", "bob")
bob_addr = tuple(r["addr"])
print("alice WHO bob: ok", r["ok"], "->", label[bob_addr])
r = bob.ask("WHO", "alice")
alice_addr = tuple(r["addr"])
print("bob WHO alice: ok", r["ok"], "->", label[alice_addr])


def punch_and_chat(me, other, lines, expect):
    me.s.sendto(b"PUNCH from " + me.name.encode(), other)
    got = []
    while len(got) < expect:
        data, addr = me.s.recvfrom(512)
        assert addr == other, addr
        if data.startswith(b"PUNCH"):
            me.s.sendto(b"ACK " + me.name.encode(), other)
            for line in lines:
                me.s.sendto(line.encode(), other)
        got.append(data.decode())
    return got


result = {}
tb = threading.Thread(target=lambda: result.setdefault("bob", punch_and_chat(bob, alice_addr, ["hi alice"], 4)))
tb.start()
result["alice"] = punch_and_chat(alice, bob_addr, ["hi bob", "how are you"], 3)
tb.join()
print("alice heard:", result["alice"])
print("bob heard:", sorted(result["bob"]))
print("bob BYE:", bob.ask("BYE", "bob"))
print("alice WHO bob:", alice.ask("WHO", "bob"))
print("alice JUMP:", alice.ask("JUMP", "x"))
t.join()
print("alice's log:", alice.log)
print("server:", slog)
for x in (alice.s, bob.s, server):
    x.close()
