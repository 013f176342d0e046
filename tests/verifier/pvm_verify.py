#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A second verifier of libpvm's attestation evidence, written from
docs/attestation.md alone (not from src/attest/ or tools/pvm-verify/).

It checks evidence as the specification's §6 says, and, given what a relying
party knows (the device secret, or only the root key; the guest ELF and the
device tree it booted with), recomputes the measurements (§1) and keys (§2)
and requires the certificates and the token to say exactly that.

Functions are named after the sections they implement. Debian's
python3-cryptography does the hashing, HKDF, P-256 arithmetic and ECDSA
verification; python3-cbor2 decodes CBOR; the deterministic encoder is our
own (RFC 8949 §4.2.1 for the few types the evidence uses).

Exit status: 0 accepted, 1 rejected (one "pvm_verify: rejected: ..." line on
stderr), 2 usage error.
"""

import argparse
import hashlib
import hmac
import io
import json
import struct
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Reject(Exception):
    """The evidence is not accepted; the message says why."""


def require(cond, why):
    if not cond:
        raise Reject(why)


# P-256 (SEC 2 secp256r1)
P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def H(data):
    """§ Notation: H is SHA-512."""
    return hashlib.sha512(data).digest()


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


# ---------------------------------------------------------------------------
# §1 Measurement
# ---------------------------------------------------------------------------

PAGE = 4096
MEASURE_CODE = 1
MEASURE_DATA = 2


def rim_create(ipa_bits, protected, ram_base, ram_size):
    """§1.1: the RIM at VM_CREATE."""
    return H(b"libpvm RIM v2" + u32(ipa_bits) + bytes([protected]) + u64(ram_base) + u64(ram_size))


def rim_extend(rim, record):
    """§1.1: RIM = H(RIM ‖ record)."""
    return H(rim + record)


def record_load_measured(ipa, content, flags):
    """§1.1: 0x01 ‖ u64 ipa ‖ u64 size ‖ u64 flags ‖ H(content), 89 bytes."""
    assert len(content) % PAGE == 0 and content
    return b"\x01" + u64(ipa) + u64(len(content)) + u64(flags) + H(content)


def record_donate(ipa, size):
    """§1.1: 0x02 ‖ u64 ipa ‖ u64 size, 17 bytes."""
    return b"\x02" + u64(ipa) + u64(size)


def record_vcpu_create(index):
    """§1.1: 0x03 ‖ u32 index, 5 bytes."""
    return b"\x03" + u32(index)


def record_vcpu_boot(index, pc, x0):
    """§1.1: 0x04 ‖ u32 index ‖ u64 pc ‖ u64 x0, 21 bytes."""
    return b"\x04" + u32(index) + u64(pc) + u64(x0)


# §1.3 What pvm-run measures
IPA_BITS = 36
RAM_BASE = 0x80000000
DT_SIZE = 64 * 1024
DT_BELOW_END = 0x200000
PT_LOAD = 1
PF_X = 1


def elf_load_pages(elf):
    """§1.3 step 3: the ELF's entry point and its measured pages, as
    (ipa, 4096 bytes, flags) in the order pvm-run loads them."""
    require(elf[:4] == b"\x7fELF" and elf[4] == 2 and elf[5] == 1, "guest: not a little-endian ELF64")
    entry, phoff = struct.unpack_from("<QQ", elf, 24)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    pages = []
    for i in range(phnum):
        p_type, p_flags, p_offset, _vaddr, p_paddr, p_filesz, p_memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type != PT_LOAD or p_memsz == 0:
            continue
        require(p_offset + p_filesz <= len(elf), "guest: segment beyond the file")
        flags = MEASURE_CODE if p_flags & PF_X else MEASURE_DATA
        start = p_paddr & ~(PAGE - 1)
        end = (p_paddr + p_filesz + PAGE - 1) & ~(PAGE - 1)
        image = bytearray(end - start)
        image[p_paddr - start:p_paddr - start + p_filesz] = elf[p_offset:p_offset + p_filesz]
        for ipa in range(start, end, PAGE):
            pages.append((ipa, bytes(image[ipa - start:ipa - start + PAGE]), flags))
    return entry, pages


def flat_load_pages(image):
    """§1.3, the EL2 port's test host: a flat binary (objcopy -O binary of
    the guest) loaded page by page from the RAM base, every page with flags
    1, the entry point its first byte."""
    require(image, "guest: an empty flat binary")
    padded = image + bytes(-len(image) % PAGE)
    return RAM_BASE, [(RAM_BASE + off, padded[off:off + PAGE], MEASURE_CODE)
                      for off in range(0, len(padded), PAGE)]


def rim_of_pvm_run_guest(elf, dtb, mem_mib=16, vcpus=2, boot_all_vcpus=False, ipa_bits=IPA_BITS,
                         flat=None):
    """§1.3: the RIM pvm-run (and pvm-run-kvm, boot_all_vcpus) gives a
    protected VM built from an ELF guest and its device tree; with flat (and
    elf None) the EL2 test host's, from the guest's flat binary."""
    ram_size = mem_mib << 20
    require(len(dtb) <= DT_SIZE, "device tree: larger than its 64 KiB")
    rim = rim_create(ipa_bits, 1, RAM_BASE, ram_size)
    for index in range(vcpus):
        rim = rim_extend(rim, record_vcpu_create(index))
    entry, pages = elf_load_pages(elf) if flat is None else flat_load_pages(flat)
    for ipa, content, flags in pages:
        rim = rim_extend(rim, record_load_measured(ipa, content, flags))
    dt_ipa = RAM_BASE + ram_size - DT_BELOW_END
    dt_image = dtb + bytes(DT_SIZE - len(dtb))
    for off in range(0, DT_SIZE, PAGE):
        rim = rim_extend(rim, record_load_measured(dt_ipa + off, dt_image[off:off + PAGE], MEASURE_DATA))
    rim = rim_extend(rim, record_vcpu_boot(0, entry, dt_ipa))
    if boot_all_vcpus:
        for index in range(1, vcpus):
            rim = rim_extend(rim, record_vcpu_boot(index, entry, 0))
    return rim


def rim_of_non_protected(mem_mib=16, ipa_bits=IPA_BITS):
    """§1.2: creation value with protected = 0, never extended."""
    return rim_create(ipa_bits, 0, RAM_BASE, mem_mib << 20)


# ---------------------------------------------------------------------------
# §2 Keys (Open Profile for DICE)
# ---------------------------------------------------------------------------

# The profile's salts (Open Profile for DICE, "ASYM_SALT" and "ID_SALT").
ASYM_SALT = bytes.fromhex(
    "63b6a04d2c077fc10f639f21da793844356cc2b0b441b3a77124035c03f8e1be"
    "6035d31f282821a7450a02222ab1b3cff1679b05ab1ca5d1affb789ccd2b0b3b")
ID_SALT = bytes.fromhex(
    "dbdbaebc8020da9ff0dd5a24c83aa5a54286dfc263031e329b4da148430659fe"
    "62cdb5b7e1e00fc680306711eb444af77209359496fcff1db9520ba51c7b29ea")

MODE_NOT_CONFIGURED, MODE_NORMAL, MODE_DEBUG, MODE_RECOVERY = 0, 1, 2, 3


def kdf(length, ikm, salt, info):
    """§ Notation: HKDF-SHA512, extract then expand."""
    return HKDF(algorithm=hashes.SHA512(), length=length, salt=salt, info=info).derive(ikm)


class HmacDrbgSha256:
    """NIST SP 800-90A HMAC_DRBG with SHA-256: no nonce, no personalization
    string, no prediction resistance, no additional input."""

    def __init__(self, seed):
        self.key = bytes(32)
        self.v = b"\x01" * 32
        self._update(seed)

    def _mac(self, data):
        return hmac.new(self.key, data, hashlib.sha256).digest()

    def _update(self, data=b""):
        self.key = self._mac(self.v + b"\x00" + data)
        self.v = self._mac(self.v)
        if data:
            self.key = self._mac(self.v + b"\x01" + data)
            self.v = self._mac(self.v)

    def generate(self, n):
        out = b""
        while len(out) < n:
            self.v = self._mac(self.v)
            out += self.v
        self._update()
        return out[:n]


def p256_scalar_from_drbg(seed):
    """§2 P256_FROM_SEED's scalar: the first 32-byte DRBG output in [1, n-1]."""
    drbg = HmacDrbgSha256(seed)
    while True:
        d = int.from_bytes(drbg.generate(32), "big")
        if 1 <= d < P256_N:
            return d


def p256_from_seed(seed):
    return ec.derive_private_key(p256_scalar_from_drbg(seed), ec.SECP256R1())


def asym_kdf(x):
    """§2 ASYM_KDF(x) = P256_FROM_SEED(KDF(32, x, ASYM_SALT, "Key Pair"))."""
    return p256_from_seed(kdf(32, x, ASYM_SALT, b"Key Pair"))


def point_bytes(public_key):
    """The 65-byte uncompressed point."""
    return public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def dice_id(pub):
    """§2 ID(pub): KDF(20, pub, ID_SALT, "ID") with bit 7 of byte 0 cleared."""
    assert len(pub) == 65
    raw = bytearray(kdf(20, pub, ID_SALT, b"ID"))
    raw[0] &= 0x7F
    return bytes(raw)


def dice_id_text(pub):
    """§2: IDs appear in certificates as 40 lower-case hex characters."""
    return dice_id(pub).hex()


class Layer:
    """One DICE layer's inputs (§2 table) and what follows from them."""

    def __init__(self, code, config_descriptor, authority, mode, hidden):
        assert len(code) == len(authority) == len(hidden) == 64
        self.code = code
        self.config_descriptor = config_descriptor
        self.config = H(config_descriptor)
        self.authority = authority
        self.mode = mode
        self.hidden = hidden

    def next_cdis(self, cdi_attest, cdi_seal):
        """§2: CDI_Attest' and CDI_Seal'."""
        mode = bytes([self.mode])
        attest = kdf(32, cdi_attest, H(self.code + self.config + self.authority + mode + self.hidden),
                     b"CDI_Attest")
        seal = kdf(32, cdi_seal, H(self.authority + mode + self.hidden), b"CDI_Seal")
        return attest, seal


SIM_HYP_CODE = H(b"libpvm simulator hypervisor layer v1")


def hypervisor_layer_sim():
    """§2: the hypervisor-layer inputs pvm-run gives."""
    return Layer(SIM_HYP_CODE, bytes(64), bytes(64), MODE_NORMAL, bytes(64))


def el2_readonly_image(elf):
    """§2: the EL2 image "from its load address to its symbol __data_start",
    from its ELF: the loaded bytes from the lowest PT_LOAD address up to the
    value of the symbol __data_start (the end of its read-only part)."""
    require(elf[:4] == b"\x7fELF" and elf[4] == 2 and elf[5] == 1, "EL2 image: not an ELF64")
    phoff, shoff = struct.unpack_from("<QQ", elf, 32)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", elf, 54)
    # Elf64_Shdr: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    symtabs = [sh for sh in sections if sh[1] == 2]  # SHT_SYMTAB
    require(len(symtabs) == 1, "EL2 image: no symbol table")
    symtab = symtabs[0]
    strtab = sections[symtab[6]]
    end = None
    for off in range(symtab[4], symtab[4] + symtab[5], 24):  # Elf64_Sym
        st_name, _, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", elf, off)
        at = strtab[4] + st_name
        if elf[at:elf.index(b"\0", at)] == b"__data_start":
            end = st_value
    require(end is not None, "EL2 image: no __data_start symbol")
    segments = [struct.unpack_from("<IIQQQQQQ", elf, phoff + i * phentsize) for i in range(phnum)]
    loads = [p for p in segments if p[0] == PT_LOAD and p[6] > 0]
    start = min(p[3] for p in loads)
    image = bytearray(end - start)
    for p in loads:
        _, _, offset, vaddr, _, filesz, _, _ = p
        if vaddr < end:
            n = min(filesz, end - vaddr)
            image[vaddr - start:vaddr - start + n] = elf[offset:offset + n]
    return bytes(image)


def hypervisor_layer_el2(image_code_hash, provisioned):
    """§2: the EL2 port's inputs: code = H(image to the end of its read-only
    data), configuration and authority zeroes, mode 1 provisioned else 0."""
    return Layer(image_code_hash, bytes(64), bytes(64),
                 MODE_NORMAL if provisioned else MODE_NOT_CONFIGURED, bytes(64))


def vm_config_descriptor(ipa_bits, protected, ram_base, ram_size, rpv=bytes(64)):
    """§2: the 104-byte VM configuration descriptor."""
    return (b"libpvm VM config v1" + u32(ipa_bits) + bytes([protected]) + u64(ram_base) +
            u64(ram_size) + rpv)


def vm_layer(rim, descriptor, protected, authority_key=None):
    """§2 and §2.1: the VM layer's inputs. authority_key is the 65-byte
    point of the authority whose signature the hypervisor verified, or
    None for an unsigned VM."""
    if authority_key is not None:
        authority, hidden = H(authority_key), bytes(64)
    else:
        authority, hidden = bytes(64), rim
    mode = MODE_NORMAL if protected else MODE_DEBUG
    return Layer(rim, descriptor, authority, mode, hidden)


class Chain:
    """§2: the keys of the layers, derived from the UDS, as far as their
    inputs are known (hyp, vm: a Layer or None)."""

    def __init__(self, uds, hyp, vm):
        self.root = asym_kdf(uds)
        self.hyp_key = self.vm_key = self.seal_vm = None
        if hyp is not None:
            attest_hyp, seal_hyp = hyp.next_cdis(uds, uds)
            self.hyp_key = asym_kdf(attest_hyp)
            if vm is not None:
                attest_vm, self.seal_vm = vm.next_cdis(attest_hyp, seal_hyp)
                self.vm_key = asym_kdf(attest_vm)


# ---------------------------------------------------------------------------
# CBOR (RFC 8949 §4.2.1 deterministic encoding, for the types used here)
# ---------------------------------------------------------------------------

def _head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | extra]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def cbor_encode(item):
    """Deterministic CBOR of ints, bytes, text, lists, dicts and tags."""
    if isinstance(item, bool) or item is None:
        raise TypeError("no simple values in the evidence")
    if isinstance(item, int):
        return _head(0, item) if item >= 0 else _head(1, -1 - item)
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, str):
        data = item.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(item, list):
        return _head(4, len(item)) + b"".join(cbor_encode(x) for x in item)
    if isinstance(item, dict):
        pairs = sorted((cbor_encode(k), cbor_encode(v)) for k, v in item.items())
        return _head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
    if isinstance(item, cbor2.CBORTag):
        return _head(6, item.tag) + cbor_encode(item.value)
    raise TypeError("unexpected CBOR item %r" % type(item).__name__)


def cbor_decode_exact(data, what):
    """Decode one CBOR item that is all of data and is deterministically
    encoded: re-encoding gives the same bytes (§6 step 4)."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as e:  # cbor2 raises several types on malformed input
        raise Reject("%s: not CBOR (%s)" % (what, e))
    require(stream.tell() == len(data), "%s: bytes after the CBOR item" % what)
    try:
        again = cbor_encode(item)
    except (TypeError, ValueError) as e:
        raise Reject("%s: %s" % (what, e))
    require(again == data, "%s: not deterministically encoded" % what)
    return item


# ---------------------------------------------------------------------------
# §3 COSE_Sign1
# ---------------------------------------------------------------------------

PROTECTED_ES256 = bytes.fromhex("a10126")  # {1: -7}
TAG_COSE_SIGN1 = 18


def cose_key(pub):
    """§3: the COSE_Key of a 65-byte point, encoded (77 bytes)."""
    return cbor_encode({1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:65]})


def point_on_curve(x, y):
    return x < P256_P and y < P256_P and (y * y - (x * x * x - 3 * x + P256_B)) % P256_P == 0


def cose_key_decode(data, what):
    """§3/§4: exactly the 77-byte COSE_Key of a point on the curve;
    returns the 65-byte point."""
    require(len(data) == 77, "%s: COSE_Key is %d bytes, not 77" % (what, len(data)))
    key = cbor_decode_exact(data, what)
    require(isinstance(key, dict) and set(key) == {1, 3, -1, -2, -3}, "%s: COSE_Key labels" % what)
    require(key[1] == 2 and key[3] == -7 and key[-1] == 1, "%s: not an EC2 ES256 P-256 key" % what)
    x, y = key[-2], key[-3]
    require(isinstance(x, bytes) and isinstance(y, bytes) and len(x) == len(y) == 32,
            "%s: coordinates not 32-byte strings" % what)
    require(point_on_curve(int.from_bytes(x, "big"), int.from_bytes(y, "big")),
            "%s: key not on the curve" % what)
    return b"\x04" + x + y


def sig_structure(protected, payload):
    """§3: the CBOR ["Signature1", protected, h'', payload]."""
    return cbor_encode(["Signature1", protected, b"", payload])


def cose_sign1_decode(item, tagged, what):
    """§3: the four members of a COSE_Sign1, tagged 18 or untagged."""
    if tagged:
        require(isinstance(item, cbor2.CBORTag) and item.tag == TAG_COSE_SIGN1,
                "%s: not tagged COSE_Sign1 (18)" % what)
        item = item.value
    else:
        require(not isinstance(item, cbor2.CBORTag), "%s: tagged, must not be" % what)
    require(isinstance(item, list) and len(item) == 4, "%s: not a 4-item COSE_Sign1" % what)
    protected, unprotected, payload, signature = item
    require(protected == PROTECTED_ES256, "%s: protected header is not {1: -7}" % what)
    require(unprotected == {}, "%s: unprotected header not empty" % what)
    require(isinstance(payload, bytes), "%s: payload not a byte string" % what)
    require(isinstance(signature, bytes) and len(signature) == 64, "%s: signature not 64 bytes" % what)
    return protected, payload, signature


def check_signature(pub, protected, payload, signature, what):
    """§3: ES256 over the Sig_structure, r and s in [1, n-1], low-S."""
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    require(1 <= r < P256_N and 1 <= s < P256_N, "%s: signature r or s out of range" % what)
    require(s <= P256_N // 2, "%s: signature is not low-S" % what)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub)
    try:
        key.verify(encode_dss_signature(r, s), sig_structure(protected, payload),
                   ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Reject("%s: bad signature" % what)


def rfc6979_sign(private_key, message):
    """§3: how libpvm signs: RFC 6979 nonce (HMAC-SHA256), then low-S.
    Returns r ‖ s. (RFC 6979's k generation is HMAC_DRBG seeded with
    int2octets(x) ‖ bits2octets(h1).) Used to reproduce evidence and to
    build mutants; verification never depends on it."""
    d = private_key.private_numbers().private_value
    digest = hashlib.sha256(message).digest()
    z = int.from_bytes(digest, "big")
    drbg = HmacDrbgSha256(d.to_bytes(32, "big") + (z % P256_N).to_bytes(32, "big"))
    while True:
        k = int.from_bytes(drbg.generate(32), "big")
        if not 1 <= k < P256_N:
            continue
        kg = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
        r = kg.x % P256_N
        s = pow(k, -1, P256_N) * (z + r * d) % P256_N
        if r and s:
            break
    if s > P256_N // 2:
        s = P256_N - s
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def cose_sign1(private_key, payload):
    """§3: a COSE_Sign1 (as a Python list) signed the way libpvm signs."""
    return [PROTECTED_ES256, {}, payload, rfc6979_sign(private_key, sig_structure(PROTECTED_ES256, payload))]


# ---------------------------------------------------------------------------
# §4 Certificates
# ---------------------------------------------------------------------------

ISS, SUB = 1, 2
CODE_HASH = -4670545
CONFIG_DESCRIPTOR = -4670548
CONFIG_HASH = -4670547
AUTHORITY_HASH = -4670549
MODE = -4670551
SUBJECT_PUBLIC_KEY = -4670552
KEY_USAGE = -4670553
PROFILE_NAME = -4670554
CERT_LABELS = {ISS, SUB, CODE_HASH, CONFIG_DESCRIPTOR, CONFIG_HASH, AUTHORITY_HASH, MODE,
               SUBJECT_PUBLIC_KEY, KEY_USAGE, PROFILE_NAME}
KEY_CERT_SIGN = b"\x20"
DICE_PROFILE = "libpvm.dice.v1"
VM_DESCRIPTOR_LABEL = b"libpvm VM config v1"
VM_DESCRIPTOR_PROTECTED_AT = len(VM_DESCRIPTOR_LABEL) + 4


def is_id_text(v):
    return (isinstance(v, str) and len(v) == 40 and all(c in "0123456789abcdef" for c in v)
            and v[0] in "01234567")


def certificate_claims(payload, vm, what):
    """§4: the payload of a certificate, every claim present once with its
    exact size and no other. Returns the claims map with the subject key as
    its 65-byte point under "pub"."""
    claims = cbor_decode_exact(payload, what + " payload")
    require(isinstance(claims, dict), "%s: payload not a map" % what)
    require(set(claims) == CERT_LABELS,
            "%s: claims %s, not the ten of §4" % (what, sorted(claims)))
    require(is_id_text(claims[ISS]), "%s: iss not a 40-character ID" % what)
    require(is_id_text(claims[SUB]), "%s: sub not a 40-character ID" % what)

    def bstr(label, size, name):
        v = claims[label]
        require(isinstance(v, bytes) and len(v) == size, "%s: %s not %d bytes" % (what, name, size))
        return v

    bstr(CODE_HASH, 64, "codeHash")
    descriptor = bstr(CONFIG_DESCRIPTOR, 104 if vm else 64, "configurationDescriptor")
    require(bstr(CONFIG_HASH, 64, "configurationHash") == H(descriptor),
            "%s: configurationHash is not H(configurationDescriptor)" % what)
    bstr(AUTHORITY_HASH, 64, "authorityHash")
    mode = bstr(MODE, 1, "mode")[0]
    require(mode <= 3, "%s: mode %d" % (what, mode))
    if vm:
        require(descriptor.startswith(VM_DESCRIPTOR_LABEL), "%s: descriptor label" % what)
        protected = descriptor[VM_DESCRIPTOR_PROTECTED_AT]
        require((protected, mode) in ((1, MODE_NORMAL), (0, MODE_DEBUG)),
                "%s: mode %d does not match protected %d" % (what, mode, protected))
    require(bstr(KEY_USAGE, 1, "keyUsage") == KEY_CERT_SIGN, "%s: keyUsage not keyCertSign" % what)
    require(claims[PROFILE_NAME] == DICE_PROFILE, "%s: profileName" % what)
    spk = claims[SUBJECT_PUBLIC_KEY]
    require(isinstance(spk, bytes), "%s: subjectPublicKey not a byte string" % what)
    claims = dict(claims)
    claims["pub"] = cose_key_decode(spk, what + " subjectPublicKey")
    require(claims[SUB] == dice_id_text(claims["pub"]), "%s: sub is not the ID of its key" % what)
    return claims


def certificate_payload(issuer_pub, subject_pub, layer):
    """§4: a certificate payload for a layer (the producer's side)."""
    return cbor_encode({
        ISS: dice_id_text(issuer_pub), SUB: dice_id_text(subject_pub),
        CODE_HASH: layer.code, CONFIG_DESCRIPTOR: layer.config_descriptor,
        CONFIG_HASH: layer.config, AUTHORITY_HASH: layer.authority,
        MODE: bytes([layer.mode]), SUBJECT_PUBLIC_KEY: cose_key(subject_pub),
        KEY_USAGE: KEY_CERT_SIGN, PROFILE_NAME: DICE_PROFILE})


# ---------------------------------------------------------------------------
# §5 The token
# ---------------------------------------------------------------------------

CHALLENGE = 10
PROFILE = 265
RPV = 44235
HASH_ALGORITHM = 44236
PUBLIC_KEY = 44237
INITIAL_MEASUREMENT = 44238
EXTENSIBLE_MEASUREMENTS = 44239
TOKEN_LABELS = {CHALLENGE, PROFILE, RPV, HASH_ALGORITHM, PUBLIC_KEY, INITIAL_MEASUREMENT,
                EXTENSIBLE_MEASUREMENTS}
TOKEN_PROFILE = "tag:libpvm.dev,2026:pvm#1.0"


def token_claims(payload):
    """§5: the token's claims, exact."""
    claims = cbor_decode_exact(payload, "token payload")
    require(isinstance(claims, dict), "token: payload not a map")
    require(set(claims) == TOKEN_LABELS, "token: claims %s, not the seven of §5" % sorted(claims))
    chal = claims[CHALLENGE]
    require(isinstance(chal, bytes) and 1 <= len(chal) <= 64, "token: challenge not 1 to 64 bytes")
    require(claims[PROFILE] == TOKEN_PROFILE, "token: profile")
    require(isinstance(claims[RPV], bytes) and len(claims[RPV]) == 64, "token: RPV not 64 bytes")
    require(claims[HASH_ALGORITHM] == "sha-512", "token: hash algorithm")
    rim = claims[INITIAL_MEASUREMENT]
    require(isinstance(rim, bytes) and len(rim) == 64, "token: RIM not 64 bytes")
    rems = claims[EXTENSIBLE_MEASUREMENTS]
    require(isinstance(rems, list) and len(rems) == 4 and
            all(isinstance(r, bytes) and len(r) == 64 for r in rems), "token: REMs not 4 x 64 bytes")
    require(isinstance(claims[PUBLIC_KEY], bytes), "token: public key not a byte string")
    claims = dict(claims)
    claims["pub"] = cose_key_decode(claims[PUBLIC_KEY], "token public key")
    return claims


def token_payload(vm_pub, challenge, rpv, rim, rems):
    """§5: the token payload (the producer's side)."""
    return cbor_encode({
        CHALLENGE: challenge, PROFILE: TOKEN_PROFILE, RPV: rpv, HASH_ALGORITHM: "sha-512",
        PUBLIC_KEY: cose_key(vm_pub), INITIAL_MEASUREMENT: rim, EXTENSIBLE_MEASUREMENTS: list(rems)})


# ---------------------------------------------------------------------------
# §6 Evidence
# ---------------------------------------------------------------------------

def verify_evidence(evidence, root_pub, challenge):
    """§6: everything a verifier holding only the root key and its
    challenge checks. Returns (hypervisor claims, VM claims, token claims)."""
    top = cbor_decode_exact(evidence, "evidence")
    require(isinstance(top, list) and len(top) == 3, "evidence: not an array of three items")
    hyp_prot, hyp_payload, hyp_sig = cose_sign1_decode(top[0], False, "hypervisor certificate")
    vm_prot, vm_payload, vm_sig = cose_sign1_decode(top[1], False, "VM certificate")
    tok_prot, tok_payload, tok_sig = cose_sign1_decode(top[2], True, "token")
    hyp = certificate_claims(hyp_payload, False, "hypervisor certificate")
    vm = certificate_claims(vm_payload, True, "VM certificate")
    token = token_claims(tok_payload)

    # 1. the hypervisor certificate, by the root key
    check_signature(root_pub, hyp_prot, hyp_payload, hyp_sig, "hypervisor certificate")
    require(hyp[ISS] == dice_id_text(root_pub), "hypervisor certificate: iss is not the root's ID")
    # 2. the VM certificate, by the hypervisor key
    check_signature(hyp["pub"], vm_prot, vm_payload, vm_sig, "VM certificate")
    require(vm[ISS] == hyp[SUB], "VM certificate: iss is not the hypervisor's sub")
    # 3. the token, by the VM key
    check_signature(vm["pub"], tok_prot, tok_payload, tok_sig, "token")
    require(token[PUBLIC_KEY] == vm[SUBJECT_PUBLIC_KEY], "token: public key is not the VM's")
    require(token[CHALLENGE] == challenge, "token: challenge mismatch")
    require(token[INITIAL_MEASUREMENT] == vm[CODE_HASH], "token: RIM is not the VM's codeHash")
    # §5: the token's RPV is the VM's, which §2's descriptor carries too.
    require(token[RPV] == vm[CONFIG_DESCRIPTOR][-64:], "token: RPV is not the VM certificate's")
    return hyp, vm, token


def check_certificate_inputs(claims, layer, what):
    """The certificate says exactly the layer's inputs (§2, §4)."""
    require(claims[CODE_HASH] == layer.code, "%s: codeHash is not the expected %s" % (
        what, "RIM" if what.startswith("VM") else "code"))
    require(claims[CONFIG_DESCRIPTOR] == layer.config_descriptor,
            "%s: configurationDescriptor is not the expected one" % what)
    require(claims[AUTHORITY_HASH] == layer.authority, "%s: authorityHash is not the expected one" % what)
    require(claims[MODE] == bytes([layer.mode]), "%s: mode is not %d" % (what, layer.mode))


def check_recomputed(hyp, vm, token, hyp_layer=None, vm_layer_expected=None, chain=None):
    """Policy: the claims equal what we recomputed: the port's inputs, the
    VM's from its image (§1.3) and, with the UDS, the keys (§2)."""
    if hyp_layer is not None:
        check_certificate_inputs(hyp, hyp_layer, "hypervisor certificate")
    if vm_layer_expected is not None:
        check_certificate_inputs(vm, vm_layer_expected, "VM certificate")
        require(token[INITIAL_MEASUREMENT] == vm_layer_expected.code, "token: RIM is not the expected one")
        require(token[RPV] == vm_layer_expected.config_descriptor[-64:], "token: RPV is not the VM's")
    for claims, key, what in ((hyp, chain and chain.hyp_key, "hypervisor"), (vm, chain and chain.vm_key, "VM")):
        if key is not None:
            pub = point_bytes(key.public_key())
            require(claims["pub"] == pub, "%s certificate: subject key is not the one derived from the UDS" % what)
            require(claims[SUB] == dice_id_text(pub), "%s certificate: sub is not the derived ID" % what)


def make_evidence(chain, hyp_inputs, vm_inputs, challenge, rems, rpv=bytes(64)):
    """§6: the evidence libpvm produces for these keys and inputs, byte for
    byte (signatures are unique, §3)."""
    root_pub = point_bytes(chain.root.public_key())
    hyp_pub = point_bytes(chain.hyp_key.public_key())
    vm_pub = point_bytes(chain.vm_key.public_key())
    hyp_cert = cose_sign1(chain.root, certificate_payload(root_pub, hyp_pub, hyp_inputs))
    vm_cert = cose_sign1(chain.hyp_key, certificate_payload(hyp_pub, vm_pub, vm_inputs))
    token = cbor2.CBORTag(TAG_COSE_SIGN1, cose_sign1(
        chain.vm_key, token_payload(vm_pub, challenge, rpv, vm_inputs.code, rems)))
    return cbor_encode([hyp_cert, vm_cert, token])


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def read_hex_or_raw(path, raw_len=None):
    data = read_file(path)
    if raw_len is not None and len(data) == raw_len:
        return data
    try:
        return bytes.fromhex(data.decode("ascii").replace("\n", " ").replace("\r", " ").replace(" ", ""))
    except (UnicodeDecodeError, ValueError):
        return data


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="pvm_verify.py",
        description="Verify libpvm attestation evidence (docs/attestation.md) and recompute "
                    "what it should say.")
    p.add_argument("evidence", help="the evidence file (raw CBOR, or hex with --hex)")
    p.add_argument("--hex", action="store_true", help="the evidence file is hex text")
    p.add_argument("--challenge", required=True, help="the challenge sent, hex")
    trust = p.add_mutually_exclusive_group(required=True)
    trust.add_argument("--uds", help="the device secret (32 bytes hex): derive every key")
    trust.add_argument("--root", help="trust this root key (65-byte point, raw or hex)")
    image = p.add_mutually_exclusive_group()
    image.add_argument("--elf", help="the guest ELF: recompute the RIM (needs --dtb)")
    image.add_argument("--bin", help="the guest's flat binary, as the EL2 port's test host loads "
                                     "it (§1.3): recompute the RIM (needs --dtb)")
    p.add_argument("--ipa-bits", type=int, default=IPA_BITS,
                   help="the VM's IPA bits (default %d, as pvm-run; the EL2 test host: 40)" % IPA_BITS)
    p.add_argument("--dtb", help="the device tree the guest booted with (raw, or hex text)")
    p.add_argument("--non-protected", action="store_true", help="a non-protected VM (§1.2)")
    p.add_argument("--mem", type=int, default=16, help="guest RAM in MiB (default 16)")
    p.add_argument("--vcpus", type=int, default=2, help="vCPUs (default 2, as pvm-run)")
    p.add_argument("--boot-all-vcpus", action="store_true",
                   help="every vCPU booted by the host (the KVM port, §1.3 step 5)")
    p.add_argument("--rpv", default="00" * 64, help="the VM's RPV, hex (default zeroes)")
    p.add_argument("--authority-key", help="the image was signed by this key (65-byte point hex)")
    p.add_argument("--hyp", choices=("none", "sim", "el2"), default="none",
                   help="the port's hypervisor-layer inputs (§2): sim = pvm-run's, el2 = the EL2 "
                        "port's (with --hyp-elf or --hyp-code-hash); none: not checked")
    p.add_argument("--hyp-code-hash", help="el2: H(image to the end of its read-only data), hex")
    p.add_argument("--hyp-elf", help="el2: the image's ELF (pvm-el2.elf): the code is the SHA-512 of "
                                     "the image from its start to the end of .rodata")
    p.add_argument("--unprovisioned", action="store_true", help="el2: booted without a UDS (mode 0)")
    p.add_argument("--reproduce", action="store_true",
                   help="also require the evidence to be byte for byte what libpvm's signing "
                        "(RFC 6979, low-S) gives for the derived keys (needs --uds)")
    p.add_argument("--json", action="store_true", help="print the verified claims as JSON")
    args = p.parse_args(argv)
    if (args.elf is None and args.bin is None) != (args.dtb is None) and not args.non_protected:
        p.error("--elf (or --bin) and --dtb go together")
    if args.reproduce and not args.uds:
        p.error("--reproduce needs --uds")
    return args


def expected_hypervisor_layer(args):
    if args.hyp == "none":
        return None
    if args.hyp == "sim":
        return hypervisor_layer_sim()
    if args.hyp_elf:
        code = H(el2_readonly_image(read_file(args.hyp_elf)))
    elif args.hyp_code_hash:
        code = bytes.fromhex(args.hyp_code_hash)
    else:
        return None
    return hypervisor_layer_el2(code, not args.unprovisioned)


def expected_vm_layer(args):
    rpv = bytes.fromhex(args.rpv)
    if len(rpv) != 64:
        raise SystemExit("pvm_verify: --rpv must be 64 bytes")
    ram_size = args.mem << 20
    if args.non_protected:
        rim = rim_of_non_protected(args.mem, args.ipa_bits)
    elif args.elf or args.bin:
        rim = rim_of_pvm_run_guest(read_file(args.elf) if args.elf else None,
                                   read_hex_or_raw(args.dtb), args.mem, args.vcpus,
                                   args.boot_all_vcpus, args.ipa_bits,
                                   read_file(args.bin) if args.bin else None)
    else:
        return None
    protected = 0 if args.non_protected else 1
    descriptor = vm_config_descriptor(args.ipa_bits, protected, RAM_BASE, ram_size, rpv)
    authority = bytes.fromhex(args.authority_key) if args.authority_key else None
    return vm_layer(rim, descriptor, protected, authority)


def claims_json(hyp, vm, token):
    return {
        "hypervisor": {"iss": hyp[ISS], "sub": hyp[SUB], "codeHash": hyp[CODE_HASH].hex(),
                       "mode": hyp[MODE][0]},
        "vm": {"iss": vm[ISS], "sub": vm[SUB], "codeHash": vm[CODE_HASH].hex(),
               "authorityHash": vm[AUTHORITY_HASH].hex(), "mode": vm[MODE][0]},
        "token": {"challenge": token[CHALLENGE].hex(), "rim": token[INITIAL_MEASUREMENT].hex(),
                  "rems": [r.hex() for r in token[EXTENSIBLE_MEASUREMENTS]]},
    }


def main(argv=None):
    args = parse_args(argv)
    try:
        challenge = bytes.fromhex(args.challenge)
        evidence = read_file(args.evidence)
        if args.hex:
            evidence = bytes.fromhex(evidence.decode("ascii").replace("\n", "").replace(" ", ""))
    except (OSError, ValueError, UnicodeDecodeError) as e:
        print("pvm_verify: %s" % e, file=sys.stderr)
        return 2
    try:
        hyp_layer = expected_hypervisor_layer(args)
        vm_layer_expected = expected_vm_layer(args)
        chain = None
        if args.uds:
            uds = bytes.fromhex(args.uds)
            if len(uds) != 32:
                print("pvm_verify: --uds must be 32 bytes", file=sys.stderr)
                return 2
            chain = Chain(uds, hyp_layer, vm_layer_expected)
            root_pub = point_bytes(chain.root.public_key())
        else:
            root_pub = read_hex_or_raw(args.root, 65)
            require(len(root_pub) == 65 and root_pub[0] == 4 and
                    point_on_curve(int.from_bytes(root_pub[1:33], "big"),
                                   int.from_bytes(root_pub[33:], "big")),
                    "root key: not a 65-byte point on the curve")
        hyp, vm, token = verify_evidence(evidence, root_pub, challenge)
        check_recomputed(hyp, vm, token, hyp_layer, vm_layer_expected, chain)
        if args.reproduce:
            require(chain.vm_key is not None, "--reproduce needs every input of both layers")
            again = make_evidence(chain, hyp_layer, vm_layer_expected, challenge,
                                  token[EXTENSIBLE_MEASUREMENTS], token[RPV])
            require(again == evidence, "evidence: not the unique bytes libpvm's signing gives (§3)")
    except Reject as e:
        print("pvm_verify: rejected: %s" % e, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(claims_json(hyp, vm, token), indent=2))
    known = [what for what, yes in (("the keys from the UDS", chain), ("the hypervisor layer's inputs", hyp_layer),
                                    ("the RIM and VM layer", vm_layer_expected)) if yes]
    print("pvm_verify: accepted (recomputed: %s)" % (", ".join(known) or "nothing; chain to the root key"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
