# Shared helpers of the side-by-side scripts in bench/ (sourced, not run).

# time_pair NAME CMD_A... -- CMD_B...: runs A and B alternately RUNS times
# (output discarded), timed with bash's EPOCHREALTIME (no process of its own:
# timing with $(date) added the start of a date process, ~4 ms here, to every
# run), and prints min and median wall-clock seconds of each (A first, then
# the reference B, labelled $REF_LABEL, default "reference") and the ratio B/A
# of the medians and of the minima. With CPU_TIME=1 each run is also timed
# by /usr/bin/time for its CPU time (user + system), every run is printed,
# and a second summary line compares CPU times: on a shared machine the CPU
# ratio is the steadier one, since other jobs stretch both sides' wall time.
time_pair() {
	local name=$1
	shift
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local ta=() tb=() ca=() cb=() s e cpu
	cpu=$(mktemp)
	for _ in $(seq "$RUNS"); do
		for side in a b; do
			local -n cmd=$side
			s=$EPOCHREALTIME
			if [ "${CPU_TIME:-0}" = 1 ]; then
				/usr/bin/time -o "$cpu" -f "%U %S" "${cmd[@]}" > /dev/null 2>&1
			else
				"${cmd[@]}" > /dev/null
			fi
			e=$EPOCHREALTIME
			local wall cpus=0
			wall=$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')
			[ "${CPU_TIME:-0}" = 1 ] && cpus=$(awk '{printf "%.2f", $1 + $2}' "$cpu")
			if [ "$side" = a ]; then ta+=("$wall"); ca+=("$cpus"); else tb+=("$wall"); cb+=("$cpus"); fi
			unset -n cmd
		done
		if [ "${CPU_TIME:-0}" = 1 ]; then
			echo "  run: ${ta[-1]} s (cpu ${ca[-1]} s), ${REF_LABEL:-reference} ${tb[-1]} s (cpu ${cb[-1]} s), load $(cut -d' ' -f1 /proc/loadavg)"
		fi
	done
	rm -f "$cpu"
	_time_summary "$name" "${ta[*]}" "${tb[*]}"
	if [ "${CPU_TIME:-0}" = 1 ]; then
		_time_summary "$name, cpu" "${ca[*]}" "${cb[*]}"
	fi
}

# _time_summary NAME "A times" "B times": min, median and the ratios B/A.
_time_summary() {
	{ printf '%s\n' $2 | sort -g | tr '\n' ' '; echo; printf '%s\n' $3 | sort -g | tr '\n' ' '; echo; } |
		awk -v n="$1" -v ref="${REF_LABEL:-reference}" 'NR == 1 {na = split($0, a, " ")} NR == 2 {nb = split($0, b, " ")}
		function med(x, k) { return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
		END {
			ma = med(a, na); mb = med(b, nb)
			printf "%-38s min %7.4f med %7.4f s | %s min %7.4f med %7.4f s | ratio med %6.1fx min %6.1fx\n", n, a[1], ma, ref, b[1], mb, mb / ma, b[1] / a[1]
		}'
}
