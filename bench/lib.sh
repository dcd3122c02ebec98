# Shared helpers of the side-by-side scripts in bench/ (sourced, not run).

# time_pair NAME CMD_A... -- CMD_B...: runs A and B alternately RUNS times
# (output discarded), timed with bash's EPOCHREALTIME (no process of its own:
# timing with $(date) added the start of a date process, ~4 ms here, to every
# run), and prints min and median wall-clock seconds of each (A first, then
# the reference B, labelled $REF_LABEL, default "reference") and the ratio B/A
# of the medians and of the minima.
time_pair() {
	local name=$1
	shift
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local ta=() tb=() s e
	for _ in $(seq "$RUNS"); do
		s=$EPOCHREALTIME; "${a[@]}" > /dev/null; e=$EPOCHREALTIME
		ta+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
		s=$EPOCHREALTIME; "${b[@]}" > /dev/null; e=$EPOCHREALTIME
		tb+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
	done
	{ printf '%s\n' "${ta[@]}" | sort -g | tr '\n' ' '; echo; printf '%s\n' "${tb[@]}" | sort -g | tr '\n' ' '; echo; } |
		awk -v n="$name" -v ref="${REF_LABEL:-reference}" 'NR == 1 {na = split($0, a, " ")} NR == 2 {nb = split($0, b, " ")}
		function med(x, k) { return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
		END {
			ma = med(a, na); mb = med(b, nb)
			printf "%-38s min %7.4f med %7.4f s | %s min %7.4f med %7.4f s | ratio med %6.1fx min %6.1fx\n", n, a[1], ma, ref, b[1], mb, mb / ma, b[1] / a[1]
		}'
}
