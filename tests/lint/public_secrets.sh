#!/usr/bin/env bash
# No installed header declares where the core keeps a secret: no structure
# member named as a CDI, a private key, a seed or a secret (the state that
# holds them is opaque storage, src/attest/attest_state.h). The one secret
# a header may name is the UDS of pvm_attest_config, which the port hands
# in at boot (an input, not state the core keeps).
#   public_secrets.sh SOURCE_DIR
set -uo pipefail
root=$1
headers=("$root"/include/libpvm/*.h "$root"/ports/*/include/libpvm/*.h)
hits=$(grep -nE '^[[:space:]]*(const[[:space:]]+)?u?int(8|16|32|64)_t[[:space:]]+(cdi|priv|seed|secret)[a-z_0-9]*[[:space:]]*\[' \
	"${headers[@]}")
if [ -n "$hits" ]; then
	echo "FAIL: an installed header declares a secret's storage:" >&2
	echo "$hits" >&2
	exit 1
fi
echo "PASS: ${#headers[@]} installed headers, no secret's storage declared"
