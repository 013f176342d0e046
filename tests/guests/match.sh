# Comparing what a guest did with its specification; sourced by run.sh (the
# simulator) and tests/integration/kvm/boot.sh (the KVM port):
#   <expected>.uart   its UART output, one extended regex per line (anchored)
#   <expected>.exits  its canonical exit sequence (exits.awk), one extended
#                     regex per line, compared vCPU by vCPU
match_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Lines of file $3 must match the regexes of file $2, in order, all of them.
# A regex written "?REGEX" matches one line or none: for an exit whose
# presence depends on timing (a WFI whose timer deadline may already have
# passed when a loaded host reaches it); it must not also match the line
# that follows it in the specification.
match() {
	local what=$1 want=$2 got=$3 i=0 j=0 w opt
	local -a W G
	mapfile -t W <"$want"
	mapfile -t G <"$got"
	while ((i < ${#W[@]})); do
		w=${W[$i]} opt=0
		[ "${w:0:1}" = "?" ] && opt=1 w=${w:1}
		if ((j < ${#G[@]})) && [[ ${G[$j]} =~ ^($w)$ ]]; then
			i=$((i + 1)) j=$((j + 1))
		elif ((opt)); then
			i=$((i + 1))
		else
			echo "FAIL: $what: line $((j + 1)): got '${G[$j]:-<none>}', expected /$w/" >&2
			diff <(printf '%s\n' "${W[@]}") <(printf '%s\n' "${G[@]}") >&2
			return 1
		fi
	done
	if ((j < ${#G[@]})); then
		echo "FAIL: $what: ${#G[@]} lines, more than expected (${#W[@]} in the specification)" >&2
		diff <(printf '%s\n' "${W[@]}") <(printf '%s\n' "${G[@]}") >&2
		return 1
	fi
}

# compare_run NAME EXPECTED_PREFIX UART TRACE TMPDIR: UART output and exits.
compare_run() {
	local name=$1 exp=$2 uart=$3 trace=$4 tmp=$5 status=0 cpu
	match "$name: uart output" "$exp.uart" "$uart" || status=1
	awk -f "$match_here/exits.awk" "$trace" >"$tmp/$name.exits"
	for cpu in $(sed -n 's/^?\{0,1\}\(vcpu[0-9]*\) .*/\1/p' "$exp.exits" "$tmp/$name.exits" | sort -u); do
		grep -E "^[?]?$cpu " "$exp.exits" >"$tmp/$name.want.$cpu" || true
		grep "^$cpu " "$tmp/$name.exits" >"$tmp/$name.got.$cpu" || true
		match "$name: exits of $cpu" "$tmp/$name.want.$cpu" "$tmp/$name.got.$cpu" || status=1
	done
	return $status
}
