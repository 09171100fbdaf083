#!/bin/bash
# Bash completion (scripts/detach.bash-completion): each case is a command
# line cut at the cursor.  A fresh bash sources the completion, gets
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as readline would set
# them (split at COMP_WORDBREAKS: "--opt=v" is "--opt" "=" "v"), calls
# _detach and prints COMPREPLY.  Every case runs twice: with plain bash,
# and with bash-completion's helpers loaded (skipped if it is missing).
# The names for -n come from $XDG_RUNTIME_DIR/detach, so those cases run
# as nobody when we are root (root's directory would be /run/detach).

top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/lib.sh"

BASH_COMPLETION_SCRIPT=
for f in /usr/share/bash-completion/bash_completion \
    /etc/bash_completion; do
	if [ -r "$f" ]; then
		BASH_COMPLETION_SCRIPT=$f
		break
	fi
done
export BASH_COMPLETION_SCRIPT

cat >"$T/drive.sh" <<'EOF'
# bash drive.sh plain|full LINE: print the completions of LINE, one a line.
# bash drive.sh plain|full --piddir UID: print _detach_piddir UID.
[ "$1" = full ] && . "$BASH_COMPLETION_SCRIPT"
. "${0%/*}/detach.bash-completion"
if [ "$2" = --piddir ]; then
	_detach_piddir "$3"
	printf '%s\n' "$REPLY"
	exit
fi
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
COMP_WORDS=()
read -ra ws <<<"$COMP_LINE"
for w in "${ws[@]}"; do
	# readline splits "--opt=value" into "--opt" "=" "value", ">f"
	# into ">" "f"
	while [ -n "$w" ]; do
		case $w in
		[=:\<\>]*) t=${w%%[!=:\<\>]*} ;;
		*) t=${w%%[=:\<\>]*} ;;
		esac
		COMP_WORDS+=("$t")
		w=${w#"$t"}
	done
done
case $COMP_LINE in
*' ') COMP_WORDS+=("") ;;
esac
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_detach
for r in "${COMPREPLY[@]}"; do
	printf '%s\n' "$r"
done
EOF
# Both run as nobody when we are root: copies that nobody can reach.
shared "$top/scripts/detach.bash-completion" >/dev/null || exit 99
DRIVE=$(shared "$T/drive.sh") || exit 99

MODE=plain
AS=

# comp LINE: the completions of LINE in $T/out (sorted), errors in $T/err.
comp() {
	$AS bash --norc --noprofile "$DRIVE" "$MODE" "$1" 2>"$T/err" |
	    LC_ALL=C sort >"$T/out"
	[ ! -s "$T/err" ]
}

# has LINE WORD...: the completions of LINE include every WORD, and
# "!WORD" for a WORD they must not include.
has() {
	local line=$1 w good=1
	shift
	if ! comp "$line"; then
		good=
	fi
	for w in "$@"; do
		case $w in
		!*) grep -qxF -- "${w#!}" "$T/out" && good= ;;
		*) grep -qxF -- "$w" "$T/out" || good= ;;
		esac
	done
	if [ -n "$good" ]; then
		ok "$MODE: '$line' offers $*"
	else
		not_ok "$MODE: '$line' offers $*"
		{ echo "got:"; cat "$T/out" "$T/err"; } | head -40 | diag
	fi
}

# only LINE WORD...: the completions of LINE are exactly the WORDs.
only() {
	local line=$1
	shift
	comp "$line"
	if [ -z "$(printf '%s\n' "$@" | LC_ALL=C sort | sed '/^$/d' |
	    diff - "$T/out")" ] && [ ! -s "$T/err" ]; then
		ok "$MODE: '$line' offers only ${*:-nothing}"
	else
		not_ok "$MODE: '$line' offers only ${*:-nothing}"
		{ echo "got:"; cat "$T/out" "$T/err"; } | head -40 | diag
	fi
}

mkdir -p sub xdg/detach
: >sub/a.log
: >conf.env
: >xdg/detach/web.pid
: >xdg/detach/db.pid
: >xdg/detach/web.pid.state
: >xdg/detach/.hidden.pid
: >xdg/detach/.pid
: >xdg/detach/notes.txt

# The cases, for one mode.
cases() {
	# the verb, and --help/--version before it
	only 'detach st' start status stop
	has 'detach ' start stop status restart signal reopen logs list
	only 'detach -' -h --help -V --version
	only 'detach frob -'

	# the options of each verb
	only 'detach stop --ti' --timeout
	has 'detach start -' --supervise --wait-ready -p --name --oknodo -o \
	    --limit -s --timeout -R '!--json'
	has 'detach stop -' -p --name --oknodo -s --timeout -R \
	    '!--supervise' '!--wait-ready' '!-o' '!--json'
	has 'detach restart --' --supervise --chroot --retry --child-pidfile
	only 'detach status -' -p --pidfile -n --name --json
	only 'detach signal -p f --' --pidfile --name --oknodo
	only 'detach reopen -' -p --pidfile -n --name --oknodo
	only 'detach list -' --json
	only 'detach logs -' -p --pidfile -n --name --lines -f --follow
	only 'detach logs --f' --follow
	has 'detach logs -f -' -p --lines '!-o' '!--json'
	only 'detach stop -p f ' -p --pidfile -n --name --oknodo -s \
	    --signal -t --timeout -R --retry --main-only

	# signal's SIGNAL operand, options around it as getopt permutes
	has 'detach signal -p f ' HUP TERM KILL USR1 USR2 INT QUIT '!-p'
	only 'detach signal -p f sigus' sigusr1 sigusr2
	only 'detach signal -p f SIGT' SIGTERM SIGTRAP SIGTSTP SIGTTIN SIGTTOU
	has 'detach signal HUP -' -p --oknodo
	has 'detach signal -p f HUP ' -p '!HUP'
	has 'detach signal -p f -- ' TERM '!-p'

	# values: signals, --opt=value and --opt value, abbreviations,
	# attached short values
	has 'detach stop -s ' TERM KILL HUP
	only 'detach stop --signal=K' KILL
	only 'detach stop --signal K' KILL
	only 'detach stop --sig=K' KILL
	only 'detach stop -sK' -sKILL
	only 'detach stop -R TERM/5/K' TERM/5/KILL
	only 'detach start --restart=' always on-failure never
	only 'detach restart --restart o' on-failure
	has 'detach start --supervise --syslog=lo' local0 local7 '!lpr'
	only 'detach start --supervise --syslog=' auth authpriv cron daemon \
	    ftp lpr mail news syslog user uucp local0 local1 local2 local3 \
	    local4 local5 local6 local7
	only 'detach start --limit=no' nofile=
	only 'detach start --limit nofile=un' unlimited
	only 'detach start --limit=core=' unlimited
	has 'detach start -E PA' PATH=
	has 'detach start -u roo' root
	has 'detach start -u root:roo' root
	has 'detach start --user=root:roo' root
	has 'detach start -g roo' root
	has 'detach start --group ro' root
	# a --json after status asks for no value
	has 'detach status --json -' -p

	# files and directories
	only 'detach start -C s' sub
	only 'detach start --chdir=s' sub
	has 'detach start --chroot ' sub '!conf.env'
	only 'detach start -o sub/' sub/a.log
	only 'detach start --env-file=co' conf.env
	only 'detach stop -p co' conf.env
	only 'detach stop --pidfile=co' conf.env
	only 'detach start --supervise --child-pidfile co' conf.env
	only 'detach stop -pco' -pconf.env
	only 'detach stop -psu' -psub/

	# COMMAND and its arguments
	has 'detach start -- ech' echo
	has 'detach start -p f ech' echo
	has 'detach start -p f --wait-ready ech' echo
	has 'detach start -p f --syslog ech' echo
	has 'detach start -p f sleep ' conf.env '!--supervise'
	has 'detach start -p f sleep -' '!--supervise' '!-p'
	has 'detach restart -n web -- sleep co' conf.env '!-p'
}

# piddir UID XDG WANT: _detach_piddir UID with XDG_RUNTIME_DIR=XDG ("-"
# for unset) prints WANT.
piddir() {
	local got
	got=$(if [ "$2" = - ]; then unset XDG_RUNTIME_DIR; else
	    export XDG_RUNTIME_DIR="$2"; fi
	    bash --norc --noprofile "$DRIVE" "$MODE" --piddir "$1")
	if [ "$got" = "$3" ]; then
		ok "$MODE: pidfile directory for uid $1, XDG_RUNTIME_DIR $2: '$3'"
	else
		not_ok "$MODE: pidfile directory for uid $1, XDG_RUNTIME_DIR $2: '$3' (got '$got')"
	fi
}

# -n NAME: the pidfiles of the default directory, as a user.
name_cases() {
	# the default directory, as path_default_dir() computes it
	piddir 0 /x/ /run/detach
	piddir 4242 /x/ /x/detach
	piddir 4242 /x /x/detach
	piddir 4242 / /detach
	piddir 4242 x ''
	piddir 4242 - ''

	if [ "$(id -u)" = 0 ]; then
		if ! command -v setpriv >/dev/null 2>&1 ||
		    ! id nobody >/dev/null 2>&1; then
			skip "$MODE: -n NAME as root needs setpriv and nobody"
			return
		fi
		AS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody)
		    --clear-groups"
	fi
	export XDG_RUNTIME_DIR="$T/xdg"
	only 'detach stop -n ' db web
	only 'detach status --name=w' web
	only 'detach restart -n d' db
	only 'detach signal --name ' db web
	only 'detach reopen -nw' -nweb
	only 'detach logs -f -n ' db web
	only 'detach start -n '
	unset XDG_RUNTIME_DIR
	AS=
}

# With bash-completion, a COMMAND's arguments go to its own completion:
# here detach's again.
full_cases() {
	has 'detach start -p f -- detach st' start status stop
	has 'detach restart -p f --chdir=/ detach stop --ti' --timeout
}

MODE=plain
cases
name_cases
has 'detach start -p f -- detach st' '!start'
has 'detach start -p f sleep >co' conf.env

MODE=full
if [ -n "$BASH_COMPLETION_SCRIPT" ]; then
	cases
	name_cases
	full_cases
else
	skip "full: bash-completion is not installed"
fi

# the plan comes last, TAP allows it: the count depends on bash-completion
plan "$TAP_N"
done_testing
