#!/bin/bash
# The manual and --help tell the same story, and the manual is clean.
top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
man="$top/man/detach.1"
. "$top/tests/lib.sh"

plan 4

"$DETACH" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help"
grep -o 'Fl -[a-z][a-z-]*' "$man" | sed 's/^Fl -/--/' | sort -u >"$T/man"
missing=$(comm -23 "$T/help" "$T/man" | tr '\n' ' ')
check "every long option of --help is in detach(1) ($missing)" \
    test -z "$missing"
extra=$(comm -13 "$T/help" "$T/man" | tr '\n' ' ')
check "every long option of detach(1) is in --help ($extra)" test -z "$extra"
"$DETACH" --help | awk '$1 == "usage:" || $1 == "detach" { print }' |
    grep -o 'detach [a-z]*' | awk '{ print $2 }' | sort -u >"$T/verbs"
missing=$(while read -r v; do
	grep -q "^\.It Cm $v\$\|Cm $v" "$man" || echo "$v"; done <"$T/verbs" |
    tr '\n' ' ')
check "every verb of --help is documented ($missing)" test -z "$missing"
if command -v mandoc >/dev/null 2>&1; then
	check "mandoc -Tlint -Wwarning finds nothing" \
	    sh -c "mandoc -Tlint -Wwarning '$man' >'$T/lint' 2>&1 && test ! -s '$T/lint'"
	[ -s "$T/lint" ] && diag <"$T/lint"
else
	skip "mandoc is not installed"
fi

done_testing
