#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Python verifier against the specification alone, with no C code:
published known answers for its primitives, then evidence it builds itself
from keys derived from a device secret, a synthetic guest ELF and a device
tree, verified back (and the whole mutation corpus rejected or accepted as
each case says)."""

import contextlib
import io
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutants  # noqa: E402
import pvm_verify as v  # noqa: E402

UDS = bytes(range(32))
CHALLENGE = bytes.fromhex("00112233445566778899aabbccddeeff")


def synthetic_elf():
    """An ELF64 with a code segment (PF_R|PF_X) at the RAM base and a data
    segment (PF_R|PF_W) whose file bytes end mid-page, with .bss after."""
    code = bytes(range(256)) * 20  # 5120 bytes: two pages
    data = b"data" * 300  # 1200 bytes
    phoff, phnum = 64, 3
    code_off = 0x1000
    data_off = code_off + len(code)
    ehdr = (b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) +
            struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, v.RAM_BASE + 0x10, phoff, 0, 0, 64, 56, phnum, 64, 0, 0))
    phdrs = struct.pack("<IIQQQQQQ", 1, 5, code_off, v.RAM_BASE, v.RAM_BASE, len(code), len(code), 4096)
    phdrs += struct.pack("<IIQQQQQQ", 1, 6, data_off, v.RAM_BASE + 0x3100, v.RAM_BASE + 0x3100, len(data),
                         len(data) + 0x5000, 4096)
    phdrs += struct.pack("<IIQQQQQQ", 0x6474E551, 6, 0, 0, 0, 0, 0, 16)  # PT_GNU_STACK: not loaded
    image = ehdr + phdrs
    image += bytes(code_off - len(image)) + code + data
    return image


def run(argv):
    """main() of the verifier: (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = v.main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, err.getvalue()


def verdict(rc):
    return {0: mutants.ACCEPT, 1: mutants.REJECT}.get(rc, "exit %s" % rc)


class KnownAnswers(unittest.TestCase):
    def test_hmac_drbg_nist_cavp(self):
        # NIST CAVP HMAC_DRBG.rsp, [SHA-256], no prediction resistance, COUNT = 0:
        # the seed material is entropy ‖ nonce; the second 1024-bit output counts.
        drbg = v.HmacDrbgSha256(bytes.fromhex(
            "ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488"
            "659ba96c601dc69fc902940805ec0ca8"))
        drbg.generate(128)
        self.assertEqual(drbg.generate(128).hex(),
                         "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89"
                         "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1"
                         "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668"
                         "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8")

    def test_rfc6979_p256_sample(self):
        # RFC 6979 A.2.5, P-256, SHA-256, "sample"; s is high there, so
        # libpvm's low-S form is n - s.
        key = v.ec.derive_private_key(
            0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721, v.ec.SECP256R1())
        sig = v.rfc6979_sign(key, b"sample")
        self.assertEqual(sig[:32].hex(), "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716")
        s = 0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8
        self.assertEqual(int.from_bytes(sig[32:], "big"), v.P256_N - s)

    def test_cbor_deterministic(self):
        self.assertEqual(v.cbor_encode({1: -7}), v.PROTECTED_ES256)
        self.assertEqual(v.cbor_encode(-4670545), bytes.fromhex("3a00474450"))
        self.assertEqual(v.cbor_encode(44239), bytes.fromhex("19accf"))
        # keys sorted by their encoded bytes: 01, 0a, 19 01 09, 20
        self.assertEqual(v.cbor_encode({-1: 0, 10: 0, 1: 0, 265: 0}),
                         bytes.fromhex("a40100" "0a00" "19010900" "2000"))
        key = v.cose_key(b"\x04" + bytes(range(64)))
        self.assertEqual(len(key), 77)
        self.assertEqual(key[:7], bytes.fromhex("a5010203262001"))

    def test_cbor_decode_exact_refuses(self):
        for bad in ("1801",  # 1 in two bytes
                    "a2" "0100" "0100",  # a key twice
                    "a2" "0200" "0100",  # keys out of order
                    "9f01ff", "5f4101ff",  # indefinite lengths
                    "f5",  # true
                    "c24101",  # a bignum: decoded as 1
                    "0000"):  # a byte after the item
            with self.assertRaises(v.Reject, msg=bad):
                v.cbor_decode_exact(bytes.fromhex(bad), "x")

    def test_record_sizes(self):
        self.assertEqual(len(v.record_load_measured(0, bytes(4096), 1)), 89)
        self.assertEqual(len(v.record_donate(0, 4096)), 17)
        self.assertEqual(len(v.record_vcpu_create(0)), 5)
        self.assertEqual(len(v.record_vcpu_boot(0, 0, 0)), 21)
        self.assertEqual(len(v.vm_config_descriptor(36, 1, v.RAM_BASE, 16 << 20)), 104)
        self.assertEqual(v.rim_create(36, 1, v.RAM_BASE, 16 << 20),
                         v.H(b"libpvm RIM v2" +
                             bytes.fromhex("24000000" "01" "0000008000000000" "0000000100000000")))

    def test_ids_have_the_top_bit_clear(self):
        for i in range(64):
            pub = v.point_bytes(v.asym_kdf(bytes([i]) * 32).public_key())
            ident = v.dice_id_text(pub)
            self.assertIn(ident[0], "01234567")
            raw = v.kdf(20, pub, v.ID_SALT, b"ID")
            self.assertEqual(ident[1:], raw.hex()[1:])

    def test_elf_pages(self):
        entry, pages = v.elf_load_pages(synthetic_elf())
        self.assertEqual(entry, v.RAM_BASE + 0x10)
        ipas = [(ipa - v.RAM_BASE, flags) for ipa, _, flags in pages]
        # code: 5120 bytes = 2 pages; data at +0x3100, 1200 bytes: one page (+0x3000)
        self.assertEqual(ipas, [(0, 1), (0x1000, 1), (0x3000, 2)])
        self.assertEqual(pages[1][1][:1024], (bytes(range(256)) * 20)[4096:])
        self.assertEqual(pages[1][1][1024:], bytes(3072))
        self.assertEqual(pages[2][1][:0x100], bytes(0x100))
        self.assertEqual(pages[2][1][0x100:0x100 + 1200], b"data" * 300)

    def test_flat_pages(self):
        # The EL2 test host's load: every page code, the entry its first byte.
        entry, pages = v.flat_load_pages(b"\x01" * 5000)
        self.assertEqual(entry, v.RAM_BASE)
        self.assertEqual([(ipa - v.RAM_BASE, flags) for ipa, _, flags in pages], [(0, 1), (0x1000, 1)])
        self.assertEqual(pages[1][1], b"\x01" * 904 + bytes(3192))
        with self.assertRaises(v.Reject):
            v.flat_load_pages(b"")

    def test_ipa_bits_are_measured(self):
        dtb = b"\xd0\x0d\xfe\xed" + bytes(60)
        flat36 = v.rim_of_pvm_run_guest(None, dtb, flat=b"\x01" * 100)
        flat40 = v.rim_of_pvm_run_guest(None, dtb, ipa_bits=40, flat=b"\x01" * 100)
        self.assertNotEqual(flat36, flat40)
        self.assertNotEqual(flat36, v.rim_of_pvm_run_guest(synthetic_elf(), dtb))
        self.assertNotEqual(v.rim_of_non_protected(), v.rim_of_non_protected(ipa_bits=40))


class RoundTrip(unittest.TestCase):
    """Evidence built per the spec from derived keys verifies back."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.elf = cls.write("guest.elf", synthetic_elf())
        cls.dtb = cls.write("guest.dtb", b"\xd0\x0d\xfe\xed" + bytes(range(200)) * 5)
        cls.rim = v.rim_of_pvm_run_guest(synthetic_elf(), v.read_file(cls.dtb))
        cls.descriptor = v.vm_config_descriptor(36, 1, v.RAM_BASE, 16 << 20)
        cls.hyp_layer = v.hypervisor_layer_sim()
        cls.vm_layer = v.vm_layer(cls.rim, cls.descriptor, 1)
        cls.chain = v.Chain(UDS, cls.hyp_layer, cls.vm_layer)
        cls.rems = [v.H(b"rem0"), bytes(64), bytes(64), bytes(64)]
        cls.evidence = v.make_evidence(cls.chain, cls.hyp_layer, cls.vm_layer, CHALLENGE, cls.rems)
        cls.ev = cls.write("ev", cls.evidence)
        cls.root = cls.write("root", v.point_bytes(cls.chain.root.public_key()))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    @classmethod
    def write(cls, name, data):
        path = os.path.join(cls.dir.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def full(self, ev=None, challenge=CHALLENGE, extra=()):
        return run(["--uds", UDS.hex(), "--hyp", "sim", "--elf", self.elf, "--dtb", self.dtb,
                    "--challenge", challenge.hex(), *extra, ev or self.ev])

    def test_accepted_from_the_uds(self):
        self.assertEqual(self.full(extra=["--reproduce"]), 
                         (0, "pvm_verify: accepted (recomputed: the keys from the UDS, the hypervisor layer's "
                          "inputs, the RIM and VM layer)\n"))

    def test_accepted_from_the_root_key(self):
        self.assertEqual(run(["--root", self.root, "--challenge", CHALLENGE.hex(), self.ev])[0], 0)
        hex_root = self.write("root.hex", v.point_bytes(self.chain.root.public_key()).hex().encode() + b"\n")
        hex_ev = self.write("ev.hex", self.evidence.hex().encode())
        self.assertEqual(run(["--root", hex_root, "--hex", "--challenge", CHALLENGE.hex(), hex_ev])[0], 0)

    def test_wrong_challenge(self):
        rc, err = self.full(challenge=CHALLENGE[:-1] + b"\x00")
        self.assertEqual(rc, 1)
        self.assertIn("challenge mismatch", err)

    def test_another_device(self):
        rc, err = run(["--uds", "ff" * 32, "--hyp", "sim", "--elf", self.elf, "--dtb", self.dtb,
                       "--challenge", CHALLENGE.hex(), self.ev])
        self.assertEqual(rc, 1)
        self.assertIn("bad signature", err)

    def test_another_device_tree(self):
        other = self.write("other.dtb", v.read_file(self.dtb) + b"\x01")
        rc, err = run(["--uds", UDS.hex(), "--hyp", "sim", "--elf", self.elf, "--dtb", other,
                       "--challenge", CHALLENGE.hex(), self.ev])
        self.assertEqual(rc, 1)
        self.assertIn("codeHash is not the expected RIM", err)

    def test_more_vcpus_is_another_rim(self):
        rc, err = self.full(extra=["--vcpus", "3"])
        self.assertEqual(rc, 1)
        self.assertIn("codeHash", err)

    def test_reproduce_catches_another_nonce(self):
        case = [c for c in mutants.corpus(self.evidence, UDS, CHALLENGE) if "random nonces" in c.name][0]
        self.assertNotEqual(case.evidence, self.evidence)
        self.assertEqual(self.full(self.write("random", case.evidence))[0], 0)
        rc, err = self.full(self.write("random", case.evidence), extra=["--reproduce"])
        self.assertEqual(rc, 1)
        self.assertIn("not the unique bytes", err)

    def test_signed_image(self):
        authority = v.point_bytes(v.asym_kdf(b"authority").public_key())
        vm_layer = v.vm_layer(self.rim, self.descriptor, 1, authority)
        self.assertEqual((vm_layer.authority, vm_layer.hidden), (v.H(authority), bytes(64)))
        chain = v.Chain(UDS, self.hyp_layer, vm_layer)
        self.assertNotEqual(chain.seal_vm, self.chain.seal_vm)
        ev = self.write("signed", v.make_evidence(chain, self.hyp_layer, vm_layer, CHALLENGE, self.rems))
        self.assertEqual(self.full(ev, extra=["--authority-key", authority.hex(), "--reproduce"])[0], 0)
        rc, err = self.full(ev)
        self.assertEqual(rc, 1)
        self.assertIn("authorityHash", err)

    def test_non_protected(self):
        rim = v.rim_of_non_protected()
        vm_layer = v.vm_layer(rim, v.vm_config_descriptor(36, 0, v.RAM_BASE, 16 << 20), 0)
        self.assertEqual((vm_layer.mode, vm_layer.hidden), (2, rim))
        chain = v.Chain(UDS, self.hyp_layer, vm_layer)
        ev = self.write("np", v.make_evidence(chain, self.hyp_layer, vm_layer, CHALLENGE, self.rems))
        self.assertEqual(run(["--uds", UDS.hex(), "--hyp", "sim", "--non-protected",
                              "--challenge", CHALLENGE.hex(), "--reproduce", ev])[0], 0)
        self.assertEqual(self.full(ev)[0], 1)

    def test_sealing_keys_follow_the_code(self):
        other = v.vm_layer(v.rim_extend(self.rim, b"\x02" + bytes(16)), self.descriptor, 1)
        self.assertNotEqual(v.Chain(UDS, self.hyp_layer, other).seal_vm, self.chain.seal_vm)

    def test_mutation_corpus(self):
        cases = mutants.corpus(self.evidence, UDS, CHALLENGE)
        self.assertGreater(len(cases), 150)
        self.assertEqual(cases[1].evidence, self.evidence, "rebuilding from the derived keys")
        for case in cases:
            ev = self.write("case", case.evidence)
            got_root = run(["--root", self.root, "--challenge", case.challenge.hex(), ev])
            got_full = self.full(ev, challenge=case.challenge)
            with self.subTest(case=case.name):
                self.assertEqual(verdict(got_root[0]), case.root, got_root[1])
                self.assertEqual(verdict(got_full[0]), case.full, got_full[1])


if __name__ == "__main__":
    unittest.main(verbosity=1)
