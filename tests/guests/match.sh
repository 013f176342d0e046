# Comparing what a guest did with its specification; sourced by run.sh (the
# simulator) and tests/integration/kvm/boot.sh (the KVM port):
#   <expected>.uart   its UART output, one extended regex per line (anchored)
#   <expected>.exits  its canonical exit sequence (exits.awk), one extended
#                     regex per line, compared vCPU by vCPU
match_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Lines of file $3 must match the regexes of file $2, in order, all of them.
match() {
	local what=$1 want=$2 got=$3 i=0 w g
	local -a W G
	mapfile -t W <"$want"
	mapfile -t G <"$got"
	if [ ${#W[@]} -ne ${#G[@]} ]; then
		echo "FAIL: $what: ${#G[@]} lines, expected ${#W[@]}" >&2
		diff <(printf '%s\n' "${W[@]}") <(printf '%s\n' "${G[@]}") >&2
		return 1
	fi
	for ((i = 0; i < ${#W[@]}; i++)); do
		w=${W[$i]} g=${G[$i]}
		if ! [[ $g =~ ^($w)$ ]]; then
			echo "FAIL: $what: line $((i + 1)): got '$g', expected /$w/" >&2
			return 1
		fi
	done
}

# compare_run NAME EXPECTED_PREFIX UART TRACE TMPDIR: UART output and exits.
compare_run() {
	local name=$1 exp=$2 uart=$3 trace=$4 tmp=$5 status=0 cpu
	match "$name: uart output" "$exp.uart" "$uart" || status=1
	awk -f "$match_here/exits.awk" "$trace" >"$tmp/$name.exits"
	for cpu in $(sed -n 's/^\(vcpu[0-9]*\) .*/\1/p' "$exp.exits" "$tmp/$name.exits" | sort -u); do
		grep "^$cpu " "$exp.exits" >"$tmp/$name.want.$cpu" || true
		grep "^$cpu " "$tmp/$name.exits" >"$tmp/$name.got.$cpu" || true
		match "$name: exits of $cpu" "$tmp/$name.want.$cpu" "$tmp/$name.got.$cpu" || status=1
	done
	return $status
}
