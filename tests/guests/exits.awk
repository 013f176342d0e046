# Canonical exit sequence from `pvm-run --trace` (stderr): one line per exit,
# except that runs of UART data-register writes become one `uart "..."`
# line per guest output line, and exits that carry no guest behaviour
# (interrupted: host-side kicks, ends of time slices) are dropped. Lines
# keep their vCPU, so sequences compare per vCPU whatever the threads'
# interleaving.
function hex(s,    i, n, d) {
	n = 0
	s = tolower(s)
	sub("^0x", "", s)
	for (i = 1; i <= length(s); i++) {
		d = index("0123456789abcdef", substr(s, i, 1)) - 1
		n = n * 16 + d
	}
	return n
}
function flush(cpu) {
	if (buf[cpu] != "") {
		print "vcpu" cpu " uart \"" buf[cpu] "\""
		buf[cpu] = ""
	}
}
/^exit vcpu=/ {
	split($2, a, "=")
	cpu = a[2]
	if ($3 == "interrupted")
		next
	if ($3 == "mmio" && $4 == "write" && $5 == "ipa=0x9000000") {
		sub("data=", "", $7)
		c = hex($7)
		if (c == 10) {
			buf[cpu] = buf[cpu] "\\n"
			flush(cpu)
		} else
			buf[cpu] = buf[cpu] sprintf("%c", c)
		next
	}
	flush(cpu)
	line = "vcpu" cpu
	for (i = 3; i <= NF; i++)
		line = line " " $i
	print line
}
END {
	for (c in buf)
		flush(c)
}
