#!/bin/bash
# The manual and --help tell the same story, and the manual is clean.
top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
man="$top/man/detach.1"
. "$top/tests/lib.sh"

plan 6

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

# verb_first FILE: every detach command line in FILE names the verb right
# after detach (`detach -n x start` is a usage error, 64), also through
# a variable holding a detach command line (D="detach -n x"; $D start).
# Prints the offending lines and the number of lines checked.
verb_first() {
	perl -e '
	my %verbs = map { $_ => 1 } split " ", $ARGV[1];
	open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
	my (%var, $n);
	while (<$f>) {
		# NAME=detach or NAME="detach ...": $NAME stands for it
		while (/\b(\w+)=("[^"]*"|\S+)/g) {
			my ($k, $v) = ($1, $2);
			$v =~ s/^"(.*)"$/$1/;
			$var{$k} = $v if $v =~ m{^(\S*bin/)?detach(\s|$)};
		}
		s/\$\{?(\w+)\}?/exists $var{$1} ? $var{$1} : $&/ge;
		while (m{(?:^|[\s;|&(`="])(?:\S*bin/)?detach\s+(\S+)}g) {
			next if $1 =~ /^\w+=/;	# D=detach CMD=...
			$n++;
			print "bad: $_" unless $verbs{$1};
		}
	}
	print "checked $n\n";' "$1" "$(tr '\n' ' ' <"$T/verbs") --help --version"
}
# check_verb_first WHAT FILE: at least one command line, each verb first.
check_verb_first() {
	verb_first "$2" >"$T/vf"
	check "$1: the verb comes first ($(tail -n 1 "$T/vf"))" \
	    sh -c "! grep -q '^bad' '$T/vf' && grep -q '^checked [1-9]' '$T/vf'"
	grep '^bad' "$T/vf" | diag
}
# the literal blocks of EXAMPLES (init script, services, logrotate)
sed -n '/^\.Sh EXAMPLES/,/^\.Sh SEE ALSO/p' "$man" |
    awk '/^\.Ed/ { b = 0 } b; /^\.Bd -literal/ { b = 1 }' >"$T/examples"
check_verb_first "detach(1) EXAMPLES" "$T/examples"
grep '^    ' "$top/README" >"$T/readme"	# its indented blocks
check_verb_first "README" "$T/readme"
if command -v mandoc >/dev/null 2>&1; then
	check "mandoc -Tlint -Wwarning finds nothing" \
	    sh -c "mandoc -Tlint -Wwarning '$man' >'$T/lint' 2>&1 && test ! -s '$T/lint'"
	[ -s "$T/lint" ] && diag <"$T/lint"
else
	skip "mandoc is not installed"
fi

done_testing
