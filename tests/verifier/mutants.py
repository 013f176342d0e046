# SPDX-License-Identifier: Apache-2.0
"""A corpus of mutated evidence, made from one good piece of evidence and
the keys derived from the device secret (so that a mutant that must break
exactly one rule can be validly signed).

Each case says what a verifier holding the root key must conclude ("root":
§6 alone) and what one that also recomputes the claims must ("full").
"""

import hashlib

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import pvm_verify as v

ACCEPT, REJECT = "accept", "reject"


class Case:
    def __init__(self, name, evidence, challenge, root=REJECT, full=REJECT):
        self.name, self.evidence, self.challenge = name, evidence, challenge
        self.root, self.full = root, full


class Keys:
    """The three private keys of a piece of evidence, derived from the UDS
    and the layer inputs its certificates state (unsigned VM: hidden = RIM)."""

    def __init__(self, uds, evidence):
        top = cbor2.loads(evidence)
        hyp = cbor2.loads(top[0][2])
        vm = cbor2.loads(top[1][2])
        hyp_layer = v.Layer(hyp[v.CODE_HASH], hyp[v.CONFIG_DESCRIPTOR], hyp[v.AUTHORITY_HASH],
                            hyp[v.MODE][0], bytes(64))
        signed = vm[v.AUTHORITY_HASH] != bytes(64)
        vm_layer = v.Layer(vm[v.CODE_HASH], vm[v.CONFIG_DESCRIPTOR], vm[v.AUTHORITY_HASH],
                           vm[v.MODE][0], bytes(64) if signed else vm[v.CODE_HASH])
        chain = v.Chain(uds, hyp_layer, vm_layer)
        self.root, self.hyp, self.vm = chain.root, chain.hyp_key, chain.vm_key
        for key, claims, what in ((self.hyp, hyp, "hypervisor"), (self.vm, vm, "VM")):
            if v.cose_key(v.point_bytes(key.public_key())) != claims[v.SUBJECT_PUBLIC_KEY]:
                raise ValueError("the %s key derived from the UDS is not the certificate's" % what)


def raw_map(pairs):
    """A CBOR map of already-encoded (key, value) pairs, in the given order
    and with repeats allowed: for non-deterministic and duplicate mutants."""
    return v._head(5, len(pairs)) + b"".join(k + val for k, val in pairs)


def encoded_pairs(claims):
    return sorted((v.cbor_encode(k), v.cbor_encode(val)) for k, val in claims.items())


def sign_low_s(key, message, high_s=False, random_k=False):
    """r ‖ s: libpvm's unique signature, its high-S twin, or one with a
    random nonce (valid, low-S, not RFC 6979)."""
    if random_k:
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
        s = min(s, v.P256_N - s)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = v.rfc6979_sign(key, message)
    if high_s:
        s = int.from_bytes(sig[32:], "big")
        sig = sig[:32] + (v.P256_N - s).to_bytes(32, "big")
    return sig


def sign1(key, payload, protected=v.PROTECTED_ES256, unprotected=b"\xa0", tag=None, **how):
    """An encoded COSE_Sign1 over raw payload bytes (the header bytes given
    raw too), signed by key."""
    sig = sign_low_s(key, v.sig_structure(protected, payload), **how)
    body = (v._head(4, 4) + v.cbor_encode(protected) + unprotected + v.cbor_encode(payload) +
            v.cbor_encode(sig))
    return (v._head(6, tag) if tag is not None else b"") + body


def assemble(hyp, vm, token):
    return v._head(4, 3) + hyp + vm + token


def high_s_of(encoded_sign1):
    """The same COSE_Sign1 with s replaced by n - s (the last 32 bytes)."""
    s = int.from_bytes(encoded_sign1[-32:], "big")
    return encoded_sign1[:-32] + (v.P256_N - s).to_bytes(32, "big")


def corpus(evidence, uds, challenge):
    """Every case, the unmodified evidence first."""
    keys = Keys(uds, evidence)
    top = cbor2.loads(evidence)
    hyp_claims = cbor2.loads(top[0][2])
    vm_claims = cbor2.loads(top[1][2])
    tok_claims = cbor2.loads(top[2].value[2])
    enc = [v.cbor_encode(item) for item in top]
    hyp_e, vm_e, tok_e = enc
    cases = [Case("good evidence", evidence, challenge, ACCEPT, ACCEPT)]
    add = cases.append

    def hyp_cert(claims=None, payload=None, key=None, **kw):
        payload = payload if payload is not None else v.cbor_encode(claims)
        return sign1(key or keys.root, payload, **kw)

    def vm_cert(claims=None, payload=None, key=None, **kw):
        payload = payload if payload is not None else v.cbor_encode(claims)
        return sign1(key or keys.hyp, payload, **kw)

    def token(claims=None, payload=None, key=None, tag=v.TAG_COSE_SIGN1, **kw):
        payload = payload if payload is not None else v.cbor_encode(claims)
        return sign1(key or keys.vm, payload, tag=tag, **kw)

    def vm_and_token(vm_c, tok_c=None):
        """A VM certificate with other claims and a token that follows it."""
        tok_c = dict(tok_claims if tok_c is None else tok_c)
        tok_c[v.INITIAL_MEASUREMENT] = vm_c[v.CODE_HASH]
        return vm_cert(vm_c), token(tok_c)

    # Re-made from our keys, the evidence is the same bytes (signatures unique).
    add(Case("rebuilt from the derived keys", assemble(hyp_cert(hyp_claims), vm_cert(vm_claims),
                                                        token(tok_claims)), challenge, ACCEPT, ACCEPT))
    add(Case("re-signed with random nonces (valid, low-S)",
             assemble(hyp_cert(hyp_claims, random_k=True), vm_cert(vm_claims, random_k=True),
                      token(tok_claims, random_k=True)), challenge, ACCEPT, ACCEPT))

    # The challenge.
    add(Case("wrong challenge", evidence, bytes([challenge[0] ^ 1]) + challenge[1:]))
    add(Case("challenge one byte short", evidence, challenge[:-1]))

    # Byte-level damage.
    for cut in sorted({0, 1, 2, len(evidence) // 3, len(evidence) // 2, len(hyp_e) + 1,
                       len(hyp_e) + len(vm_e) + 1, len(evidence) - 65, len(evidence) - 1}):
        add(Case("truncated to %d bytes" % cut, evidence[:cut], challenge))
    add(Case("a byte after the array", evidence + b"\x00", challenge))
    add(Case("an array of four", v._head(4, 4) + evidence[1:] + tok_e, challenge))
    add(Case("an array of two", v._head(4, 2) + hyp_e + vm_e, challenge))
    add(Case("indefinite-length array", b"\x9f" + evidence[1:] + b"\xff", challenge))
    for which, e in (("hypervisor certificate", hyp_e), ("VM certificate", vm_e), ("token", tok_e)):
        start = evidence.index(e)
        sig_at = start + len(e) - 64
        for byte in (0, 31, 32, 63):
            m = bytearray(evidence)
            m[sig_at + byte] ^= 0x01
            add(Case("%s signature bit flip at byte %d" % (which, byte), bytes(m), challenge))
        payload_at = start + len(e) // 2
        m = bytearray(evidence)
        m[payload_at] ^= 0x10
        add(Case("%s body bit flip" % which, bytes(m), challenge))
    add(Case("token tag 17 instead of 18", evidence.replace(tok_e, b"\xd1" + tok_e[1:]), challenge))

    # Order, tags and issuers.
    add(Case("certificates swapped", assemble(vm_e, hyp_e, tok_e), challenge))
    add(Case("token first", assemble(tok_e, vm_e, hyp_e), challenge))
    add(Case("token untagged", assemble(hyp_e, vm_e, tok_e[1:]), challenge))
    add(Case("hypervisor certificate tagged 18", assemble(b"\xd2" + hyp_e, vm_e, tok_e), challenge))
    add(Case("VM certificate issued by the root key",
             assemble(hyp_e, vm_cert(vm_claims, key=keys.root), tok_e), challenge))
    add(Case("hypervisor certificate signed by the hypervisor key",
             assemble(hyp_cert(hyp_claims, key=keys.hyp), vm_e, tok_e), challenge))
    add(Case("token signed by the hypervisor key",
             assemble(hyp_e, vm_e, token(tok_claims, key=keys.hyp)), challenge))
    other_uds = bytes([uds[0] ^ 0xFF]) + uds[1:]
    other_root = v.asym_kdf(other_uds)
    h2 = dict(hyp_claims)
    h2[v.ISS] = v.dice_id_text(v.point_bytes(other_root.public_key()))
    add(Case("hypervisor certificate from another device's root",
             assemble(hyp_cert(h2, key=other_root), vm_e, tok_e), challenge))

    # High-S twins: valid ECDSA, not the unique low-S form.
    add(Case("hypervisor certificate high-S twin", assemble(high_s_of(hyp_e), vm_e, tok_e), challenge))
    add(Case("VM certificate high-S twin", assemble(hyp_e, high_s_of(vm_e), tok_e), challenge))
    add(Case("token high-S twin", assemble(hyp_e, vm_e, high_s_of(tok_e)), challenge))

    # COSE_Sign1 headers and signature sizes.
    for what, make in (("hypervisor certificate", lambda **kw: assemble(hyp_cert(hyp_claims, **kw), vm_e, tok_e)),
                       ("VM certificate", lambda **kw: assemble(hyp_e, vm_cert(vm_claims, **kw), tok_e)),
                       ("token", lambda **kw: assemble(hyp_e, vm_e, token(tok_claims, **kw)))):
        add(Case("%s alg ES384 (-35)" % what, make(protected=bytes.fromhex("a1013822")), challenge))
        add(Case("%s protected header with a kid" % what,
                 make(protected=bytes.fromhex("a201260441aa")), challenge))
        add(Case("%s empty protected header" % what, make(protected=b""), challenge))
        add(Case("%s unprotected header not empty" % what,
                 make(unprotected=bytes.fromhex("a10441aa")), challenge))
    sig_start = len(tok_e) - 66  # "58 40" then 64 bytes
    add(Case("token signature 63 bytes",
             assemble(hyp_e, vm_e, tok_e[:sig_start] + b"\x58\x3f" + tok_e[sig_start + 2:-1]), challenge))
    add(Case("token signature 65 bytes",
             assemble(hyp_e, vm_e, tok_e[:sig_start] + b"\x58\x41" + tok_e[sig_start + 2:] + b"\x00"),
             challenge))

    # Every certificate claim removed, resized, duplicated; and one more.
    def cert_variants(claims):
        for label, value in claims.items():
            rest = {k: x for k, x in claims.items() if k != label}
            yield "claim %d removed" % label, v.cbor_encode(rest)
            if isinstance(value, (bytes, str)):
                longer = dict(claims)
                longer[label] = value + (b"\x00" if isinstance(value, bytes) else "0")
                yield "claim %d one longer" % label, v.cbor_encode(longer)
                if len(value) > 1:
                    shorter = dict(claims)
                    shorter[label] = value[:-1]
                    yield "claim %d one shorter" % label, v.cbor_encode(shorter)
            wrong_type = dict(claims)
            wrong_type[label] = value.encode() if isinstance(value, str) else (
                value.hex() if isinstance(value, bytes) else b"")
            yield "claim %d of the wrong type" % label, v.cbor_encode(wrong_type)
            pairs = encoded_pairs(claims)
            dup = [p for p in pairs for _ in range(2 if p[0] == v.cbor_encode(label) else 1)]
            yield "claim %d twice" % label, raw_map(dup)
        extra = dict(claims)
        extra[-4670550] = b"\x00"
        yield "an extra claim", v.cbor_encode(extra)
        pairs = encoded_pairs(claims)
        yield "claims out of order", raw_map(pairs[::-1])
        long_head = bytes([0xB9, 0x00, len(pairs)])
        yield "map length not shortest", long_head + b"".join(k + x for k, x in pairs)

    for what, claims, make in (
            ("hypervisor certificate", hyp_claims, lambda p: assemble(hyp_cert(payload=p), vm_e, tok_e)),
            ("VM certificate", vm_claims, lambda p: assemble(hyp_e, vm_cert(payload=p), tok_e))):
        for name, payload in cert_variants(claims):
            add(Case("%s: %s" % (what, name), make(payload), challenge))

    # Claims with the right sizes and wrong contents (re-signed).
    def with_claims(claims, *changes):
        c = dict(claims)
        for k, x in changes:
            c[k] = x
        return c

    upper_sub = hyp_claims[v.SUB].upper() if any(ch in "abcdef" for ch in hyp_claims[v.SUB]) else None
    if upper_sub:
        add(Case("hypervisor sub in upper-case hex (VM iss too)",
                 assemble(hyp_cert(with_claims(hyp_claims, (v.SUB, upper_sub))),
                          vm_cert(with_claims(vm_claims, (v.ISS, upper_sub))), tok_e), challenge))
    top_bit = lambda t: "%x" % (int(t[0], 16) | 8) + t[1:]
    add(Case("IDs with the top bit set (v1 form)",
             assemble(hyp_cert(with_claims(hyp_claims, (v.ISS, top_bit(hyp_claims[v.ISS])),
                                           (v.SUB, top_bit(hyp_claims[v.SUB])))),
                      vm_cert(with_claims(vm_claims, (v.ISS, top_bit(vm_claims[v.ISS])),
                                          (v.SUB, top_bit(vm_claims[v.SUB])))), tok_e), challenge))
    add(Case("hypervisor iss not the root's ID",
             assemble(hyp_cert(with_claims(hyp_claims, (v.ISS, "0" * 40))), vm_e, tok_e), challenge))
    add(Case("hypervisor sub not the ID of its key (VM iss follows)",
             assemble(hyp_cert(with_claims(hyp_claims, (v.SUB, "0" * 40))),
                      vm_cert(with_claims(vm_claims, (v.ISS, "0" * 40))), tok_e), challenge))
    add(Case("VM iss not the hypervisor's sub",
             assemble(hyp_e, vm_cert(with_claims(vm_claims, (v.ISS, "1" * 40))), tok_e), challenge))
    add(Case("VM sub not the ID of its key",
             assemble(hyp_e, vm_cert(with_claims(vm_claims, (v.SUB, "2" * 40))), tok_e), challenge))
    add(Case("hypervisor mode 4", assemble(hyp_cert(with_claims(hyp_claims, (v.MODE, b"\x04"))),
                                           vm_e, tok_e), challenge))
    add(Case("hypervisor mode 3 (valid; not what the port gives)",
             assemble(hyp_cert(with_claims(hyp_claims, (v.MODE, b"\x03"))), vm_e, tok_e), challenge,
             ACCEPT, REJECT))
    flipped_mode = b"\x02" if vm_claims[v.MODE] == b"\x01" else b"\x01"
    add(Case("VM mode does not match the descriptor's protected byte",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.MODE, flipped_mode)))), challenge))
    d = bytearray(vm_claims[v.CONFIG_DESCRIPTOR])
    d[0] ^= 0x20
    add(Case("VM descriptor label changed",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.CONFIG_DESCRIPTOR, bytes(d)),
                                                      (v.CONFIG_HASH, v.H(bytes(d)))))), challenge))
    d = bytearray(vm_claims[v.CONFIG_DESCRIPTOR])
    d[-1] ^= 1
    add(Case("VM descriptor's RPV changed (consistent hash), the token's not",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.CONFIG_DESCRIPTOR, bytes(d)),
                                                      (v.CONFIG_HASH, v.H(bytes(d)))))), challenge))
    add(Case("VM descriptor's and token's RPV changed (valid; not the VM's)",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.CONFIG_DESCRIPTOR, bytes(d)),
                                                      (v.CONFIG_HASH, v.H(bytes(d)))),
                                          with_claims(tok_claims, (v.RPV, bytes(d[-64:]))))), challenge,
             ACCEPT, REJECT))
    add(Case("VM configurationHash not H(descriptor)",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.CONFIG_HASH, bytes(64))))), challenge))
    add(Case("hypervisor configurationHash not H(descriptor)",
             assemble(hyp_cert(with_claims(hyp_claims, (v.CONFIG_HASH, bytes(64)))), vm_e, tok_e), challenge))
    add(Case("VM keyUsage 0x21", assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.KEY_USAGE, b"\x21")))),
             challenge))
    add(Case("VM profileName changed",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.PROFILE_NAME, "libpvm.dice.v2")))),
             challenge))
    other_rim = hashlib.sha512(b"another image").digest()
    add(Case("VM codeHash another RIM, token follows (valid; not this image)",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.CODE_HASH, other_rim)))), challenge,
             ACCEPT, REJECT))
    add(Case("VM authorityHash set (valid; the image is not signed)",
             assemble(hyp_e, *vm_and_token(with_claims(vm_claims, (v.AUTHORITY_HASH, b"\x11" * 64)))),
             challenge, ACCEPT, REJECT))
    add(Case("hypervisor codeHash another image (valid; not this hypervisor)",
             assemble(hyp_cert(with_claims(hyp_claims, (v.CODE_HASH, other_rim))), vm_e, tok_e), challenge,
             ACCEPT, REJECT))

    # Keys: off the curve, wrong COSE_Key shapes, another key.
    def key_bytes(pub):
        return v.cose_key(pub)
    vm_pub = v.point_bytes(keys.vm.public_key())
    off_curve = vm_pub[:64] + bytes([vm_pub[64] ^ 1])
    add(Case("VM subjectPublicKey off the curve",
             assemble(hyp_e, vm_cert(with_claims(vm_claims, (v.SUBJECT_PUBLIC_KEY, key_bytes(off_curve)))),
                      token(with_claims(tok_claims, (v.PUBLIC_KEY, key_bytes(off_curve))))), challenge))
    ck = cbor2.loads(vm_claims[v.SUBJECT_PUBLIC_KEY])
    for name, bad in (("kty 1 (OKP)", with_claims(ck, (1, 1))), ("alg -35", with_claims(ck, (3, -35))),
                      ("crv 2 (P-384)", with_claims(ck, (-1, 2))), ("an extra label", with_claims(ck, (2, b"k"))),
                      ("x 31 bytes", with_claims(ck, (-2, ck[-2][1:]))),
                      ("no y", {k: x for k, x in ck.items() if k != -3})):
        enc_key = v.cbor_encode(bad)
        add(Case("VM subjectPublicKey %s" % name,
                 assemble(hyp_e, vm_cert(with_claims(vm_claims, (v.SUBJECT_PUBLIC_KEY, enc_key))),
                          token(with_claims(tok_claims, (v.PUBLIC_KEY, enc_key)))), challenge))
    add(Case("VM subjectPublicKey in an unsorted map",
             assemble(hyp_e, vm_cert(with_claims(vm_claims, (v.SUBJECT_PUBLIC_KEY, raw_map(
                 encoded_pairs(ck)[::-1])))), tok_e), challenge))
    hyp_pub = v.point_bytes(keys.hyp.public_key())
    add(Case("token public key not the VM's (the hypervisor's)",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.PUBLIC_KEY, key_bytes(hyp_pub))))),
             challenge))

    # Every token claim removed, resized, duplicated; and wrong contents.
    for name, payload in cert_variants(tok_claims):
        add(Case("token: %s" % name, assemble(hyp_e, vm_e, token(payload=payload)), challenge))
    rems = tok_claims[v.EXTENSIBLE_MEASUREMENTS]
    for name, bad in (("three REMs", rems[:3]), ("five REMs", rems + [bytes(64)]),
                      ("a REM of 63 bytes", [rems[0][:63]] + rems[1:])):
        add(Case("token: %s" % name,
                 assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.EXTENSIBLE_MEASUREMENTS, bad)))),
                 challenge))
    # (The relying party's challenge is a valid one: a verifier may refuse to
    # be asked with an empty or a 65-byte one.)
    for name, chal in (("empty challenge", b""), ("65-byte challenge", challenge + bytes(65 - len(challenge)))):
        add(Case("token: %s" % name,
                 assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.CHALLENGE, chal)))), challenge))
    add(Case("token: 64-byte challenge (valid)",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.CHALLENGE, b"\x5a" * 64)))),
             b"\x5a" * 64, ACCEPT, ACCEPT))
    add(Case("token: profile changed",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.PROFILE, v.TOKEN_PROFILE + "x")))),
             challenge))
    add(Case("token: hash algorithm sha-256",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.HASH_ALGORITHM, "sha-256")))), challenge))
    add(Case("token: RIM not the VM's codeHash",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.INITIAL_MEASUREMENT, other_rim)))),
             challenge))
    add(Case("token: RPV not the VM certificate's",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.RPV, b"\x01" * 64)))), challenge))
    add(Case("token: REM[3] changed (valid; REMs are what the guest made them)",
             assemble(hyp_e, vm_e, token(with_claims(tok_claims, (v.EXTENSIBLE_MEASUREMENTS,
                                                                   rems[:3] + [b"\x33" * 64])))),
             challenge, ACCEPT, ACCEPT))
    return cases
