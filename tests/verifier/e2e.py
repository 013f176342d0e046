#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end checks of the Python verifier on the simulator's evidence.

  e2e.py sim   PVM_RUN PVM_VERIFY ATTEST_ELF   evidence of `pvm-run --attest`
      (protected, 1 and 2 vCPUs; non-protected),
      recomputed from the UDS, the ELF and the device tree: both verifiers
      accept it, and reject it for another challenge.
  e2e.py defaults PVM_RUN PVM_VERIFY ATTEST_ELF   pvm-run with neither --uds nor
      --vcpus: the evidence is what the spec's defaults give (§1.3: 2 vCPUs;
      §2: a zero UDS).
  e2e.py agree PVM_RUN PVM_VERIFY ATTEST_ELF   the mutation corpus (mutants.py)
      made from that evidence: both verifiers reach the same verdict on every
      case, and the verdict each case expects.

Prints one line per check and "N passed, N failed"; exit 1 if any failed.
"""

import contextlib
import io
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutants  # noqa: E402
import pvm_verify as v  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("ok: %s" % what)
        else:
            self.failed += 1
            print("FAIL: %s%s" % (what, "\n  " + detail.strip().replace("\n", "\n  ") if detail else ""))
        return ok

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0


def run(*cmd):
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout + p.stderr


def python_verifier(*args):
    return run(sys.executable, os.path.join(HERE, "pvm_verify.py"), *args)


def python_verifier_here(*args):
    """The same, in this process (the corpus is large): (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = v.main([str(a) for a in args])
        except SystemExit as e:
            rc = e.code
    return rc, err.getvalue()


def attest_run(pvm_run, elf, out, uds, challenge, vcpus=1, protected=True):
    """pvm-run --attest: the evidence, the root key and the device tree."""
    files = {k: os.path.join(out, k) for k in ("evidence", "root", "dtb")}
    rc, log = run(pvm_run, "--attest", *(() if protected else ("--non-protected",)), "--vcpus", vcpus,
                  "--uds", uds.hex(), "--challenge", challenge.hex(), "--evidence-out", files["evidence"],
                  "--root-out", files["root"], "--dtb-out", files["dtb"], elf)
    return rc, log, files


def sim(pvm_run, pvm_verify, elf):
    c = Checks()
    with tempfile.TemporaryDirectory() as out:
        for uds, vcpus, protected in ((bytes(32), 1, True), (b"\x5a" * 32, 2, True), (b"\xa5" * 32, 1, False)):
            challenge = os.urandom(32)
            other = bytes([challenge[0] ^ 0x80]) + challenge[1:]
            tag = "uds %s.., %d vCPU%s%s" % (uds[:2].hex(), vcpus, "s" if vcpus > 1 else "",
                                             "" if protected else ", non-protected")
            rc, log, f = attest_run(pvm_run, elf, out, uds, challenge, vcpus, protected)
            if not c.check(rc == 0, "%s: pvm-run --attest --dtb-out" % tag, log):
                continue
            c.check(v.read_file(f["root"]) == v.point_bytes(v.asym_kdf(uds).public_key()),
                    "%s: the root key is ASYM_KDF(UDS)" % tag)
            full = ["--uds", uds.hex(), "--hyp", "sim"]
            if protected:
                full += ["--elf", elf, "--dtb", f["dtb"], "--vcpus", str(vcpus)]
            else:
                full += ["--non-protected"]
            rc, log = python_verifier(*full, "--challenge", challenge.hex(), f["evidence"])
            c.check(rc == 0, "%s: pvm_verify.py accepts, recomputed from the UDS%s" % (
                tag, ", ELF and DT" if protected else ""), log)
            rc, log = python_verifier(*full, "--reproduce", "--challenge", challenge.hex(), f["evidence"])
            c.check(rc == 0, "%s: the evidence is the unique bytes the spec gives (§3)" % tag, log)
            rc, log = python_verifier("--root", f["root"], "--challenge", challenge.hex(), f["evidence"])
            c.check(rc == 0, "%s: pvm_verify.py accepts with the root key" % tag, log)
            rc, log = run(pvm_verify, "--root", f["root"], "--challenge", challenge.hex(), f["evidence"])
            c.check(rc == 0, "%s: pvm-verify accepts" % tag, log)
            rc, log = python_verifier(*full, "--challenge", other.hex(), f["evidence"])
            c.check(rc == 1 and "challenge mismatch" in log, "%s: pvm_verify.py rejects another challenge" % tag,
                    log)
            rc, log = run(pvm_verify, "--root", f["root"], "--challenge", other.hex(), f["evidence"])
            c.check(rc == 1, "%s: pvm-verify rejects another challenge" % tag, log)
    return c.finish()


def defaults(pvm_run, pvm_verify, elf):
    c = Checks()
    challenge = os.urandom(16)
    with tempfile.TemporaryDirectory() as out:
        files = {k: os.path.join(out, k) for k in ("evidence", "root", "dtb")}
        rc, log = run(pvm_run, "--attest", "--challenge", challenge.hex(), "--evidence-out", files["evidence"],
                      "--root-out", files["root"], "--dtb-out", files["dtb"], elf)
        if not c.check(rc == 0, "pvm-run --attest without --uds and --vcpus", log):
            return c.finish()
        rc, log = run(pvm_verify, "--root", files["root"], "--challenge", challenge.hex(), files["evidence"])
        c.check(rc == 0, "pvm-verify accepts", log)
        rc, log = python_verifier("--uds", "00" * 32, "--hyp", "sim", "--elf", elf, "--dtb", files["dtb"],
                                  "--challenge", challenge.hex(), files["evidence"])
        c.check(rc == 0, "pvm_verify.py accepts, recomputed with a zero UDS and 2 vCPUs", log)
    return c.finish()


def verdict(rc):
    return {0: mutants.ACCEPT, 1: mutants.REJECT}.get(rc, "exit %d" % rc)


def agree(pvm_run, pvm_verify, elf):
    c = Checks()
    uds = bytes.fromhex("5a" * 32)
    challenge = bytes.fromhex("00112233445566778899aabbccddeeff")
    with tempfile.TemporaryDirectory() as out:
        rc, log, f = attest_run(pvm_run, elf, out, uds, challenge)
        if not c.check(rc == 0, "pvm-run --attest --dtb-out", log):
            return c.finish()
        try:
            cases = mutants.corpus(v.read_file(f["evidence"]), uds, challenge)
        except Exception as e:  # the evidence cannot even be taken apart
            c.check(False, "a corpus from the simulator's evidence", repr(e))
            return c.finish()
        path = os.path.join(out, "case")
        full = ["--uds", uds.hex(), "--hyp", "sim", "--elf", elf, "--dtb", f["dtb"], "--vcpus", "1"]
        for case in cases:
            with open(path, "wb") as fh:
                fh.write(case.evidence)
            rc_c, log_c = run(pvm_verify, "--root", f["root"], "--challenge", case.challenge.hex(), path)
            rc_p, log_p = python_verifier_here("--root", f["root"], "--challenge", case.challenge.hex(), path)
            rc_f, log_f = python_verifier_here(*full, "--challenge", case.challenge.hex(), path)
            got = (verdict(rc_c), verdict(rc_p), verdict(rc_f))
            want = (case.root, case.root, case.full)
            c.check(got == want, "%s: pvm-verify %s, pvm_verify.py %s, recomputed %s" % ((case.name,) + got),
                    "expected %s / %s / %s\npvm-verify: %s\npvm_verify.py: %s\nrecomputed: %s" % (
                        want + (log_c.strip(), log_p.strip(), log_f.strip())))
    return c.finish()


def main(argv):
    commands = {"sim": sim, "defaults": defaults, "agree": agree}
    if len(argv) != 5 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
